// flaky_store.hpp - a MemoryStore that fails every read and write with a chosen StoreError
// while `failing` is set, and counts the calls: for the fail-open tests of the store's users
// (tests/unit/dmarc_report; greylister_test.cpp has had its own copy since before this one).
#pragma once

#include "core/state/memory_store.hpp"

#include <optional>

namespace postseal::state::test {

// FlakyStore - fails get/put/put_if_absent/put_if_absent_or_get/increment with *failing while it is set.
class FlakyStore final : public Store {
 public:
  explicit FlakyStore(const Clock& clock) : inner_(clock, 1000) {}
  std::optional<StoreError> failing;
  int calls = 0;
  int writes = 0;  // put, put_if_absent, put_if_absent_or_get, increment

  Result<std::optional<std::string>> get(std::string_view k) override {
    ++calls;
    if (failing) return std::unexpected(*failing);
    return inner_.get(k);
  }
  Result<void> put(std::string_view k, std::string_view v, std::int64_t ttl) override {
    return write([&] { return inner_.put(k, v, ttl); });
  }
  Result<bool> put_if_absent(std::string_view k, std::string_view v, std::int64_t ttl) override {
    return write([&] { return inner_.put_if_absent(k, v, ttl); });
  }
  Result<std::int64_t> increment(std::string_view k, std::int64_t by, std::int64_t ttl) override {
    return write([&] { return inner_.increment(k, by, ttl); });
  }
  Result<Claim> put_if_absent_or_get(std::string_view k, std::string_view v, std::int64_t ttl) override {
    return write([&] { return inner_.put_if_absent_or_get(k, v, ttl); });
  }
  Result<bool> erase(std::string_view k) override { return inner_.erase(k); }
  Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view p,
                                                                std::size_t n) override {
    return inner_.scan(p, n);
  }
  Result<std::size_t> count(std::string_view p) override { return inner_.count(p); }
  Result<std::size_t> expire() override { return inner_.expire(); }
  std::string name() const override { return "flaky"; }

 private:
  template <typename F>
  auto write(F f) -> decltype(f()) {
    ++calls;
    ++writes;
    if (failing) return std::unexpected(*failing);
    return f();
  }
  MemoryStore inner_;
};

}  // namespace postseal::state::test

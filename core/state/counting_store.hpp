// counting_store.hpp - a Store that passes every call to another and counts each one that
// gave no answer in postseal_store_errors_total{backend,error} (core/metrics/events.hpp).
//
// open_store (store_factory.hpp) wraps every store a daemon or tool opens in one, so the
// failures every backend already maps to a StoreError (SQLite busy or unusable, Redis
// refused, timed out or answering garbage: store.hpp) are counted in one place; the results
// reach the caller unchanged, so the fail-open paths (greylisting, DMARC report rows, key
// rotation) behave as without it. Untrusted input: none beyond the inner store's. Limits:
// none of its own; the label values are the backend's fixed name and the StoreError.
#pragma once

#include "core/state/store.hpp"

#include <memory>
#include <string>

namespace postseal::state {

// CountingStore - the wrapper; as thread-safe as the store it wraps.
class CountingStore final : public Store {
 public:
  // CountingStore - counts under backend `backend` ("sqlite", "redis", "memory").
  CountingStore(std::unique_ptr<Store> inner, std::string backend)
      : inner_(std::move(inner)), backend_(std::move(backend)) {}

  Result<std::optional<std::string>> get(std::string_view key) override;
  Result<void> put(std::string_view key, std::string_view value, std::int64_t ttl_seconds) override;
  Result<bool> put_if_absent(std::string_view key, std::string_view value,
                             std::int64_t ttl_seconds) override;
  Result<Claim> put_if_absent_or_get(std::string_view key, std::string_view value,
                                     std::int64_t ttl_seconds) override;
  Result<Claim> put_if_absent_or_get_batched(std::string_view key, std::string_view value,
                                             std::int64_t ttl_seconds) override;
  Result<void> put_batched(std::string_view key, std::string_view value,
                           std::int64_t ttl_seconds) override;
  Result<std::int64_t> increment(std::string_view key, std::int64_t by,
                                 std::int64_t ttl_seconds) override;
  Result<bool> erase(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view prefix,
                                                                std::size_t limit) override;
  Result<std::size_t> count(std::string_view prefix) override;
  Result<std::size_t> expire() override;
  std::string name() const override { return inner_->name(); }

 private:
  // counted - `result`, its error (if any) counted.
  template <typename T>
  Result<T> counted(Result<T> result) const;

  std::unique_ptr<Store> inner_;
  std::string backend_;
};

}  // namespace postseal::state

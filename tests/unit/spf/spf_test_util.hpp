// spf_test_util.hpp - helpers for the SPF unit tests: run a coroutine to completion, build
// MemoryZone records, and a resolver that advances a FixedClock on every lookup.
#pragma once

#include "core/dns/memory_zone.hpp"
#include "core/util/clock.hpp"
#include "verifier/spf/engine.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <string>
#include <vector>

namespace postseal::spf::testing {

template <typename T>
T run(asio::awaitable<T> task) {
  asio::io_context io;
  T out{};
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await std::move(task); }, asio::detached);
  io.run();
  return out;
}

inline dns::Record txt(std::vector<std::string> strings) {
  dns::Record r;
  r.type = dns::RrType::txt;
  r.strings = std::move(strings);
  return r;
}

inline dns::Record addr(std::string_view ip) {
  dns::Record r;
  r.address = asio::ip::make_address(std::string(ip));
  r.type = r.address.is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  return r;
}

inline dns::Record mx(std::string host, std::uint16_t pref = 10) {
  dns::Record r;
  r.type = dns::RrType::mx;
  r.name = std::move(host);
  r.preference = pref;
  return r;
}

inline SpfQuery query(std::string_view ip, std::string sender, std::string helo = "mail.example.org") {
  SpfQuery q;
  q.ip = asio::ip::make_address(std::string(ip));
  q.sender = std::move(sender);
  q.helo = std::move(helo);
  q.domain = std::string(sender_domain(q.sender));
  return q;
}

// SlowZone - a MemoryZone whose every lookup takes `step` seconds of a FixedClock.
class SlowZone final : public dns::Resolver {
 public:
  SlowZone(dns::MemoryZone& zone, FixedClock& clock, std::int64_t step) : zone_(zone), clock_(clock), step_(step) {}
  asio::awaitable<dns::Answer> lookup(std::string name, dns::RrType type) override {
    clock_.advance(step_);
    co_return zone_.answer(name, type);
  }

 private:
  dns::MemoryZone& zone_;
  FixedClock& clock_;
  std::int64_t step_;
};

}  // namespace postseal::spf::testing

// policy_test_support.hpp - helpers shared by the verifier unit tests: run a coroutine to
// completion, a MemoryZone with the docs/compat.md, seed 000 records, a counting fake SPF checker.
#pragma once

#include "core/dns/memory_zone.hpp"
#include "verifier/decision/decider.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <map>
#include <memory>
#include <string>

namespace postseal::test {

// run_sync - drive one awaitable to its result on a private io_context.
template <typename T>
T run_sync(asio::awaitable<T> a) {
  asio::io_context io;
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return f.get();
}

inline dns::Record txt(std::string text) {
  dns::Record r;
  r.type = dns::RrType::txt;
  r.strings = {std::move(text)};
  return r;
}

inline dns::Record a_record(std::string_view ip) {
  dns::Record r;
  r.type = ip.find(':') == std::string_view::npos ? dns::RrType::a : dns::RrType::aaaa;
  r.address = asio::ip::make_address(std::string(ip));
  return r;
}

inline dns::Record ptr_record(std::string name) {
  dns::Record r;
  r.type = dns::RrType::ptr;
  r.name = std::move(name);
  return r;
}

// seed_zone - the domains of docs/compat.md, seed 000 (names changed to example ones) and a few more.
inline std::unique_ptr<dns::MemoryZone> seed_zone() {
  auto z = std::make_unique<dns::MemoryZone>();
  z->add("hforge.example.com", txt("v=spf1 ip4:81.169.145.0/24 ~all"));
  z->add("fail.example.com", txt("v=spf1 ip4:192.0.2.0/24 -all"));
  z->add("neutral.example.com", txt("v=spf1 ?all"));
  z->add("broken.example.com", txt("v=spf1 ip4:not-an-address -all"));
  z->add("helofail.example.com", txt("v=spf1 -all"));
  z->add_timeout("slow.example.com");
  z->add("forwarder.example.net", txt("v=spf1 ip4:203.0.113.0/24 -all"));
  z->add("exp.example.com", txt("v=spf1 -all exp=explain.example.com"));
  z->add("explain.example.com", txt("Bad\r\naction=OK (see) x"));
  return z;
}

// FakeChecker - answers by domain from a table and counts calls.
struct FakeChecker {
  std::map<std::string, spf::SpfResult> results;
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  decision::SpfChecker checker() {
    auto table = results;
    auto counter = calls;
    return [table, counter](const spf::SpfQuery& q) -> asio::awaitable<spf::SpfOutcome> {
      ++*counter;
      spf::SpfOutcome o;
      auto it = table.find(q.domain);
      o.result = it == table.end() ? spf::SpfResult::none : it->second;
      o.domain = q.domain;
      o.mechanism = "fake";
      if (o.result == spf::SpfResult::temperror) o.reason = "DNS timeout";
      if (o.result == spf::SpfResult::permerror) o.reason = "bad record";
      co_return o;
    };
  }
};

}  // namespace postseal::test

// spf_record_fuzz.cpp - fuzz the SPF record parser, the macro expander and the evaluator.
//
// The input is used three ways: as an SPF record (parse_record, then a whole check_host()
// with it as the record of example.com over a small in-memory zone, so macros, CIDRs,
// include/redirect and the limits run), as a domain-spec and as an explanation text
// (expand()). Nothing may crash, hang or read out of bounds (run under ASan in CI).
#include "core/dns/memory_zone.hpp"
#include "verifier/spf/macro.hpp"
#include "verifier/spf/record.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

postseal::dns::MemoryZone& zone() {
  static postseal::dns::MemoryZone m;
  static const bool filled = [] {
    using postseal::dns::Record;
    using postseal::dns::RrType;
    Record txt{RrType::txt, {}, {}, 0, {"v=spf1 ip4:192.0.2.0/24 include:inc.example.com -all"}};
    m.add("other.example.com", txt);
    m.add("inc.example.com", Record{RrType::txt, {}, {}, 0, {"v=spf1 a mx ptr exists:%{i}.x.example.com ~all"}});
    m.add("inc.example.com", Record{RrType::a, asio::ip::make_address("192.0.2.9"), {}, 0, {}});
    m.add("inc.example.com", Record{RrType::mx, {}, "mx.example.com", 10, {}});
    m.add("mx.example.com", Record{RrType::a, asio::ip::make_address("192.0.2.10"), {}, 0, {}});
    m.add("1.2.0.192.in-addr.arpa", Record{RrType::ptr, {}, "mx.example.com", 0, {}});
    m.add("exp.example.com", Record{RrType::txt, {}, {}, 0, {"%{c} %{r} %{t} %{p} %{L1r-}"}});
    m.add_timeout("slow.example.com");
    return true;
  }();
  (void)filled;
  return m;
}

asio::awaitable<void> evaluate(const postseal::spf::SpfQuery& q, const postseal::spf::SpfOptions& options) {
  (void)co_await postseal::spf::check_host(zone(), q, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)postseal::spf::parse_record(text);
  (void)postseal::spf::valid_domain_spec(text);

  postseal::spf::MacroContext ctx;
  ctx.sender = "strong-bad@email.example.com";
  ctx.local_part = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = asio::ip::make_address("2001:db8::cb01");
  ctx.helo = "mx.example.org";
  (void)postseal::spf::expand(text, ctx, postseal::spf::MacroMode::explanation);
  (void)postseal::spf::expand_domain(text, ctx);

  postseal::spf::SpfQuery q;
  q.ip = asio::ip::make_address("192.0.2.1");
  q.sender = "user@example.com";
  q.helo = "mx.example.org";
  q.domain = "example.com";
  postseal::spf::SpfOptions options;
  options.record_override = text.starts_with("v=spf1") ? text : "v=spf1 " + text;
  asio::io_context io;
  asio::co_spawn(io, evaluate(q, options), asio::detached);
  io.run();
  return 0;
}

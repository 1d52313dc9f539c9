// spf_libspf2_diff_fuzz.cpp - differential: our SPF engine (verifier/spf, RFC 7208) against
// libspf2 (verifier/spf/libspf2_engine.cpp) on the same record, query and in-memory DNS.
//
// Input: byte 0 picks the client address (kAddresses), the rest is the record of
// example.com (given "v=spf1 " in front when it lacks it). Both engines evaluate check_host()
// over the same MemoryZone (includes, a/mx/ptr/exists targets, a TIMEOUT name, macros).
// What is compared: the final result (none, neutral, pass, fail, softfail, temperror) on
// records both accept, i.e. our parser accepts the record and neither engine answers
// permerror. Not compared: permerror cases (libspf2 misses several syntax errors and the
// void-lookup limit, see libspf2_engine.cpp), records with a "/0" CIDR (libspf2 does not
// accept them), records holding a NUL (libspf2 reads C strings, so it sees a shorter record),
// records with a macro digit transformer ("%{d2}": libspf2 1.2.10 expands one that asks for as
// many parts as the value has, or more, to something other than the whole value, where RFC
// 7208 7.3 says all parts are used and pyspf agrees with us; found by this target, the
// reproducer is in fuzz/regressions/), records with a term whose expansion may pass 253
// octets (RFC 7208 4.8 cuts such a name from the left; libspf2 fails the suite's
// domain-name-truncation case, conformance/spf/libspf2_expected_failures.inc; found by this
// target too), the deciding mechanism and the explanation (the engines word them
// differently). Inputs over kMaxInputOctets are skipped (an SPF record fits in a few TXT
// strings). No network, no files, deterministic.
#include "core/dns/memory_zone.hpp"
#include "verifier/spf/engine.hpp"
#include "verifier/spf/record.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::size_t kMaxInputOctets = 2048;
constexpr std::array<const char*, 6> kAddresses{"192.0.2.1",  "192.0.2.9",   "192.0.2.10",
                                                "198.51.100.7", "2001:db8::1", "2001:db8::cb01"};

using postseal::dns::Record;
using postseal::dns::RrType;

postseal::dns::MemoryZone& zone() {
  static postseal::dns::MemoryZone m;
  static const bool filled = [] {
    auto txt = [](const char* s) { return Record{RrType::txt, {}, {}, 0, {s}}; };
    auto a = [](const char* ip) { return Record{RrType::a, asio::ip::make_address(ip), {}, 0, {}}; };
    m.add("other.example.com", txt("v=spf1 ip4:192.0.2.0/24 include:inc.example.com -all"));
    m.add("inc.example.com", txt("v=spf1 a mx ptr exists:%{i}.x.example.com ~all"));
    m.add("inc.example.com", a("192.0.2.9"));
    m.add("inc.example.com", Record{RrType::mx, {}, "mx.example.com", 10, {}});
    m.add("mx.example.com", a("192.0.2.10"));
    m.add("mx.example.com", Record{RrType::aaaa, asio::ip::make_address("2001:db8::cb01"), {}, 0, {}});
    m.add("example.com", a("198.51.100.7"));
    m.add("example.com", Record{RrType::mx, {}, "mx.example.com", 10, {}});
    m.add("1.2.0.192.in-addr.arpa", Record{RrType::ptr, {}, "mx.example.com", 0, {}});
    m.add("10.2.0.192.in-addr.arpa", Record{RrType::ptr, {}, "mx.example.com", 0, {}});
    m.add("192.0.2.1.x.example.com", a("127.0.0.2"));
    m.add("soft.example.com", txt("v=spf1 ?ip4:192.0.2.0/24 ~all"));
    m.add("exp.example.com", txt("%{c} %{r} %{t} %{p} %{L1r-}"));
    m.add_timeout("slow.example.com");
    return true;
  }();
  (void)filled;
  return m;
}

postseal::spf::SpfOutcome run(postseal::spf::SpfEngine& engine, const postseal::spf::SpfQuery& q,
                              const postseal::spf::SpfOptions& options) {
  postseal::spf::SpfOutcome out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await engine.check_host(zone(), q, options); },
                 asio::detached);
  io.run();
  return out;
}

// has_digit_transformer - a macro "%{" letter DIGIT... anywhere in `text` (see above).
bool has_digit_transformer(const std::string& text) {
  for (std::size_t at = text.find("%{"); at != std::string::npos; at = text.find("%{", at + 2)) {
    if (at + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[at + 3]))) return true;
  }
  return false;
}

// may_need_truncation - a term (between spaces) whose length, each macro counted as 63
// octets (the longest expansion here: an IPv6 %{i}), passes 253 (see above).
bool may_need_truncation(const std::string& text) {
  std::size_t term = 0, macros = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ') {
      if (term + macros * 63 > 253) return true;
      term = macros = 0;
      continue;
    }
    ++term;
    if (text[i] == '%' && i + 1 < text.size() && text[i + 1] == '{') ++macros;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInputOctets) return 0;
  using namespace postseal::spf;
  static auto native = make_native_engine();
  static auto libspf2 = make_libspf2_engine();
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!text.starts_with("v=spf1")) text = "v=spf1 " + text;
  if (!parse_record(text) || text.find("/0") != std::string::npos ||
      text.find('\0') != std::string::npos || has_digit_transformer(text) || may_need_truncation(text)) {
    return 0;
  }

  SpfQuery q;
  q.ip = asio::ip::make_address(kAddresses[data[0] % kAddresses.size()]);
  q.sender = "user@example.com";
  q.helo = "mx.example.org";
  q.receiver = "mx.test.local";
  q.domain = "example.com";
  SpfOptions options;
  options.record_override = text;
  auto ours = run(*native, q, options);
  auto theirs = run(*libspf2, q, options);
  if (ours.result == SpfResult::permerror || theirs.result == SpfResult::permerror) return 0;
  if (ours.result != theirs.result) {
    std::fprintf(stderr, "record '%s' ip %s: ours %s (%s %s), libspf2 %s (%s %s)\n", text.c_str(),
                 q.ip.to_string().c_str(), std::string(to_string(ours.result)).c_str(), ours.mechanism.c_str(),
                 ours.reason.c_str(), std::string(to_string(theirs.result)).c_str(), theirs.mechanism.c_str(),
                 theirs.reason.c_str());
    std::abort();
  }
  return 0;
}

// greylist_key_fuzz.cpp - fuzz the policy request + greylisting path: the request reader
// (parse_request), the triplet key (normalize_sender, client_network, triplet_key; SRS, BATV,
// VERP rules) and whole requests answered by a PolicySession with greylisting on a
// MemoryStore (fake SPF checker: every domain none, so greylisting is always consulted).
// Untrusted: every byte. Checked on every input:
//   - a normalised sender or recipient is at most kMaxAddressOctets, lower case;
//   - a triplet key fits the store (state::kMaxKeyOctets) and starts with greylist:t:;
//   - the same request asked again after the delay never defers: greylisting converges;
//   - every answer is one action= line (no CR, LF or NUL) and an empty line.
// The C library's headers come first (see policy_request_fuzz.cpp).
#include <cstdint>
#include <cstdlib>

#include "core/state/memory_store.hpp"
#include "core/util/clock.hpp"
#include "core/util/log.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/greylist/key.hpp"
#include "verifier/policy/request.hpp"
#include "verifier/policy/session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <string>
#include <string_view>

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool lower_case(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

void check_key(const postseal::policy::PolicyRequest& r) {
  using namespace postseal::greylist;
  auto sender = normalize_sender(r.sender);
  auto recipient = normalize_recipient(r.recipient);
  require(sender.size() <= kMaxAddressOctets && lower_case(sender));
  require(recipient.size() <= kMaxAddressOctets && lower_case(recipient));
  asio::error_code ec;
  auto ip = asio::ip::make_address(r.client_address, ec);
  if (ec) ip = asio::ip::make_address("192.0.2.1");
  for (bool by_spf : {false, true}) {
    KeyOptions o;
    o.key_by_spf_domain = by_spf;
    o.ipv4_prefix = static_cast<unsigned>(r.helo_name.size() % 33);
    o.ipv6_prefix = static_cast<unsigned>(r.helo_name.size() % 129);
    auto key = triplet_key(make_triplet(ip, r.sender, r.recipient, r.client_name, o));
    require(key.size() <= postseal::state::kMaxKeyOctets && key.starts_with(kTripletPrefix));
  }
}

void check_answer(std::string_view a) {
  require(a.starts_with("action=") && a.ends_with("\n\n"));
  auto line = a.substr(0, a.size() - 2);
  require(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
}

std::string ask(postseal::policy::PolicySession& session, const postseal::policy::PolicyRequest& r) {
  static asio::io_context io;
  auto f = asio::co_spawn(io, session.answer(r), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

void converse(const postseal::policy::PolicyRequest& r) {
  static postseal::FixedClock clock(1700000000);
  static postseal::state::MemoryStore store(clock, 10000);
  postseal::decision::SpfChecker none = [](const postseal::spf::SpfQuery& q) -> asio::awaitable<postseal::spf::SpfOutcome> {
    postseal::spf::SpfOutcome o;
    o.domain = q.domain;
    co_return o;
  };
  postseal::decision::Options options;
  options.authserv_id = "mx.test.example";
  postseal::decision::Decider decider(options, none, nullptr, clock);
  postseal::greylist::Service service;
  service.greylister = std::make_unique<postseal::greylist::Greylister>(store, clock, postseal::greylist::Options{});
  service.host = "mx.test.example";
  postseal::policy::PolicySession session(decider, &service);
  auto first = ask(session, r);
  check_answer(first);
  clock.advance(postseal::greylist::kDefaultDelay);
  auto again = ask(session, r);
  check_answer(again);
  require(!again.starts_with("action=DEFER_IF_PERMIT 4.7.1 Greylisted"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool captured = [] {
    postseal::log::capture([](postseal::log::Level, std::string_view line) {
      require(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    });
    return true;
  }();
  (void)captured;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto request = postseal::policy::parse_request(in);
  if (!request) return 0;
  check_key(*request);
  converse(*request);
  return 0;
}

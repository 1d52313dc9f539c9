// milter_packet_fuzz.cpp - fuzz the milter front end as the MTA drives it: a byte stream of
// milter packets (4-octet length in network order, command octet, data), cut into packets
// with the length bound the milter sets (kMaxPacketOctets) and handed, command by command, to
// the steps that verifier/milter/milter.cpp's callbacks run (session.hpp: client_name_from,
// strip_angle, address_listed, host_listed, raw_field, add_field, the DKIM and DomainKeys
// verifiers, forged_occurrences, auth_results_value, received_spf_value, results_log_text,
// subject_edit). The server (verifier/milter/server.cpp, dialog.hpp) reads the packets in the
// daemon (milter_dialog_fuzz fuzzes that); this target splits them the same way so every
// packet the MTA can send reaches the session steps. The SPF decision (DNS) is
// not made here; the DNS is an in-memory zone with the RFC 8463 test keys.
//
// Untrusted input: every byte (the MTA relays the SMTP client's data). Inputs over
// kMaxInputOctets are skipped; a packet whose length is 0 or over kMaxPacketOctets ends the
// stream (the server drops such a connection). Checked on every input:
//   - at most kMaxHeaderFields fields are kept, and a kept field's raw text has no bare LF;
//   - forged occurrence numbers are strictly decreasing, each within 1..the A-R fields seen;
//   - the A-R value has no CR or NUL; the log text is one line; the Subject edit has no CR.
// No network, no files, deterministic (fixed clock).
#include "core/dns/memory_zone.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/milter/session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::size_t kMaxInputOctets = 256 * 1024;
constexpr std::size_t kPacketHeaderOctets = 4;
constexpr std::size_t kMaxSenderOctets = 512;  // as milter.cpp cuts MAIL FROM and RCPT TO
constexpr std::size_t kMaxHeloOctets = 255;
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kAuthservId = "mx.test.local";

using namespace postseal;

const FixedClock& clock_now() {
  static const FixedClock c(kNow);
  return c;
}

dns::MemoryZone& zone() {
  static dns::MemoryZone z;
  static const bool filled = [] {
    auto txt = [](std::string_view s) { return dns::Record{dns::RrType::txt, {}, {}, 0, {std::string(s)}}; };
    z.add("brisbane._domainkey.football.example.com",
          txt("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
    z.add("test._domainkey.football.example.com",
          txt("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"));
    return true;
  }();
  (void)filled;
  return z;
}

const milter::Policy& policy() {
  static const milter::Policy p = [] {
    milter::Policy q;
    q.whitelist_ptr = {"relay.example", ".trusted.example"};
    q.whitelist_from = {"boss@example.com", "@partner.example", "friends.example"};
    q.whitelist_to = {"postmaster@", ".lists.example"};
    return q;
  }();
  return p;
}

// args - the NUL-terminated strings of a packet's data (libmilter's argv).
std::vector<std::string_view> args(std::string_view data) {
  std::vector<std::string_view> out;
  while (!data.empty()) {
    auto nul = data.find('\0');
    if (nul == std::string_view::npos) break;  // the codec requires the final NUL
    out.push_back(data.substr(0, nul));
    data.remove_prefix(nul + 1);
  }
  return out;
}

template <typename T>
T run(auto make) {
  asio::io_context io;
  T out{};
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await make(); }, asio::detached);
  io.run();
  return out;
}

void on_connect(milter::Session& s, std::string_view data) {
  auto a = args(data);
  s.client_name = milter::client_name_from(a.empty() ? std::string_view{} : a[0]);
  s.client.reset();
  if (a.size() >= 2 && a[1].size() > 3 && (a[1][0] == '4' || a[1][0] == '6')) {
    asio::error_code ec;
    auto ip = asio::ip::make_address(std::string(a[1].substr(3)), ec);
    if (!ec) s.client = ip;
  }
  s.client_whitelisted = milter::host_listed(s.client_name, policy().whitelist_ptr);
}

void on_eom(milter::Session& s) {
  std::vector<dkim::SignatureResult> dkim;
  std::optional<domainkeys::DkResult> dk;
  if (s.dkim) {
    auto* v = &*s.dkim;
    dkim = run<std::vector<dkim::SignatureResult>>([v] { return v->finish(zone()); });
  }
  if (s.dk) {
    auto* v = &*s.dk;
    dk = run<std::optional<domainkeys::DkResult>>([v] { return v->finish(zone()); });
  }
  int previous = s.auth_results_seen + 1;
  for (int n : milter::forged_occurrences(s)) {
    if (n < 1 || n >= previous) std::abort();
    previous = n;
  }
  (void)milter::received_spf_value(s, kAuthservId);
  auto ar = milter::auth_results_value(s, kAuthservId, dkim, dk);
  if (ar.find_first_of(std::string_view("\r\0", 2)) != std::string::npos) std::abort();
  auto log = milter::results_log_text(ar);
  if (log.find_first_of("\r\n") != std::string::npos) std::abort();
  (void)milter::spf_flagged(s);
  auto edit = milter::subject_edit(s.subject, milter::kDefaultTag);
  if (edit.value.find('\r') != std::string::npos) std::abort();
  s.reset_message();
}

void on_header(milter::Session& s, std::string_view data) {
  auto a = args(data);
  if (a.size() < 2) return;
  std::string_view v = a[1];
  if (!milter::add_mta_field(s, a[0], v, !v.empty() && (v[0] == ' ' || v[0] == '\t'), kAuthservId)) return;
  if (s.fields.size() > mail::kMaxHeaderFields) std::abort();
  const std::string& raw = s.fields.back().raw;
  for (std::size_t lf = raw.find('\n'); lf != std::string::npos; lf = raw.find('\n', lf + 1))
    if (lf == 0 || raw[lf - 1] != '\r') std::abort();
}

// command - one packet; false ends the conversation.
bool command(milter::Session& s, char cmd, std::string_view data) {
  switch (cmd) {
    case 'C': on_connect(s, data); break;
    case 'H': {
      auto a = args(data);
      s.helo = std::string(a.empty() ? std::string_view{} : a[0].substr(0, kMaxHeloOctets));
      break;
    }
    case 'M': {
      auto a = args(data);
      s.reset_message();
      s.sender = milter::strip_angle(a.empty() ? std::string_view{} : a[0].substr(0, kMaxSenderOctets));
      s.sender_whitelisted = milter::address_listed(s.sender, policy().whitelist_from);
      break;
    }
    case 'R': {
      auto a = args(data);
      auto rcpt = milter::strip_angle(a.empty() ? std::string_view{} : a[0].substr(0, kMaxSenderOctets));
      bool listed = milter::address_listed(rcpt, policy().whitelist_to);
      if (!listed && s.recipients.size() < smtp::kMaxRecipients) s.recipients.push_back(std::move(rcpt));
      break;
    }
    case 'L': on_header(s, data); break;
    case 'N':
      if (!s.header_problem.empty()) break;
      s.dkim.emplace(dkim::VerifyOptions{}, clock_now());
      s.dkim->headers(s.fields);
      s.dk.emplace(clock_now());
      s.dk->headers(s.fields);
      break;
    case 'B':
      if (s.dkim) s.dkim->body(data);
      if (s.dk) s.dk->body(data);
      break;
    case 'E': on_eom(s); break;
    case 'A': s.reset_message(); break;
    case 'Q': return false;
    default: break;  // 'O', 'D', 'U', 'T' and unknown commands: nothing of ours runs
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputOctets) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  milter::Session s;
  while (in.size() >= kPacketHeaderOctets + 1) {
    std::size_t len = (static_cast<std::size_t>(data[size - in.size()]) << 24) |
                      (static_cast<std::size_t>(data[size - in.size() + 1]) << 16) |
                      (static_cast<std::size_t>(data[size - in.size() + 2]) << 8) |
                      static_cast<std::size_t>(data[size - in.size() + 3]);
    if (len == 0 || len > milter::kMaxPacketOctets) break;
    in.remove_prefix(kPacketHeaderOctets);
    if (len > in.size()) break;  // the connection ends inside the packet
    char cmd = in[0];
    std::string_view body = in.substr(1, len - 1);
    in.remove_prefix(len);
    if (!command(s, cmd, body)) break;
  }
  return 0;
}

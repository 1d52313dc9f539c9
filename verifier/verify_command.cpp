// verify_command.cpp - `postseal verify`: check every DKIM-Signature of a message on stdin.
//
// RFC 6376 6 (verification), RFC 8601 2.7.1 (result names). Like dkimpy's dkimverify: reads
// one message (LF or CRLF line ends; bare LF becomes CRLF), prints one Authentication-Results
// resinfo per signature ("dkim=pass header.d=... header.s=... header.a=...", with the reason
// in parentheses when it is not a pass) and a summary line; exits 0 when at least one
// signature passes, 1 otherwise. A DomainKey-Signature (RFC 4870) is verified too and
// reported as one "domainkeys=..." line (RFC 8601 method) before the summary; it never affects
// the exit status: DomainKeys is reporting only. DNS comes from --dns-zone FILE or --dns
// SERVER[@PORT], else [dns] of -c (or /etc/postseal/postseal.toml when present), else
// /etc/resolv.conf: the resolver the daemons use.
// Untrusted input: the message (header block bounded by mail::kMaxHeaderBlockBytes; the body
// is streamed in kReadChunk pieces, so memory does not grow with it) and DNS answers.
#include "core/dkim/message_verifier.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "verifier/commands.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace postseal::verifier {

namespace {

// kReadChunk - octets read from stdin at a time.
constexpr std::size_t kReadChunk = 64 * 1024;

struct VerifyArgs {
  std::string config_path;  // [dns] from here (default /etc/postseal/postseal.toml if present)
  dns::ResolverOptions dns;
  std::optional<std::int64_t> now;
  std::size_t max_signatures = dkim::VerifyOptions{}.max_signatures;
};

// LineEnds - turns bare LF into CRLF across chunk boundaries.
class LineEnds {
 public:
  std::string convert(std::string_view chunk) {
    std::string out;
    out.reserve(chunk.size() + chunk.size() / 32);
    for (char c : chunk) {
      if (c == '\n' && !last_cr_) out += '\r';
      out += c;
      last_cr_ = c == '\r';
    }
    return out;
  }

 private:
  bool last_cr_ = false;
};

// read_chunk - the next converted piece of stdin; empty at end of input.
std::string read_chunk(LineEnds& ends) {
  std::string raw(kReadChunk, '\0');
  std::size_t got = std::fread(raw.data(), 1, raw.size(), stdin);
  raw.resize(got);
  return ends.convert(raw);
}

// split_head - read until the empty line; `head` gets the header block (each field ending in
// CRLF), the return value the body octets already read.
std::string split_head(LineEnds& ends, std::string& head) {
  std::string data;
  while (true) {
    if (data.starts_with("\r\n")) return data.substr(2);
    if (auto end = data.find("\r\n\r\n"); end != std::string::npos) {
      head = data.substr(0, end + 2);
      return data.substr(end + 4);
    }
    if (data.size() > mail::kMaxHeaderBlockBytes) {
      throw StartupError(kExitDataErr, "header block too large");
    }
    std::string more = read_chunk(ends);
    if (more.empty()) {
      head = data;
      if (!head.empty() && !head.ends_with("\r\n")) head += "\r\n";
      return {};
    }
    data += more;
  }
}

struct Outcome {
  std::vector<dkim::SignatureResult> dkim;
  std::optional<domainkeys::DkResult> domainkeys;
};

// run_verifiers - DKIM and DomainKeys lookups on one resolver.
Outcome run_verifiers(dkim::MessageVerifier& verifier, domainkeys::DkVerifier& dk,
                      const dns::ResolverOptions& options) {
  asio::io_context io;
  auto resolver = dns::make_resolver(io, options);
  Outcome out;
  std::exception_ptr failure;
  asio::co_spawn(io, verifier.finish(*resolver),
                 [&](std::exception_ptr e, std::vector<dkim::SignatureResult> r) {
                   if (e) failure = e;
                   out.dkim = std::move(r);
                 });
  asio::co_spawn(io, dk.finish(*resolver),
                 [&](std::exception_ptr e, std::optional<domainkeys::DkResult> r) {
                   if (e) failure = e;
                   out.domainkeys = std::move(r);
                 });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return out;
}

// print_results - one resinfo per signature and a summary; the exit status.
int print_results(const Outcome& outcome) {
  const auto& results = outcome.dkim;
  std::string dk_line;
  if (outcome.domainkeys) dk_line = domainkeys::format_result(*outcome.domainkeys) + "\n";
  if (results.empty()) {
    std::printf("dkim=none (no signatures)\n%ssummary: no DKIM signatures\n", dk_line.c_str());
    return 1;
  }
  std::size_t passed = 0;
  for (const auto& r : results) {
    std::printf("%s\n", dkim::format_result(r).c_str());
    if (r.result == dkim::Result::pass) ++passed;
  }
  std::fputs(dk_line.c_str(), stdout);  // DomainKeys: reported, never counted
  std::printf("summary: %zu of %zu signature%s pass\n", passed, results.size(),
              results.size() == 1 ? "" : "s");
  return passed > 0 ? 0 : 1;
}

int verify(const VerifyArgs& args) {
  dns::ResolverOptions resolver_options = args.dns;  // a bad config fails before stdin is read
  dns::apply_config(config::File::load_or_default(args.config_path), resolver_options);
  SystemClock system_clock;
  std::optional<FixedClock> fixed_clock;
  if (args.now) fixed_clock.emplace(*args.now);
  const Clock& clock = fixed_clock ? static_cast<const Clock&>(*fixed_clock) : system_clock;
  dkim::VerifyOptions options;
  options.max_signatures = args.max_signatures;
  dkim::MessageVerifier verifier(options, clock);
  domainkeys::DkVerifier dk(clock);

  LineEnds ends;
  std::string head;
  std::string body = split_head(ends, head);
  auto fields = mail::parse_header_block(head);
  if (!fields) {  // not a message we can read: no signature can pass
    std::printf("dkim=permerror (bad header block: %s)\nsummary: message not verified\n",
                std::string(mail::to_string(fields.error())).c_str());
    return 1;
  }
  verifier.headers(*fields);
  dk.headers(*fields);
  verifier.body(body);
  dk.body(body);
  for (std::string chunk = read_chunk(ends); !chunk.empty(); chunk = read_chunk(ends)) {
    verifier.body(chunk);
    dk.body(chunk);
  }
  return print_results(run_verifiers(verifier, dk, resolver_options));
}

}  // namespace

void add_verify_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<VerifyArgs>();
  auto* sub = app.add_subcommand(
      "verify",
      "Verify the DKIM signatures of a message read from stdin; print one RFC 8601 result per "
      "signature and a summary; exit 0 when at least one signature passes, 1 otherwise. A "
      "DomainKey-Signature is reported as a domainkeys= line and never changes the exit status");
  sub->add_option("-c,--config", args->config_path,
                  "postseal.toml whose [dns] section says which resolver to ask (default "
                  "/etc/postseal/postseal.toml if present)");
  dns::add_resolver_options(sub, args->dns);
  sub->add_option("--now", args->now,
                  "verify as if the time were T (seconds since the epoch), for t=/x= checks");
  sub->add_option("--max-signatures", args->max_signatures,
                  "verify at most N signatures; the rest are reported as policy (not checked)")
      ->check(CLI::Range(std::size_t{1}, dkim::kMaxSignaturesBound))
      ->capture_default_str();
  sub->callback([&run, args] { run = [args] { return verify(*args); }; });
}

}  // namespace postseal::verifier

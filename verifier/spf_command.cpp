// spf_command.cpp - `postseal spf`: one SPF evaluation, a draft record, or a lint report.
//
//   postseal spf --ip IP [--sender ADDR] [--helo NAME] [--receiver NAME]
//                [--engine native|libspf2] [--trace] [--dns S[@P] | --dns-zone FILE]
//   postseal spf --record 'v=spf1 ...' --domain D --ip IP ...   (evaluate a draft record)
//   postseal spf --lint DOMAIN [--record 'v=spf1 ...']          (lint a published/draft policy)
//
// Output: the result keyword first (RFC 7208 2.6 names), then "mechanism:", "explanation:"
// (fail), "reason:" (errors), the Received-SPF field and the Authentication-Results clause.
// Without --sender the HELO identity is checked (RFC 7208 2.4: postmaster@HELO). Untrusted
// input: DNS answers and the names given (printed through printable()).
#include "verifier/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"
#include "verifier/spf/engine.hpp"
#include "verifier/spf/lint.hpp"
#include "verifier/auth_results.hpp"
#include "verifier/decision/received_spf.hpp"
#include "verifier/spf/explanation.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::verifier {
namespace {

constexpr const char* kDefaultConfig = "/etc/postseal/postseal.toml";

constexpr config::Key kSpfKeys[] = {
    {"spf.engine", config::Type::string, "\"native\"", 0, 0,
     "SPF engine: \"native\" (RFC 7208, default) or \"libspf2\""},
    {"spf.time_cap_seconds", config::Type::integer, "20", 1, 300,
     "longest one SPF evaluation may take before it is a temperror"},
    {"spf.receiver", config::Type::string, "\"\"", 0, 0,
     "this host's name in Received-SPF and %{r}; empty: the system host name"},
};

// Exit codes, one per result (documented in --help).
constexpr int exit_code(spf::SpfResult r) {
  switch (r) {
    case spf::SpfResult::pass: return 0;
    case spf::SpfResult::fail: return 1;
    case spf::SpfResult::softfail: return 2;
    case spf::SpfResult::neutral: return 3;
    case spf::SpfResult::none: return 4;
    case spf::SpfResult::permerror: return 5;
    case spf::SpfResult::temperror: return kExitTempFail;
  }
  return kExitSoftware;
}

constexpr const char* kHelp =
    "Evaluate SPF (RFC 7208) for a client IP and sender, a draft record, or lint a domain.\n"
    "Exit: 0 pass, 1 fail, 2 softfail, 3 neutral, 4 none, 5 permerror, 75 temperror;\n"
    "--lint: 0 no errors, 1 errors found, 75 DNS failure; 64 usage, 78 configuration.";

struct SpfArgs {
  std::string ip;
  std::string sender;
  std::string helo;
  std::string receiver;
  std::string engine;
  std::string record;
  std::string domain;
  std::string lint_domain;
  bool trace = false;
  std::string config_path = kDefaultConfig;
  dns::ResolverOptions resolver;
};

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

template <typename T, typename F>
T run_sync(asio::io_context& io, F&& make) {
  T out{};
  std::exception_ptr error;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await make(); },
                 [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  return out;
}

int run_lint(const SpfArgs& a, dns::Resolver& resolver, asio::io_context& io) {
  auto report = run_sync<spf::LintReport>(io, [&] { return spf::lint(resolver, a.lint_domain, a.record); });
  for (const auto& f : report.findings)
    std::printf("%s: %s: %s\n", std::string(spf::to_string(f.level)).c_str(), f.domain.c_str(), f.message.c_str());
  if (report.temporary) return kExitTempFail;
  std::printf("%s\n", report.has_errors() ? "errors found" : "no errors");
  return report.has_errors() ? 1 : 0;
}

void print_outcome(const spf::SpfCheck& check, const std::string& receiver) {
  const auto& o = check.outcome;
  std::printf("%s\n", std::string(spf::to_string(o.result)).c_str());
  if (!o.mechanism.empty()) std::printf("mechanism: %s\n", printable(o.mechanism).c_str());
  if (o.result == spf::SpfResult::fail) std::printf("explanation: %s\n", spf::explanation_text(check).c_str());
  if (!o.reason.empty()) std::printf("reason: %s\n", printable(o.reason).c_str());
  std::printf("domain: %s\n", printable(o.domain).c_str());
  std::printf("identity: %s\n", std::string(spf::to_string(check.identity)).c_str());
  std::printf("dns terms: %d of %d, void lookups: %d of %d\n", o.dns_terms, spf::kMaxDnsTerms,
              o.void_lookups, spf::kMaxVoidLookups);
  // the same renderers as the policy service, proxy and milter
  decision::SpfReport report;
  report.identity = check.identity;
  report.outcome = o;
  report.client_ip = check.query.ip.to_string();
  report.sender = check.identity == spf::Identity::helo ? std::string{} : check.query.sender;
  report.helo = check.query.helo;
  report.receiver = receiver;
  std::printf("%s\n", decision::received_spf_field(report).c_str());
  verifier::AuthResults ar;
  ar.authserv_id = receiver;
  verifier::SpfResinfo r;
  r.result = o.result;
  (check.identity == spf::Identity::helo ? r.helo : r.mailfrom) =
      check.identity == spf::Identity::helo ? check.query.helo : check.query.sender;
  ar.spf.push_back(std::move(r));
  std::printf("%s\n", verifier::render_authentication_results(ar).c_str());
}

int run_spf(SpfArgs a) {
  std::error_code ec;
  std::string engine_name = a.engine;
  std::int64_t time_cap = spf::kDefaultTimeCapSeconds;
  if (std::filesystem::exists(a.config_path, ec)) {
    config::declare(dns::dns_config_keys());
    auto file = config::File::load(a.config_path);
    dns::apply_config(file, a.resolver);
    if (engine_name.empty()) engine_name = file.string("spf.engine");
    if (a.receiver.empty()) a.receiver = file.string("spf.receiver");
    time_cap = file.integer("spf.time_cap_seconds");
  }
  if (engine_name.empty()) engine_name = std::string(spf::kEngineNative);
  if (a.receiver.empty()) a.receiver = host_name();
  auto engine = spf::make_engine(engine_name);
  if (!engine) throw usage_error(fmt::format("unknown engine '{}' (native, libspf2)", printable(engine_name, 40)));
  asio::io_context io;
  auto resolver = dns::make_resolver(io, a.resolver);
  if (!a.lint_domain.empty()) return run_lint(a, *resolver, io);
  if (a.ip.empty()) throw usage_error("--ip is required (or --lint DOMAIN)");
  spf::SessionIdentities session;
  session.ip = asio::ip::make_address(a.ip, ec);
  if (ec) throw usage_error(fmt::format("--ip: '{}' is not an IP address", printable(a.ip, 60)));
  if (a.sender.empty() && a.helo.empty()) throw usage_error("give --sender, --helo or both");
  session.helo = a.helo;
  session.mail_from = a.sender;
  session.receiver = a.receiver;
  spf::SpfCheck check;
  check.identity = a.sender.empty() ? spf::Identity::helo : spf::Identity::mailfrom;
  check.query = spf::mailfrom_query(session);
  if (!a.domain.empty()) {
    check.query.domain = a.domain;
    if (a.sender.empty()) check.query.sender = "postmaster@" + a.domain;
  }
  if (!a.record.empty() && check.query.domain.empty()) throw usage_error("--record needs --domain or --sender");
  spf::SpfOptions options;
  options.time_cap_seconds = time_cap;
  options.record_override = a.record;
  if (a.trace) options.trace = [](std::string_view line) { std::printf("trace: %.*s\n", static_cast<int>(line.size()), line.data()); };
  check.outcome = run_sync<spf::SpfOutcome>(io, [&] { return engine->check_host(*resolver, check.query, options); });
  print_outcome(check, a.receiver);
  return exit_code(check.outcome.result);
}

}  // namespace

void add_spf_command(CLI::App& app, Runner& run) {
  auto a = std::make_shared<SpfArgs>();
  auto* sub = app.add_subcommand("spf", kHelp);
  sub->add_option("--ip", a->ip, "SMTP client IP address (IPv4, IPv6, IPv4-mapped IPv6)");
  sub->add_option("--sender", a->sender, "MAIL FROM address; omit for the null sender (HELO identity)");
  sub->add_option("--helo", a->helo, "HELO/EHLO name");
  sub->add_option("--receiver", a->receiver, "this host's name (%{r}, Received-SPF receiver=)");
  sub->add_option("--engine", a->engine, "native (default) or libspf2 (default from spf.engine)");
  sub->add_flag("--trace", a->trace, "print every DNS query and lookup-count step");
  sub->add_option("--record", a->record, "evaluate this draft record instead of the published one");
  sub->add_option("--domain", a->domain, "the domain whose policy is checked (with --record)");
  sub->add_option("--lint", a->lint_domain, "report problems of DOMAIN's SPF policy and exit");
  sub->add_option("-c,--config", a->config_path, "config file (used when it exists)")->capture_default_str();
  dns::add_resolver_options(sub, a->resolver);
  sub->callback([&run, a] { run = [a] { return run_spf(*a); }; });
}

std::span<const config::Key> spf_config_keys() { return kSpfKeys; }

}  // namespace postseal::verifier

// dmarc_command.cpp - `postseal dmarc`: evaluate DMARC (RFC 9989) for one case and show why.
//
// The inputs a receiver has after SPF and DKIM: the From domain (or a whole From value, to try
// several authors), the SPF-checked MAIL FROM domain and its result, each DKIM signature's d=
// and result, the client address (for dmarc.trusted_forwarders). Prints the discovery trace
// (each DNS query and its answer), the record applied, the alignment of each identifier, the
// Authentication-Results resinfo and the action under dmarc.enforce. Exit status: 0 pass,
// 1 fail, 2 none or permerror, 75 temperror. DNS as in `postseal verify`: --dns-zone FILE or
// --dns SERVER[@PORT], else [dns] of -c (or /etc/postseal/postseal.toml when present), else
// /etc/resolv.conf. Untrusted input: DNS answers (printed through printable()) and the
// command-line values, checked before use.
#include "cli/commands.hpp"

#include "core/dmarc/auth_result.hpp"
#include "core/dmarc/options.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>

namespace postseal::cli {
namespace {

using namespace postseal::dmarc;

// kResultNames - the SPF and DKIM result names accepted (RFC 8601 2.7.1, 2.7.2).
constexpr std::string_view kResultNames[] = {"pass",      "fail",      "softfail", "neutral",
                                             "none",      "temperror", "permerror", "policy"};

struct DmarcArgs {
  std::string from;
  std::string spf_domain;
  std::string spf_result = "none";
  std::vector<std::string> dkim;
  std::string ip;
  std::string discovery;
  std::string enforce;
  std::string config_path;
  dns::ResolverOptions resolver;
};

std::string checked_result(std::string_view result, std::string_view option) {
  std::string lower = to_lower(result);
  for (std::string_view name : kResultNames) {
    if (lower == name) return lower;
  }
  throw usage_error(fmt::format("{}: unknown result '{}' (pass, fail, softfail, neutral, none, "
                                "temperror, permerror)", option, printable(result, 40)));
}

// build_message - the Message of the command line; usage errors for bad values.
Message build_message(const DmarcArgs& args) {
  Message m;
  // A bare domain stands for one author at that domain; a value with "@" is a From value.
  m.from_fields = {args.from.find('@') == std::string::npos ? "postmaster@" + args.from
                                                            : args.from};
  m.spf_domain = args.spf_domain;
  m.spf_pass = checked_result(args.spf_result, "--spf-result") == "pass";
  for (const std::string& item : args.dkim) {
    std::size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      throw usage_error(fmt::format("--dkim '{}': want DOMAIN:RESULT", printable(item, 80)));
    }
    m.dkim.push_back({item.substr(0, colon), "",
                      checked_result(item.substr(colon + 1), "--dkim") == "pass"});
  }
  if (!args.ip.empty()) {
    std::error_code ec;
    m.client = asio::ip::make_address(args.ip, ec);
    if (ec) throw usage_error(fmt::format("--ip '{}': not an IP address", printable(args.ip, 60)));
  }
  return m;
}

std::string describe(const Record& r) {
  std::string out = fmt::format("p={}", to_string(r.p));
  if (r.sp) out += fmt::format(" sp={}", to_string(*r.sp));
  if (r.np) out += fmt::format(" np={}", to_string(*r.np));
  out += fmt::format(" adkim={} aspf={} psd={} t={}", to_string(r.adkim), to_string(r.aspf),
                     to_string(r.psd), r.t ? "y" : "n");
  return out;
}

void print_author(const AuthorVerdict& a) {
  std::printf("author domain %s: %s\n", a.domain.c_str(), std::string(to_string(a.result)).c_str());
  if (a.discovery.status == Status::found || a.discovery.status == Status::permerror) {
    if (!a.discovery.policy_domain.empty()) {
      std::printf("  record: _dmarc.%s (%s) %s\n", a.discovery.policy_domain.c_str(),
                  a.discovery.author_record ? "the Author Domain's" : "inherited",
                  describe(a.discovery.record).c_str());
    }
    for (const auto& note : a.discovery.record.notes) std::printf("  note: %s\n", note.text.c_str());
  }
  if (a.result == Result::pass || a.result == Result::fail) {
    std::printf("  spf aligned: %s, dkim aligned: %s\n", a.spf_aligned ? "yes" : "no",
                a.dkim_aligned ? "yes" : "no");
  }
  if (a.policy) {
    std::printf("  policy: %s%s\n", std::string(to_string(*a.policy)).c_str(),
                a.effective != a.policy ? " (t=y: lowered one level)" : "");
  }
  if (!a.reason.empty() && a.result != Result::pass) {
    std::printf("  reason: %s\n", printable(a.reason).c_str());
  }
}

int exit_status(Result r) {
  switch (r) {
    case Result::pass: return 0;
    case Result::fail: return 1;
    case Result::temperror: return kExitTempFail;
    case Result::none:
    case Result::permerror: return 2;
  }
  return 2;
}

void print_verdict(const Verdict& v, const Settings& settings) {
  for (const auto& a : v.authors) print_author(a);
  std::printf("result: %s\n", format_result(v).c_str());
  std::string action(to_string(v.action));
  if (v.action == Action::reject) action += " (" + reject_reply(v) + ")";
  if (v.action == Action::defer) action += " (" + defer_reply(v) + ")";
  if (v.override_reason != Override::none) {
    action += fmt::format(", override={}", to_string(v.override_reason));
  }
  std::printf("action: %s (enforce = %s)\n", action.c_str(),
              std::string(to_string(settings.options.enforce)).c_str());
}

int run_dmarc(const DmarcArgs& args) {
  config::File file = config::File::load_or_default(args.config_path);
  dns::ResolverOptions resolver_options = args.resolver;
  dns::apply_config(file, resolver_options);
  Settings settings = settings_from_config(file);
  if (!args.discovery.empty()) settings.discovery = parse_mode(args.discovery, "--discovery");
  if (!args.enforce.empty()) settings.options.enforce = parse_enforce(args.enforce, "--enforce");
  Message message = build_message(args);
  std::optional<PublicSuffixList> psl;
  if (settings.discovery == Mode::psl) psl = load_public_suffix_list(settings.public_suffix_list);

  asio::io_context io;
  auto resolver = dns::make_resolver(io, resolver_options);
  Discovery discovery(*resolver, settings.discovery, psl ? &*psl : nullptr, Trace::on);
  Verdict verdict;
  asio::co_spawn(io, evaluate(message, settings.options, discovery),
                 [&](std::exception_ptr e, Verdict v) {
                   if (e) std::rethrow_exception(e);
                   verdict = std::move(v);
                 });
  io.run();
  std::printf("discovery: %s\n", std::string(to_string(settings.discovery)).c_str());
  for (const auto& step : discovery.trace()) {
    std::printf("query: %s -> %s\n", step.query.c_str(), step.answer.c_str());
  }
  print_verdict(verdict, settings);
  return exit_status(verdict.result);
}

}  // namespace

void add_dmarc_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<DmarcArgs>();
  auto* sub = app.add_subcommand(
      "dmarc",
      "Evaluate DMARC (RFC 9989) for one From domain with given SPF and DKIM results; print "
      "each DNS query of the policy discovery, the alignment and the verdict (exit 0: pass, "
      "1: fail, 2: none or permerror, 75: temperror)");
  sub->add_option("--from", args->from,
                  "the From domain (RFC5322.From), or a whole From value such as "
                  "'a@example.com, b@example.net' to try several authors (required)");
  sub->add_option("--spf-domain", args->spf_domain,
                  "the MAIL FROM domain SPF checked (RFC5321.MailFrom)");
  sub->add_option("--spf-result", args->spf_result,
                  "its SPF result: pass, fail, softfail, neutral, none, temperror, permerror "
                  "(default none)");
  sub->add_option("--dkim", args->dkim,
                  "a DKIM signature's d= and result, DOMAIN:RESULT (e.g. example.com:pass); "
                  "repeat for several signatures");
  sub->add_option("--ip", args->ip, "the SMTP client's address (checked against "
                                    "dmarc.trusted_forwarders)");
  sub->add_option("--discovery", args->discovery,
                  "treewalk (RFC 9989 DNS tree walk) or psl (RFC 7489 public suffix list); "
                  "default: dmarc.discovery from the config, else treewalk");
  sub->add_option("--enforce", args->enforce,
                  "policy, quarantine-only or monitor; default: dmarc.enforce, else policy");
  sub->add_option("-c,--config", args->config_path,
                  "config file for [dmarc] and [dns] (default /etc/postseal/postseal.toml if "
                  "present)");
  dns::add_resolver_options(sub, args->resolver);
  add_dmarc_report_command(*sub, run);
  add_dmarc_suppress_command(*sub, run);
  add_dmarc_bounce_command(*sub, run);
  sub->callback([&run, args, sub] {
    if (sub->got_subcommand("report") || sub->got_subcommand("suppress") ||
        sub->got_subcommand("bounce"))
      return;
    if (args->from.empty())
      throw usage_error("dmarc: --from is required (or: postseal dmarc report | suppress | bounce)");
    run = [args] { return run_dmarc(*args); };
  });
}

}  // namespace postseal::cli

// dns_check_command.cpp - `postseal dns-check`: do the published DKIM key records match the
// local keys, and is the domain's DMARC record sound and aligned with our signer's d=
// (keys/dmarc_lint.hpp)? The resolver is the one the daemons use: --dns/--dns-zone, else
// [dns] of -c (or /etc/postseal/postseal.toml when present), else /etc/resolv.conf; the DMARC
// discovery mode is dmarc.discovery of the same file unless --discovery says otherwise, and
// the signer's domains are its signer.domain[] tables.
//
// Untrusted input: command-line values (keys/names.cpp) and DNS answers (keys/dns_check.cpp,
// keys/dmarc_lint.cpp). Exit codes: 0 every record matches and the DMARC lint found no
// problem, 1 something to fix, 78 a key or config file is unusable.
#include "keys/commands.hpp"

#include "core/dmarc/options.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"
#include "keys/dmarc_lint.hpp"
#include "keys/dns_check.hpp"
#include "core/dkim/key_names.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

namespace postseal::keys {
namespace {

struct DnsCheckArgs {
  std::string config_path;  // [dns] from here (default /etc/postseal/postseal.toml if present)
  std::string domain;
  std::vector<std::string> keys;  // SELECTOR:KEYFILE
  std::string discovery;          // --discovery, else dmarc.discovery
  dns::ResolverOptions dns;
};

struct Results {
  std::vector<KeyCheck> keys;
  DmarcLint dmarc;
};

// check_all - look up every key's record in turn, then lint the DMARC record.
asio::awaitable<Results> check_all(dns::Resolver& resolver, std::string domain,
                                   std::vector<std::pair<std::string, std::shared_ptr<const crypto::PrivateKey>>> keys,
                                   dmarc::Mode mode, const dmarc::PublicSuffixList* psl,
                                   std::vector<SignerDomain> signers) {
  Results out;
  for (auto& [selector, key] : keys) out.keys.push_back(co_await check_key(resolver, domain, selector, key));
  out.dmarc = co_await lint_dmarc(resolver, mode, psl, domain, std::move(signers));
  co_return out;
}

void print_dmarc(const DmarcLint& lint) {
  std::printf("_dmarc.%s: %s\n", lint.domain.c_str(), lint.has_problem() ? "problems" : "ok");
  for (const auto& step : lint.trace) std::printf("  query: %s -> %s\n", step.query.c_str(), step.answer.c_str());
  for (const auto& f : lint.findings) {
    std::printf("  %s: %s: %s\n", std::string(to_string(f.severity)).c_str(), f.tag.c_str(), f.text.c_str());
  }
}

int run_dns_check(const DnsCheckArgs& a) {
  if (auto err = dkim::check_domain(a.domain)) throw usage_error("--domain: " + *err);
  std::vector<std::pair<std::string, std::shared_ptr<const crypto::PrivateKey>>> keys;
  for (const auto& spec : a.keys) {
    std::size_t colon = spec.find(':');
    if (colon == std::string::npos) throw usage_error(fmt::format("--key {}: use SELECTOR:KEYFILE", spec));
    std::string selector = spec.substr(0, colon);
    if (auto err = dkim::check_selector(selector)) throw usage_error("--key: " + *err);
    auto key = crypto::PrivateKey::load(spec.substr(colon + 1));
    if (!key) throw config_error(key.error());
    keys.emplace_back(selector, *key);
  }
  dns::ResolverOptions options = a.dns;
  config::File file = config::File::load_or_default(a.config_path);
  dns::apply_config(file, options);
  dmarc::Settings settings = dmarc::settings_from_config(file);
  if (!a.discovery.empty()) settings.discovery = dmarc::parse_mode(a.discovery, "--discovery");
  std::optional<dmarc::PublicSuffixList> psl;
  if (settings.discovery == dmarc::Mode::psl) psl = dmarc::load_public_suffix_list(settings.public_suffix_list);
  asio::io_context io;
  auto resolver = dns::make_resolver(io, options);
  Results results;
  std::exception_ptr failure;
  asio::co_spawn(io, check_all(*resolver, postseal::to_lower(a.domain), std::move(keys), settings.discovery, psl ? &*psl : nullptr, signer_domains(file)),
                 [&](std::exception_ptr e, Results r) {
                   failure = e;
                   results = std::move(r);
                 });
  io.run();
  if (failure) std::rethrow_exception(failure);
  bool all_ok = true;
  for (const auto& r : results.keys) {
    all_ok = all_ok && r.status == CheckStatus::ok;
    if (r.status == CheckStatus::ok) {
      std::printf("%s: ok\n", r.name.c_str());
    } else {
      std::printf("%s: %s: %s\n", r.name.c_str(), std::string(to_string(r.status)).c_str(), r.detail.c_str());
    }
  }
  print_dmarc(results.dmarc);
  return all_ok && !results.dmarc.has_problem() ? kExitOk : 1;
}

}  // namespace

void add_dns_check_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("dns-check", "Check that the published DKIM key records match the local keys and "
                                               "lint the domain's DMARC record");
  sub->footer(
      "Looks up SELECTOR._domainkey.DOMAIN for every --key and says, per key: ok, missing,\n"
      "revoked (p= empty), mismatch (another key is published), wrong key type, bad record or a\n"
      "DNS error, with what to do. Then finds the DMARC record that applies to DOMAIN as\n"
      "receivers do (RFC 9989 tree walk, or the public suffix list with dmarc.discovery = \"psl\")\n"
      "and says where it came from, what is wrong or ignored in it tag by tag, whether external\n"
      "rua/ruf destinations accept the reports, and whether the d= our signer uses for DOMAIN\n"
      "(signer.domain[] of -c) aligns with it under adkim. Exit 0 when every record matches and\n"
      "the DMARC lint found no problem, 1 otherwise.\n"
      "Example: postseal dns-check -c /etc/postseal/postseal.toml --domain example.com --key s2026:/etc/postseal/keys/s2026.private");
  auto a = std::make_shared<DnsCheckArgs>();
  sub->add_option("--domain", a->domain, "signing domain (d=)")->required();
  sub->add_option("--key", a->keys, "SELECTOR:KEYFILE; repeat for more keys (none: DMARC lint only)");
  sub->add_option("--discovery", a->discovery,
                  "treewalk (RFC 9989) or psl (RFC 7489 public suffix list); default: "
                  "dmarc.discovery from the config, else treewalk");
  sub->add_option("-c,--config", a->config_path,
                  "postseal.toml whose [dns] section says which resolver to ask, [dmarc] how to "
                  "discover policies and signer.domain[] which d= we sign with (default "
                  "/etc/postseal/postseal.toml if present)");
  dns::add_resolver_options(sub, a->dns);
  sub->callback([&run, a] { run = [a] { return run_dns_check(*a); }; });
}

}  // namespace postseal::keys

// dns_check_command.cpp - `postseal dns-check`: do the published DKIM key records match the
// local keys? The resolver is the one the daemons use: --dns/--dns-zone, else [dns] of -c (or
// /etc/postseal/postseal.toml when present), else /etc/resolv.conf.
//
// Untrusted input: command-line values (keys/names.cpp) and DNS answers (keys/dns_check.cpp).
// Exit codes: 0 every record matches, 1 something to fix, 78 a key or config file is unusable.
#include "keys/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "keys/dns_check.hpp"
#include "keys/names.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

namespace postseal::keys {
namespace {

struct DnsCheckArgs {
  std::string config_path;  // [dns] from here (default /etc/postseal/postseal.toml if present)
  std::string domain;
  std::vector<std::string> keys;  // SELECTOR:KEYFILE
  dns::ResolverOptions dns;
};

// check_all - look up every key's record in turn.
asio::awaitable<std::vector<KeyCheck>> check_all(dns::Resolver& resolver, std::string domain,
                                                 std::vector<std::pair<std::string, std::shared_ptr<const crypto::PrivateKey>>> keys) {
  std::vector<KeyCheck> out;
  for (auto& [selector, key] : keys) out.push_back(co_await check_key(resolver, domain, selector, key));
  co_return out;
}

int run_dns_check(const DnsCheckArgs& a) {
  if (auto err = check_domain(a.domain)) throw usage_error("--domain: " + *err);
  std::vector<std::pair<std::string, std::shared_ptr<const crypto::PrivateKey>>> keys;
  for (const auto& spec : a.keys) {
    std::size_t colon = spec.find(':');
    if (colon == std::string::npos) throw usage_error(fmt::format("--key {}: use SELECTOR:KEYFILE", spec));
    std::string selector = spec.substr(0, colon);
    if (auto err = check_selector(selector)) throw usage_error("--key: " + *err);
    auto key = crypto::PrivateKey::load(spec.substr(colon + 1));
    if (!key) throw config_error(key.error());
    keys.emplace_back(selector, *key);
  }
  dns::ResolverOptions options = a.dns;
  dns::apply_config(config::File::load_or_default(a.config_path), options);
  asio::io_context io;
  auto resolver = dns::make_resolver(io, options);
  std::vector<KeyCheck> results;
  std::exception_ptr failure;
  asio::co_spawn(io, check_all(*resolver, a.domain, std::move(keys)),
                 [&](std::exception_ptr e, std::vector<KeyCheck> r) {
                   failure = e;
                   results = std::move(r);
                 });
  io.run();
  if (failure) std::rethrow_exception(failure);
  bool all_ok = true;
  for (const auto& r : results) {
    all_ok = all_ok && r.status == CheckStatus::ok;
    if (r.status == CheckStatus::ok) {
      std::printf("%s: ok\n", r.name.c_str());
    } else {
      std::printf("%s: %s: %s\n", r.name.c_str(), std::string(to_string(r.status)).c_str(), r.detail.c_str());
    }
  }
  return all_ok ? kExitOk : 1;
}

}  // namespace

void add_dns_check_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("dns-check", "Check that the published DKIM key records match the local keys");
  sub->footer(
      "Looks up SELECTOR._domainkey.DOMAIN for every --key and says, per key: ok, missing,\n"
      "revoked (p= empty), mismatch (another key is published), wrong key type, bad record or a\n"
      "DNS error, with what to do. Exit 0 when every record matches, 1 otherwise.\n"
      "Example: postseal dns-check --domain example.com --key s2026:/etc/postseal/keys/s2026.private");
  auto a = std::make_shared<DnsCheckArgs>();
  sub->add_option("--domain", a->domain, "signing domain (d=)")->required();
  sub->add_option("--key", a->keys, "SELECTOR:KEYFILE; repeat for more keys")->required();
  sub->add_option("-c,--config", a->config_path,
                  "postseal.toml whose [dns] section says which resolver to ask (default "
                  "/etc/postseal/postseal.toml if present)");
  dns::add_resolver_options(sub, a->dns);
  sub->callback([&run, a] { run = [a] { return run_dns_check(*a); }; });
}

}  // namespace postseal::keys

// commands.cpp - the keys folder's subcommands: `postseal keygen`, `postseal dns-check`.
//
// Untrusted input: command-line values (validated by keys/names.cpp before anything is
// written or looked up) and, for dns-check, DNS answers (keys/dns_check.cpp). Exit codes:
// keygen 64 bad usage or names, 73 a file exists or cannot be created; dns-check 0 every
// record matches, 1 something to fix, 78 a key file is unusable.
#include "keys/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "keys/dns_check.hpp"
#include "keys/keygen.hpp"
#include "keys/names.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <vector>

namespace postseal::keys {

namespace {

struct KeygenArgs {
  KeygenRequest request;
  std::string type = "rsa";
  std::string dir = ".";
  bool json = false;
  bool domainkeys = false;  // the key will also sign DomainKeys (RFC 4870): RSA only
};

constexpr const char* kKeygenHelp =
    "Make a DKIM key pair. Writes DIR/SELECTOR.private (PEM, mode 0600, never overwrites an\n"
    "existing file) and DIR/SELECTOR.txt, and prints the TXT record to publish at\n"
    "SELECTOR._domainkey.DOMAIN (quoted strings of at most 255 octets; paste it into your\n"
    "zone or DNS provider). Then point the signer at the key (signer.domain[] in\n"
    "postseal.toml) and check the record with `postseal dns-check`. The daemons reread keys\n"
    "on reload as the user they dropped to: give the key to it with --owner (postseal in the\n"
    "Debian package).\n"
    "Example: postseal keygen --domain example.com --selector s2026 --dir /etc/postseal/keys --owner postseal";

// run_keygen - the command body; errors are StartupErrors with the file or name at fault.
int run_keygen(KeygenArgs& a) {
  if (a.type == "ed25519") {
    if (a.domainkeys) throw usage_error("--domainkeys: DomainKeys (RFC 4870) has no Ed25519; use --type rsa");
    a.request.type = crypto::KeyType::ed25519;
  } else if (a.type != "rsa") {
    throw usage_error(fmt::format("--type {}: use rsa or ed25519", a.type));
  }
  a.request.dir = a.dir;
  if (auto err = check_request(a.request)) throw usage_error(*err);
  auto result = keygen(a.request);
  if (!result) throw StartupError(kExitCantCreate, result.error());
  std::fputs((a.json ? json(result->record) : zone_line(result->record)).c_str(), stdout);
  std::fprintf(stderr, "postseal: wrote %s (mode 0600%s%s) and %s\n", result->private_file.c_str(),
               a.request.owner.empty() ? "" : ", owner ", a.request.owner.c_str(), result->txt_file.c_str());
  if (a.domainkeys) {
    // The record's v=DKIM1; k=rsa; p= is accepted by DomainKeys verifiers too (Mail::DKIM's
    // and ours); it must not gain h=sha256, which would shut DomainKeys' SHA-1 out.
    std::fprintf(stderr, "postseal: selector %s serves both DKIM and DomainKeys with this record\n",
                 a.request.selector.c_str());
  }
  return kExitOk;
}

void add_keygen(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("keygen", "Make a DKIM key pair and print the TXT record to publish");
  sub->footer(kKeygenHelp);
  auto a = std::make_shared<KeygenArgs>();
  sub->add_option("--domain", a->request.domain, "signing domain (d=), e.g. example.com")->required();
  sub->add_option("--selector", a->request.selector, "selector (s=), e.g. s2026; names the files")->required();
  sub->add_option("--type", a->type, "key type: rsa or ed25519")->capture_default_str();
  sub->add_option("--bits", a->request.bits, fmt::format("RSA key size, {} to {}", crypto::kMinRsaBits, kMaxRsaBits))
      ->capture_default_str();
  sub->add_option("--dir", a->dir, "directory for SELECTOR.private and SELECTOR.txt")->capture_default_str();
  sub->add_option("--owner", a->request.owner, "USER[:GROUP] to own the private key (the daemons' user)");
  sub->add_flag("--json", a->json, "print the record as JSON {name, type, value} instead");
  sub->add_flag("--domainkeys", a->domainkeys,
                "the key also signs DomainKeys (RFC 4870): RSA only; the same record serves both");
  sub->callback([&run, a] { run = [a] { return run_keygen(*a); }; });
}

struct DnsCheckArgs {
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
  asio::io_context io;
  auto resolver = dns::make_resolver(io, a.dns);
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

void add_dns_check(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("dns-check", "Check that the published DKIM key records match the local keys");
  sub->footer(
      "Looks up SELECTOR._domainkey.DOMAIN for every --key and says, per key: ok, missing,\n"
      "revoked (p= empty), mismatch (another key is published), wrong key type, bad record or a\n"
      "DNS error, with what to do. Exit 0 when every record matches, 1 otherwise.\n"
      "Example: postseal dns-check --domain example.com --key s2026:/etc/postseal/keys/s2026.private");
  auto a = std::make_shared<DnsCheckArgs>();
  sub->add_option("--domain", a->domain, "signing domain (d=)")->required();
  sub->add_option("--key", a->keys, "SELECTOR:KEYFILE; repeat for more keys")->required();
  dns::add_resolver_options(sub, a->dns);
  sub->callback([&run, a] { run = [a] { return run_dns_check(*a); }; });
}

}  // namespace

void add_commands(CLI::App& app, Runner& run) {
  add_keygen(app, run);
  add_dns_check(app, run);
}

std::span<const config::Key> config_keys() { return {}; }

}  // namespace postseal::keys

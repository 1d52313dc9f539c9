// keygen_command.cpp - `postseal keygen`: a DKIM key pair and the TXT record to publish.
//
// Untrusted input: command-line values (validated by keys/names.cpp before anything is
// written). Exit codes: 64 bad usage or names, 73 a file exists or cannot be created.
#include "keys/commands.hpp"

#include "core/util/errors.hpp"
#include "keys/keygen.hpp"
#include "core/dkim/key_names.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

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

}  // namespace

void add_keygen_command(CLI::App& app, Runner& run) {
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

}  // namespace postseal::keys

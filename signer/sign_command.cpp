// sign_command.cpp - `postseal sign`: add DKIM-Signature fields to a message on stdin.
//
// RFC 6376 5 (signer actions), RFC 8463 (ed25519-sha256), RFC 8301 (rsa-sha256 only). A
// debug tool like dkimpy's dkimsign: reads one message (LF or CRLF; bare LF becomes CRLF, at
// most kMaxSignInputBytes), signs it with every --key SELECTOR:KEYFILE (the key type picks
// a=; an RSA and an Ed25519 key give dual signing with the body hashed once) and writes it
// to stdout with CRLF line ends and the signatures prepended. Untrusted input: the message
// (header block parsed by core/mail/header.hpp with its limits). With --domainkeys nofws|simple
// a DomainKey-Signature (RFC 4870, rsa-sha1) made with the RSA key goes above the DKIM
// signatures; when the sender rules (RFC 4870 3.3) cannot be met the reason goes to stderr and
// the message is still DKIM-signed. Key files are checked like
// the daemon checks them (mode, size, type, RSA >= 1024 bits; under 2048 a warning on
// stderr). Exit codes: 64 usage,
// 65 message not signable (no or several From, bad header), 66/74 input, 78 key at fault.
#include "core/crypto/private_key.hpp"
#include "core/dkim/canonicalize.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/signature_writer.hpp"
#include "core/domainkeys/dk_signer.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "core/dkim/key_names.hpp"
#include "signer/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace postseal::signer {

namespace {

// kMaxSignInputBytes - the largest message `postseal sign` reads.
constexpr std::size_t kMaxSignInputBytes = 256 * 1024 * 1024;

struct SignArgs {
  std::string domain;
  std::vector<std::string> keys;  // SELECTOR:KEYFILE
  std::string canon = "relaxed/relaxed";
  std::string headers;            // From:To:...
  std::optional<std::int64_t> timestamp;
  std::optional<std::int64_t> expire;
  std::string domainkeys;         // "", "nofws" or "simple"
};

// read_message - stdin with bare LF turned into CRLF.
std::string read_message() {
  std::string out;
  char buf[64 * 1024];
  bool last_cr = false;
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    if (out.size() + n > kMaxSignInputBytes) {
      throw StartupError(kExitDataErr, fmt::format("message larger than {} bytes", kMaxSignInputBytes));
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n' && !last_cr) out += '\r';
      out += buf[i];
      last_cr = buf[i] == '\r';
    }
  }
  if (std::ferror(stdin)) throw StartupError(kExitIoErr, "cannot read the message from stdin");
  return out;
}

// parse_canon - "relaxed/simple" or one word (RFC 6376 3.5 c=: body defaults to simple).
std::pair<dkim::Canon, dkim::Canon> parse_canon(std::string_view text) {
  auto one = [&](std::string_view w) {
    if (auto canon = dkim::parse_canon_name(w)) return *canon;
    throw usage_error(fmt::format("--canon {}: use simple or relaxed, as HEADER/BODY", printable(text)));
  };
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return {one(text), dkim::Canon::simple};
  return {one(text.substr(0, slash)), one(text.substr(slash + 1))};
}

// load_keys - every --key SELECTOR:KEYFILE, loaded and checked once.
std::vector<dkim::SignerKey> load_keys(const SignArgs& a) {
  if (auto err = dkim::check_domain(a.domain)) throw usage_error("--domain: " + *err);
  std::vector<dkim::SignerKey> out;
  for (const auto& spec : a.keys) {
    std::size_t colon = spec.find(':');
    if (colon == std::string::npos) throw usage_error(fmt::format("--key {}: use SELECTOR:KEYFILE", printable(spec)));
    std::string selector = spec.substr(0, colon);
    if (auto err = dkim::check_selector(selector)) throw usage_error("--key: " + *err);
    auto key = crypto::PrivateKey::load(spec.substr(colon + 1));
    if (!key) throw config_error(key.error());
    if (auto w = crypto::size_warning(**key, spec.substr(colon + 1))) log::warning("{}", *w);
    out.push_back({a.domain, selector, *key});
  }
  return out;
}

dkim::SignOptions sign_options(const SignArgs& a) {
  dkim::SignOptions o;
  std::tie(o.header_canon, o.body_canon) = parse_canon(a.canon);
  if (!a.headers.empty()) o.headers = dkim::split_header_list(a.headers);
  if (a.timestamp && *a.timestamp < 0) {
    throw usage_error("--timestamp: seconds since the epoch, not negative (RFC 6376 3.5 t=)");
  }
  if (a.expire) {
    if (*a.expire <= 0) throw usage_error("--expire: a positive number of seconds");
    o.expire_seconds = *a.expire;
  }
  return o;
}

// make_dk_signer - the DomainKeys signer for --domainkeys, with the first RSA key; nullptr
// (and a note on stderr) when there is none.
std::unique_ptr<domainkeys::DkSigner> make_dk_signer(const SignArgs& a,
                                                     const std::vector<dkim::SignerKey>& keys) {
  if (a.domainkeys.empty()) return nullptr;
  domainkeys::DkSignOptions o;
  auto canon = domainkeys::parse_canon(a.domainkeys);
  if (!canon) throw usage_error(fmt::format("--domainkeys {}: use nofws or simple", printable(a.domainkeys)));
  o.canon = *canon;
  for (const auto& k : keys) {
    if (k.key->type() == crypto::KeyType::rsa) {
      return std::make_unique<domainkeys::DkSigner>(k.domain, k.selector, k.key, o);
    }
  }
  std::fputs("postseal sign: no DomainKey-Signature: DomainKeys needs an RSA key (none given)\n", stderr);
  return nullptr;
}

int run_sign(const SignArgs& a) {
  auto keys = load_keys(a);
  auto dk = make_dk_signer(a, keys);
  auto options = sign_options(a);
  std::string message = read_message();
  std::size_t end = message.starts_with("\r\n") ? 0 : message.find("\r\n\r\n");
  std::string_view block = end == std::string::npos ? std::string_view(message) : std::string_view(message).substr(0, end == 0 ? 0 : end + 2);
  std::string_view body = end == std::string::npos ? std::string_view() : std::string_view(message).substr(end == 0 ? 2 : end + 4);
  auto fields = mail::parse_header_block(block);
  if (!fields) throw StartupError(kExitDataErr, fmt::format("message header: {}", mail::to_string(fields.error())));
  SystemClock system_clock;
  FixedClock fixed_clock(a.timestamp.value_or(0));
  const Clock& clock = a.timestamp ? static_cast<const Clock&>(fixed_clock) : system_clock;
  dkim::MessageSigner signer(std::move(keys), options, clock);
  signer.body(body);
  auto signatures = signer.finish(*fields);
  if (!signatures) throw StartupError(kExitDataErr, fmt::format("not signed: {}", dkim::to_string(signatures.error())));
  if (dk) {
    dk->headers(*fields);
    dk->body(body);
    auto dk_field = dk->finish(*fields);
    if (dk_field) {
      std::fwrite(dk_field->data(), 1, dk_field->size(), stdout);
    } else {
      std::fputs(fmt::format("postseal sign: no DomainKey-Signature: {}\n", printable(dk_field.error())).c_str(), stderr);
    }
  }
  std::fwrite(signatures->data(), 1, signatures->size(), stdout);
  std::fwrite(block.data(), 1, block.size(), stdout);
  std::fputs("\r\n", stdout);
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (std::fflush(stdout) != 0) throw StartupError(kExitIoErr, "cannot write the signed message");
  return kExitOk;
}

constexpr const char* kSignHelp =
    "Reads a message on stdin (LF or CRLF line ends) and writes it signed to stdout (CRLF),\n"
    "DKIM-Signature fields first, one per --key. Keys are PEM files made by `postseal keygen`\n"
    "(mode 0600; RSA of at least 1024 bits or Ed25519). Give an RSA and an Ed25519 key for\n"
    "dual signing. Without --headers, h= lists RFC 6376 5.4.1's fields that are present and\n"
    "oversigns From, To, Cc, Subject, Date, Message-ID, Reply-To, Content-Type, MIME-Version,\n"
    "and List-Unsubscribe and List-Unsubscribe-Post when present (RFC 8058 4).\n"
    "Example: postseal sign --domain example.com --key s2026:/etc/postseal/keys/s2026.private\n"
    "           < message.eml > signed.eml";

}  // namespace

void add_sign_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("sign", "Sign a message from stdin with DKIM (debug tool, like dkimsign)");
  sub->footer(kSignHelp);
  auto a = std::make_shared<SignArgs>();
  sub->add_option("--domain", a->domain, "signing domain (d=)")->required();
  sub->add_option("--key", a->keys, "SELECTOR:KEYFILE; repeat for dual signing")->required();
  sub->add_option("--canon", a->canon, "canonicalization HEADER/BODY: simple or relaxed")->capture_default_str();
  sub->add_option("--headers", a->headers, "colon-separated h= list (From is always included)");
  sub->add_option("--timestamp", a->timestamp, "t= value (Unix seconds) instead of now");
  sub->add_option("--expire", a->expire, "add x= = t= + SECONDS");
  sub->add_option("--domainkeys", a->domainkeys,
                  "also add a DomainKey-Signature (RFC 4870) with the RSA key: nofws or simple");
  sub->callback([&run, a] { run = [a] { return run_sign(*a); }; });
}

}  // namespace postseal::signer

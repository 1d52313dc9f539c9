// message_signer.cpp - sign one message with one or more keys (RFC 6376 5, RFC 8463, RFC 8301).
//
// Untrusted input: the message's header fields and body. The body is canonicalized and hashed
// once (one BodyHasher per body canonicalization, shared by every key), so dual signing does
// not hash twice and memory stays O(1) in the body size. The header list defaults to RFC 6376
// 5.4.1's recommended fields and RFC 8058 4's List-Unsubscribe-Post present in the message,
// plus the oversigned set (count + 1, so an added From/Subject/... breaks the signature; listed
// even when absent), plus List-Unsubscribe and List-Unsubscribe-Post oversigned only when
// present (RFC 8058 4 says they MUST be signed; a message without them gets no entry for them).
// docs/security.md 16. Exactly one From or SignError. Never l=.
#include "core/dkim/message_signer.hpp"

#include "core/dkim/canonicalize.hpp"
#include "core/dkim/signature_writer.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>

namespace postseal::dkim {

namespace {

// kRecommendedFields - RFC 6376 5.4.1's list, signed when present, and RFC 8058 4's
// List-Unsubscribe-Post (which MUST be signed when present) beside List-Unsubscribe.
constexpr std::array<std::string_view, 21> kRecommendedFields = {
    "From", "Reply-To", "Subject", "Date", "To", "Cc", "Resent-Date", "Resent-From",
    "Resent-Sender", "Resent-To", "Resent-Cc", "In-Reply-To", "References", "List-Id",
    "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe", "List-Post",
    "List-Owner", "List-Archive"};

// kOversignedFields - listed once more than they occur, present or not (docs/security.md 16).
constexpr std::array<std::string_view, 9> kOversignedFields = {
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "Content-Type", "MIME-Version"};

// kOversignedWhenPresent - listed once more than they occur when they occur, else not at all:
// RFC 8058 4's one-click unsubscribe fields, so none can be added after signing.
constexpr std::array<std::string_view, 2> kOversignedWhenPresent = {"List-Unsubscribe",
                                                                    "List-Unsubscribe-Post"};

template <std::size_t N>
bool listed_in(const std::array<std::string_view, N>& fields, std::string_view name) {
  for (auto f : fields) {
    if (iequals(f, name)) return true;
  }
  return false;
}

// entries - how many times h= names `name`: its count, plus one if oversigned.
std::size_t entries(const std::vector<mail::HeaderField>& headers, std::string_view name) {
  std::size_t count = mail::count_fields(headers, name);
  bool extra =
      listed_in(kOversignedFields, name) || (count > 0 && listed_in(kOversignedWhenPresent, name));
  return count + (extra ? 1 : 0);
}

// default_header_list - the names for h=, in a stable order.
std::vector<std::string> default_header_list(const std::vector<mail::HeaderField>& headers) {
  std::vector<std::string> names;
  auto add = [&](std::string_view name) {
    std::size_t n = entries(headers, name);
    for (std::size_t i = 0; i < n; ++i) names.emplace_back(name);
  };
  for (auto name : kRecommendedFields) add(name);
  for (auto name : kOversignedFields) {
    if (!listed_in(kRecommendedFields, name)) add(name);
  }
  return names;
}

}  // namespace

Algorithm algorithm_for(const crypto::PrivateKey& key) {
  return key.type() == crypto::KeyType::rsa ? Algorithm::rsa_sha256 : Algorithm::ed25519_sha256;
}

std::string_view algorithm_name(const crypto::PrivateKey& key) {
  return to_string(algorithm_for(key));
}

std::string_view to_string(SignError e) {
  switch (e) {
    case SignError::no_from: return "message has no From header field";
    case SignError::multiple_from: return "message has more than one From header field";
    case SignError::crypto_failure: return "signing failed in OpenSSL";
  }
  return "signing failed";
}

struct MessageSigner::State {
  std::vector<SignerKey> keys;
  SignOptions options;
  const Clock* clock;
  BodyHasher body;
  State(std::vector<SignerKey> k, SignOptions o, const Clock& c)
      : keys(std::move(k)), options(std::move(o)), clock(&c), body(options.body_canon, EVP_sha256()) {}

  // header_list - h= for this message: as configured (From added if missing) or the default.
  std::vector<std::string> header_list(const std::vector<mail::HeaderField>& headers) const {
    if (options.headers.empty()) return default_header_list(headers);
    std::vector<std::string> names = options.headers;
    bool has_from = false;
    for (const auto& n : names) has_from = has_from || iequals(n, "From");
    if (!has_from) names.insert(names.begin(), "From");
    return names;
  }

  // signature - what to sign with key `k`: every tag but b=.
  Signature signature(const SignerKey& k, std::vector<std::string> h, std::string bh) const {
    Signature sig;
    sig.a = algorithm_for(*k.key);
    sig.header_canon = options.header_canon;
    sig.body_canon = options.body_canon;
    sig.d = k.domain;
    sig.s = k.selector;
    sig.i_written = !options.identity.empty();
    sig.i = sig.i_written ? options.identity : "@" + k.domain;
    std::int64_t now = clock->now();
    if (options.timestamp) sig.t = now;
    if (options.expire_seconds) sig.x = now + *options.expire_seconds;
    sig.h = std::move(h);
    sig.bh = std::move(bh);
    return sig;
  }
};

MessageSigner::MessageSigner(std::vector<SignerKey> keys, SignOptions options, const Clock& clock)
    : state_(std::make_unique<State>(std::move(keys), std::move(options), clock)) {}
MessageSigner::~MessageSigner() = default;
MessageSigner::MessageSigner(MessageSigner&&) noexcept = default;
MessageSigner& MessageSigner::operator=(MessageSigner&&) noexcept = default;

void MessageSigner::body(std::string_view chunk) { state_->body.update(chunk); }

std::expected<std::string, SignError> MessageSigner::finish(const std::vector<mail::HeaderField>& headers) {
  std::size_t from_count = mail::count_fields(headers, "From");
  if (from_count == 0) return std::unexpected(SignError::no_from);
  if (from_count > 1) return std::unexpected(SignError::multiple_from);
  std::string bh = state_->body.finish();
  std::vector<std::string> h = state_->header_list(headers);
  std::string out;
  for (const auto& k : state_->keys) {
    Signature sig = state_->signature(k, h, bh);
    auto field = sign_signature(k.key, sig, headers);
    if (!field) return std::unexpected(field.error());
    out += *field;
  }
  return out;
}

}  // namespace postseal::dkim

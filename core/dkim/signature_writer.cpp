// signature_writer.cpp - render, fold and sign a DKIM-Signature (see signature_writer.hpp).
#include "core/dkim/signature_writer.hpp"

#include "core/crypto/base64.hpp"
#include "core/crypto/key_contexts.hpp"
#include "core/dkim/header_hash.hpp"
#include "core/mail/header_folder.hpp"
#include "core/mail/tag_list.hpp"

#include <fmt/format.h>

#include <memory>

namespace postseal::dkim {

namespace {

constexpr std::string_view kFieldName = "DKIM-Signature";

// append_header_list - "h=a:b:c;" (or "h=a : b : c;") broken between names where the line
// is full.
void append_header_list(mail::HeaderFolder& f, const std::vector<std::string>& names,
                        bool spaced) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    bool last = i + 1 == names.size();
    std::string piece = (i == 0 ? "h=" : "") + names[i] + (last ? ";" : spaced ? " :" : ":");
    if (i == 0 || spaced) {
      f.word(piece);
    } else {
      f.piece(piece);
    }
  }
}

// render_until_b - the field folded up to "b=" (on lines of its own, so deleting its value
// leaves the signed text, RFC 6376 3.7); the folder goes on with b='s value.
mail::HeaderFolder render_until_b(const Signature& sig) {
  mail::HeaderFolder f(kFieldName, " ");
  f.word("v=" + std::to_string(sig.v) + ";");
  f.word("a=" + std::string(to_string(sig.a)) + ";");
  f.word(fmt::format("c={}/{};", to_string(sig.header_canon), to_string(sig.body_canon)));
  f.word("d=" + sig.d + ";");
  if (sig.i_written) f.word("i=" + sig.i + ";");
  if (sig.q_written) f.word("q=" + sig.q + ";");
  f.word("s=" + sig.s + ";");
  if (sig.t) f.word(fmt::format("t={};", *sig.t));
  if (sig.x) f.word(fmt::format("x={};", *sig.x));
  append_header_list(f, sig.h, sig.h_spaced);
  if (sig.l) f.word(fmt::format("l={};", *sig.l));
  if (!sig.z.empty()) f.word("z=" + mail::strip_fws(sig.z) + ";");
  f.word("bh=" + crypto::base64_encode(sig.bh) + ";");
  f.break_line();
  f.piece("b=");
  return f;
}

// unsigned_input - what is signed, from the field rendered up to an empty b=.
std::string unsigned_input(const Signature& sig, const mail::HeaderFolder& until_b,
                           const std::vector<mail::HeaderField>& headers) {
  std::string field = until_b.finish();
  field.resize(field.size() - 2);  // the field without its CRLF, as a parsed field's raw text
  return header_hash_input(sig, headers, field);
}

// sign_data - rsa-sha256 (RFC 8301) or ed25519-sha256 (RFC 8463 3: PureEdDSA over the SHA-256
// digest) over the signed data; RSA signs the same digest (PKCS#1 v1.5, RFC 8017 8.2.1).
std::expected<std::string, SignError> sign_data(const crypto::PrivateKey& key,
                                                const crypto::KeyContexts& contexts,
                                                std::string_view data) {
  std::string digest = crypto::sha256_digest(data);
  auto sig = key.type() == crypto::KeyType::ed25519 ? contexts.sign_ed25519(digest)
                                                    : contexts.sign_rsa_sha256(digest);
  if (!sig) return std::unexpected(SignError::crypto_failure);
  return std::move(*sig);
}

// sign_with - sign `sig` with the key and its contexts; the folded field (rendered once: the
// signed form is the field up to "b=", and b='s value is folded onto it).
std::expected<std::string, SignError> sign_with(const crypto::PrivateKey& key,
                                                const crypto::KeyContexts& contexts, Signature& sig,
                                                const std::vector<mail::HeaderField>& headers) {
  mail::HeaderFolder f = render_until_b(sig);
  auto b = sign_data(key, contexts, unsigned_input(sig, f, headers));
  if (!b) return std::unexpected(b.error());
  sig.b = std::move(*b);
  f.fill(crypto::base64_encode(sig.b));
  return f.finish();
}

}  // namespace

std::string render_signature(const Signature& sig) {
  mail::HeaderFolder f = render_until_b(sig);
  f.fill(crypto::base64_encode(sig.b));
  return f.finish();
}

std::vector<std::string> split_header_list(std::string_view h) {
  std::vector<std::string> names;
  for (auto name : mail::split_colon_list(h)) {
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

std::string signing_input(const Signature& sig, const std::vector<mail::HeaderField>& headers) {
  return unsigned_input(sig, render_until_b(sig), headers);  // sig.b plays no part
}

std::expected<std::string, SignError> sign_signature(const crypto::PrivateKey& key,
                                                     Signature& sig,
                                                     const std::vector<mail::HeaderField>& headers) {
  return sign_with(key, crypto::KeyContexts(key.pkey()), sig, headers);
}

std::expected<std::string, SignError> sign_signature(
    const std::shared_ptr<const crypto::PrivateKey>& key, Signature& sig,
    const std::vector<mail::HeaderField>& headers) {
  return sign_with(*key, *crypto::for_private_key(key), sig, headers);
}

}  // namespace postseal::dkim

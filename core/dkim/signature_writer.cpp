// signature_writer.cpp - render, fold and sign a DKIM-Signature (see signature_writer.hpp).
#include "core/dkim/signature_writer.hpp"

#include "core/crypto/base64.hpp"
#include "core/dkim/header_hash.hpp"
#include "core/mail/header_folder.hpp"
#include "core/mail/tag_list.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

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

// sign_data - rsa-sha256 (RFC 8301) or ed25519-sha256 (RFC 8463 3) over the signed data.
std::expected<std::string, SignError> sign_data(const crypto::PrivateKey& key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  const EVP_MD* md = EVP_sha256();
  const unsigned char* input = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t input_len = data.size();
  if (key.type() == crypto::KeyType::ed25519) {
    SHA256(input, input_len, digest);
    input = digest;
    input_len = sizeof digest;
    md = nullptr;  // PureEdDSA over the digest
  }
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.pkey()) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, input, input_len) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, input, input_len) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  sig.resize(len);
  return sig;
}

}  // namespace

std::string render_signature(const Signature& sig) {
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
  f.break_line();  // b= on lines of its own: deleting its value leaves the signed text
  f.piece("b=");
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
  Signature unsigned_sig = sig;
  unsigned_sig.b.clear();
  std::string field = render_signature(unsigned_sig);
  field.resize(field.size() - 2);  // the field without its CRLF, as a parsed field's raw text
  return header_hash_input(unsigned_sig, headers, field);
}

std::expected<std::string, SignError> sign_signature(const crypto::PrivateKey& key,
                                                     Signature& sig,
                                                     const std::vector<mail::HeaderField>& headers) {
  auto b = sign_data(key, signing_input(sig, headers));
  if (!b) return std::unexpected(b.error());
  sig.b = std::move(*b);
  return render_signature(sig);
}

}  // namespace postseal::dkim

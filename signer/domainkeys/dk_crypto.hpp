// dk_crypto.hpp - the rsa-sha1 pieces of RFC 4870 (3.3 signing, 3.6 verification) on OpenSSL 3.
//
// A streaming SHA-1 over the canonical message, PKCS#1 v1.5 RSA signatures over its digest,
// base64 for b= and p=, and RSA public keys from p= (DER SubjectPublicKeyInfo, or a bare
// PKCS#1 RSAPublicKey as some old DomainKeys records have). Untrusted input: b= and p= text.
// Limits: kMaxBase64Octets of text decoded; keys over kMaxRsaBits are refused by callers.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace postseal::domainkeys {

// kMaxBase64Octets - the longest b= or p= text decoded (an RSA-8192 key is about 1.5 KB).
inline constexpr std::size_t kMaxBase64Octets = 16 * 1024;

// Sha1Stream - SHA-1 of everything passed to update().
class Sha1Stream {
 public:
  Sha1Stream();
  ~Sha1Stream();
  Sha1Stream(Sha1Stream&& other) noexcept;
  Sha1Stream& operator=(Sha1Stream&&) = delete;
  Sha1Stream(const Sha1Stream&) = delete;
  void update(std::string_view data);
  std::string finish();  // the 20-octet digest

 private:
  EVP_MD_CTX* ctx_;
};

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const;
};
using PublicKeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// rsa_sha1_sign - the PKCS#1 v1.5 signature of a SHA-1 digest; unexpected on OpenSSL failure.
std::expected<std::string, std::string> rsa_sha1_sign(EVP_PKEY* key, std::string_view digest);
// rsa_sha1_verify - true when `signature` is key's signature of `digest`.
bool rsa_sha1_verify(EVP_PKEY* key, std::string_view digest, std::string_view signature);
// parse_rsa_public_key - DER (SPKI or PKCS#1) -> an RSA key; the error says why not.
std::expected<PublicKeyPtr, std::string> parse_rsa_public_key(std::string_view der);
int key_bits(EVP_PKEY* key);

std::string base64_encode(std::string_view octets);
// base64_decode - FWS ignored; nullopt on other characters, bad padding or too much input.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postseal::domainkeys

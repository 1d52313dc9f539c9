// dk_crypto.hpp - the rsa-sha1 pieces of RFC 4870 (3.3 signing, 3.6 verification) on OpenSSL 3.
//
// A streaming SHA-1 over the canonical message and PKCS#1 v1.5 RSA signatures over its digest.
// Base64 and the RSA public key of p= come from core/crypto (the parser DKIM uses, with its
// exponent check). Untrusted input: b= and p= text. Limits: kMaxBase64Octets of b= or p= text
// decoded; keys over kMaxRsaBits are refused by callers.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
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

// rsa_sha1_sign - the PKCS#1 v1.5 signature of a SHA-1 digest; unexpected on OpenSSL failure.
std::expected<std::string, std::string> rsa_sha1_sign(EVP_PKEY* key, std::string_view digest);
// rsa_sha1_verify - true when `signature` is key's signature of `digest`.
bool rsa_sha1_verify(EVP_PKEY* key, std::string_view digest, std::string_view signature);
int key_bits(EVP_PKEY* key);

}  // namespace postseal::domainkeys

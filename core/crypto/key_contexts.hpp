// key_contexts.hpp - sign and verify with one key through OpenSSL contexts set up once.
//
// OpenSSL 3 looks the signature algorithm and the digest up again each time a context is set
// up (EVP_DigestSignInit, EVP_DigestVerifyInit: locks and table searches, measured at about a
// fifth of an RSA-2048 verification). KeyContexts keeps the contexts it has set up for its
// key and lends each to one caller at a time (thread-safe), so a key pays the set-up once per
// concurrent user instead of once per signature. Algorithms: RSASSA-PKCS1-v1_5 over a SHA-256
// digest (RFC 8017 8.2, RFC 6376 3.3.1), the same operation EVP_DigestSign/Verify with SHA-256
// performs; Ed25519 (RFC 8032 5.1.6-7) over the message given (DKIM gives it the SHA-256
// digest of the signed data, RFC 8463 3). Untrusted input: signatures and signed data from
// messages (OpenSSL checks their lengths against the key). Limits: at most kMaxIdleContexts
// idle contexts per key; for_private_key() remembers at most kMaxSigningKeys keys, by a weak
// reference: the contexts of a key that was dropped (a reload, a rotation) are freed when the
// next key is looked up for the first time.
#pragma once

#include "core/crypto/private_key.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace postseal::crypto {

inline constexpr std::size_t kMaxIdleContexts = 16;
inline constexpr std::size_t kMaxSigningKeys = 256;
inline constexpr std::size_t kSha256Octets = 32;

class KeyContexts {
 public:
  // KeyContexts - for `key` (RSA or Ed25519; the caller checked which), held by a reference.
  explicit KeyContexts(EVP_PKEY* key);
  ~KeyContexts();
  KeyContexts(const KeyContexts&) = delete;
  KeyContexts& operator=(const KeyContexts&) = delete;

  // verify_rsa_sha256 - `signature` is the PKCS#1 v1.5 signature of this SHA-256 digest.
  bool verify_rsa_sha256(std::string_view digest, std::string_view signature) const;
  // verify_ed25519 - `signature` is the Ed25519 signature of `message`.
  bool verify_ed25519(std::string_view message, std::string_view signature) const;
  // sign_rsa_sha256 - the PKCS#1 v1.5 signature of a SHA-256 digest; nullopt if OpenSSL fails.
  std::optional<std::string> sign_rsa_sha256(std::string_view digest) const;
  // sign_ed25519 - the Ed25519 signature of `message`; nullopt if OpenSSL fails.
  std::optional<std::string> sign_ed25519(std::string_view message) const;

 private:
  // Idle - contexts not lent out, one list per kind of operation.
  struct Idle {
    std::vector<EVP_PKEY_CTX*> rsa_verify, rsa_sign;
    std::vector<EVP_MD_CTX*> ed_verify, ed_sign;
  };
  EVP_PKEY_CTX* take_rsa(bool sign) const;
  void give_rsa(bool sign, EVP_PKEY_CTX* ctx) const;
  EVP_MD_CTX* take_ed(bool sign) const;
  void give_ed(bool sign, EVP_MD_CTX* ctx) const;

  EVP_PKEY* key_;
  mutable std::mutex mutex_;
  mutable Idle idle_;
};

// for_private_key - the process-wide KeyContexts of a signing key, made on first use.
std::shared_ptr<const KeyContexts> for_private_key(const std::shared_ptr<const PrivateKey>& key);

// sha256_digest - SHA-256 of `data` (32 octets).
std::string sha256_digest(std::string_view data);

}  // namespace postseal::crypto

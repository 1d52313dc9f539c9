// digest.cpp - SHA-256 fetched once (see digest.hpp).
#include "core/crypto/digest.hpp"

#include <openssl/evp.h>

namespace postseal::crypto {

const EVP_MD* sha256() {
  static const EVP_MD* const md = [] {
    const EVP_MD* f = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return f != nullptr ? f : EVP_sha256();
  }();
  return md;
}

const EVP_MD* fetched(const EVP_MD* md) { return md == EVP_sha256() ? sha256() : md; }

}  // namespace postseal::crypto

// public_key.cpp - RSA and Ed25519 public keys from key records (see public_key.hpp).
#include "core/crypto/public_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace postseal::crypto {

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

PublicKey wrap(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// decode_whole - SPKI, else PKCS#1 RSAPublicKey; nullptr unless one consumes all of `der`.
PublicKey decode_whole(std::string_view der) {
  const unsigned char* p = bytes(der);
  PublicKey key = wrap(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != bytes(der) + der.size()) {
    p = bytes(der);
    key = wrap(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
    if (key && p != bytes(der) + der.size()) key.reset();
  }
  ERR_clear_error();  // a failed attempt leaves entries behind
  return key;
}

// usable_exponent - e is odd, >= 3 and <= kMaxRsaPublicExponent.
bool usable_exponent(const EVP_PKEY* key) {
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) return false;
  bool ok = BN_num_bits(e) <= 64 && BN_is_odd(e);
  if (ok) {
    std::uint64_t value = BN_get_word(e);
    ok = value >= 3 && value <= kMaxRsaPublicExponent;
  }
  BN_free(e);
  return ok;
}

}  // namespace

std::string_view to_string(PublicKeyError e) {
  switch (e) {
    case PublicKeyError::not_a_key: return "not a valid public key";
    case PublicKeyError::unsupported_exponent: return "unsupported RSA public exponent";
  }
  return "bad public key";
}

std::expected<PublicKey, PublicKeyError> parse_rsa_public_key(std::string_view der) {
  PublicKey key = decode_whole(der);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return std::unexpected(PublicKeyError::not_a_key);
  }
  if (!usable_exponent(key.get())) return std::unexpected(PublicKeyError::unsupported_exponent);
  return key;
}

std::expected<PublicKey, PublicKeyError> parse_ed25519_public_key(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeyOctets) return std::unexpected(PublicKeyError::not_a_key);
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw), raw.size());
  ERR_clear_error();
  if (key == nullptr) return std::unexpected(PublicKeyError::not_a_key);
  return wrap(key);
}

}  // namespace postseal::crypto

// public_key.hpp - decode the public key of a DKIM or DomainKeys key record (p=), once.
//
// RFC 6376 3.6.1 (p= is base64 DER), RFC 4870 3.2.3 (the same for DomainKeys), RFC 8463 4
// (k=ed25519: p= is the raw 32-octet key), RFC 8017 A.1.1 (RSAPublicKey). RSA keys come as
// SubjectPublicKeyInfo (what everyone publishes) or a bare PKCS#1 RSAPublicKey (some old
// records); the DER must be consumed to its last octet. Untrusted input: DER from DNS.
// Limits: the RSA public exponent must be odd, at least 3 and at most kMaxRsaPublicExponent,
// checked before any RSA operation (a 3070-bit exponent makes each verification ~170 times
// dearer, docs/security.md finding 4); key size limits are the callers' (they differ).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace postseal::crypto {

// kMaxRsaPublicExponent - 2^32; larger exponents are refused (BoringSSL refuses over 33 bits).
inline constexpr std::uint64_t kMaxRsaPublicExponent = std::uint64_t{1} << 32;
// kEd25519PublicKeyOctets - RFC 8032 5.1.5: an Ed25519 public key is 32 octets.
inline constexpr std::size_t kEd25519PublicKeyOctets = 32;

enum class PublicKeyError {
  not_a_key,             // not DER of the expected kind, trailing octets, wrong algorithm
  unsupported_exponent,  // RSA e even, below 3 or above kMaxRsaPublicExponent
};
// to_string - "not a valid public key", "unsupported RSA public exponent".
std::string_view to_string(PublicKeyError e);

using PublicKey = std::shared_ptr<EVP_PKEY>;

// parse_rsa_public_key - DER (SPKI or PKCS#1) -> an RSA key with a usable exponent.
std::expected<PublicKey, PublicKeyError> parse_rsa_public_key(std::string_view der);
// parse_ed25519_public_key - the raw 32 octets -> an Ed25519 key.
std::expected<PublicKey, PublicKeyError> parse_ed25519_public_key(std::string_view raw);

}  // namespace postseal::crypto

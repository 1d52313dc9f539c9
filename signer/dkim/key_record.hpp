// key_record.hpp - parse a DKIM key record (the TXT at selector._domainkey.domain).
//
// RFC 6376 3.6.1 (v= k= h= n= p= s= t=), RFC 8463 4 (k=ed25519: p= is the raw 32-octet public
// key), RFC 8301 (key sizes; the verifier checks bits against its minimum). Untrusted input:
// TXT text from DNS. Strict: v=, when present, is DKIM1 and the first tag; k= is rsa or
// ed25519 (anything else is a permerror); empty p= means the key is revoked; p= is decoded
// once into an EVP_PKEY (RSA as SubjectPublicKeyInfo or PKCS#1 RSAPublicKey). Limits: the
// record is at most kMaxKeyRecordOctets, RSA keys at most kMaxRsaBits.
#pragma once

#include "signer/dkim/verify_result.hpp"

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace postseal::dkim {

// kMaxKeyRecordOctets - a key record longer than this is refused (a 16384-bit RSA key fits).
inline constexpr std::size_t kMaxKeyRecordOctets = 4096;
// kMaxRsaBits - larger RSA keys cost too much CPU per verification (RFC 8301 3.2: 4096).
inline constexpr int kMaxRsaBits = 8192;

enum class KeyKind { rsa, ed25519 };

// KeyRecord - one parsed key record; names follow RFC 6376 3.6.1.
struct KeyRecord {
  std::string v = "DKIM1";
  std::string h;          // acceptable hash algorithms, empty = any
  KeyKind k = KeyKind::rsa;
  std::string n;          // notes (never logged)
  std::string s = "*";    // service types
  std::string t;          // flags: y (testing), s (strict i= domain)
  int bits = 0;           // key size
  std::shared_ptr<EVP_PKEY> key;
  bool allows_sha256() const;
  bool testing() const;
  bool strict() const;
};

// KeyRecordError - why a record is unusable: permerror with a reason ("key revoked", ...).
struct KeyRecordError {
  Result result = Result::permerror;
  std::string reason;
};

// parse_key_record - TXT text (strings already joined) -> KeyRecord.
std::expected<KeyRecord, KeyRecordError> parse_key_record(std::string_view text);

}  // namespace postseal::dkim

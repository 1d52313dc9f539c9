// key_record.hpp - parse and render a DKIM key record (the TXT at selector._domainkey.domain).
//
// RFC 6376 3.6.1 (v= k= h= n= p= s= t=), RFC 8463 4 (k=ed25519: p= is the raw 32-octet public
// key), RFC 8301 (key sizes; the verifier checks bits against its minimum). Untrusted input:
// TXT text from DNS. Strict: v=, when present, is DKIM1 and the first tag; k= is rsa or
// ed25519 (anything else is a permerror); empty p= means the key is revoked; p= is decoded
// once into an EVP_PKEY (RSA as SubjectPublicKeyInfo or PKCS#1 RSAPublicKey), with the
// OpenSSL contexts that verify with it (core/crypto/key_contexts.hpp). Limits: the
// record is at most kMaxKeyRecordOctets, RSA keys at most kMaxRsaBits, the RSA exponent as
// core/crypto/public_key.hpp allows. render_key_record() writes the record `postseal keygen`
// publishes; this file is the one place that knows the v=DKIM1 tags.
#pragma once

#include "core/crypto/key_contexts.hpp"
#include "core/dkim/verify_result.hpp"
#include "core/dns/resolver.hpp"

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
// to_string - the k= value: "rsa" or "ed25519".
std::string_view to_string(KeyKind k);

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
  std::shared_ptr<const crypto::KeyContexts> contexts;  // verifies with `key`, set up once
  bool allows_sha256() const;
  bool testing() const;
  bool strict() const;
};

// KeyRecordError - why a record is unusable: permerror with a reason ("key revoked", ...);
// failure is Failure::key_revoked for an empty p= (RFC 6376 6.1.2).
struct KeyRecordError {
  Result result = Result::permerror;
  std::string reason;
  Failure failure = Failure::none;
};

// parse_key_record - TXT text (strings already joined) -> KeyRecord.
std::expected<KeyRecord, KeyRecordError> parse_key_record(std::string_view text);

// key_name - where a key record lives: SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.2.1; RFC 4870
// 3.2.2 uses the same name for DomainKeys).
std::string key_name(std::string_view selector, std::string_view domain);

// key_lookup_failure - why a key lookup found no record, as the result reason: a temperror
// for a timeout or SERVFAIL, a permerror ("no key") for NXDOMAIN or no TXT record.
std::string key_lookup_failure(const dns::Answer& answer);

// render_key_record - "v=DKIM1; k=KIND; p=P" for a base64 public key `p` (one string; zone
// files split it, keys/txt_record.hpp).
std::string render_key_record(KeyKind k, std::string_view p);

}  // namespace postseal::dkim

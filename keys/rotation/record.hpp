// record.hpp - one key of a DKIM key rotation as the state store keeps it.
//
// The states (docs/key-rotation.md): pending (made, record not seen in DNS) -> published
// (SELECTOR._domainkey.DOMAIN seen, matching the key, RFC 6376 3.6.1/3.6.2.2) -> active (the
// signer signs with it) -> retiring (no longer signs, record kept published) -> revoked
// (record to be replaced by an empty p=, RFC 6376 3.6.1). Stored under kRecordPrefix +
// "DOMAIN:SELECTOR" as "name=value" lines. Untrusted input: a stored value (a shared Redis
// may hold anything): parse_record accepts only known names once each, validated domain and
// selector, canonical integers and an absolute key path; at most kMaxRecordOctets.
#pragma once

#include "core/crypto/private_key.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::rotation {

// kRecordPrefix - the store keys of rotation records; no other feature writes under it.
inline constexpr std::string_view kRecordPrefix = "keys.rotation:";
// kMaxRecordOctets - a stored record longer than this is refused (an 8192-bit RSA TXT value
// is about 1,400 octets; the store's own limit is state::kMaxValueOctets).
inline constexpr std::size_t kMaxRecordOctets = 4096;

enum class State { pending, published, active, retiring, revoked };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view text);

// parse_algorithm - "rsa" or "ed25519" (crypto::to_string's names, RFC 6376 k=, RFC 8463).
std::optional<crypto::KeyType> parse_algorithm(std::string_view text);

// Record - one rotated (or adopted) key. Times are seconds since the epoch.
struct Record {
  std::string d;          // signing domain, lower case
  std::string s;          // selector
  crypto::KeyType a = crypto::KeyType::rsa;
  State state = State::pending;
  std::int64_t created = 0;  // when rotate made (or adopted) it
  std::int64_t since = 0;    // when it entered `state`
  std::string file;          // the private key file, absolute
  std::string txt;           // the TXT value to publish ("" for an adopted key)

  bool operator==(const Record&) const = default;
};

// store_key - kRecordPrefix + "d:s".
std::string store_key(const Record& r);
// domain_prefix - kRecordPrefix + "d:", to scan one domain.
std::string domain_prefix(std::string_view domain);
// record_name - "s._domainkey.d", the owner name of the key record.
std::string record_name(const Record& r);
// format_record / parse_record - the stored text and back; parse says what is wrong.
std::string format_record(const Record& r);
std::expected<Record, std::string> parse_record(std::string_view text);

}  // namespace postseal::rotation

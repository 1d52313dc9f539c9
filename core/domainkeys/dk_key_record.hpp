// dk_key_record.hpp - DomainKeys public key records (RFC 4870 3.2.3) at s._domainkey.d.
//
// Tags: k= (key type, "rsa", the default), p= (base64 DER public key; an empty p= means the
// key was revoked), g= (granularity: the local part the key may sign for, "*" wildcard; empty
// or absent means any, as DomainKeys verifiers treat it), t= (flags; "y" = testing mode),
// n= (notes, ignored). A DKIM record (v=DKIM1; k=rsa; p=...) is also a valid DomainKeys
// record, unless its h= (RFC 6376 3.6.1) leaves out sha1, which Mail::DKIM honours too. Untrusted input: a DNS TXT record. Limits: kMaxKeyRecordOctets, and the tag-list
// limits of core/mail/tag_list.hpp.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::domainkeys {

inline constexpr std::size_t kMaxKeyRecordOctets = 8 * 1024;

// KeyRecord - a parsed key record, fields named after its tags.
struct KeyRecord {
  std::string k = "rsa";
  std::string p;  // base64, FWS removed; empty: revoked
  std::string g;  // empty: any local part
  bool testing = false;  // t=y
  bool allows_sha1 = true;  // false when a DKIM-style h= lists hashes without sha1
  bool revoked() const { return p.empty(); }
};

// parse_key_record - a TXT record's text; the error is a permerror reason.
std::expected<KeyRecord, std::string> parse_key_record(std::string_view text);

// granularity_matches - RFC 4870 3.2.3 g=: does `local_part` match `g` ("*" wildcard)?
bool granularity_matches(std::string_view g, std::string_view local_part);

}  // namespace postseal::domainkeys

// dk_signature.hpp - the DomainKey-Signature header field (RFC 4870 3.5): parse, select, render.
//
// Tags: a= (rsa-sha1, the default when absent, as verifiers in the field assume), b= (base64,
// FWS ignored), c= (simple | nofws, default simple), d= and s= (required; hostname syntax, so
// nothing odd reaches a DNS query), h= (optional colon-separated field names), q= (dns, the
// default). Unknown tags are ignored; a repeated tag is an error. Header selection follows
// 3.4 and what Mail::DKIM does: only the fields below the signature count; with h=, a name
// listed once selects every field of that name, a name listed k times selects them from the
// bottom up, in h= order. Untrusted input: the field value. Limits: kMaxSignatureFieldOctets,
// kMaxSignedHeaderNames, kMaxDomainOctets, kMaxLabelOctets (and the tag-list limits).
#pragma once

#include "core/domainkeys/dk_canon.hpp"
#include "core/mail/header.hpp"
#include "core/util/hostname.hpp"

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::domainkeys {

inline constexpr std::string_view kSignatureFieldName = "DomainKey-Signature";
inline constexpr std::size_t kMaxSignatureFieldOctets = 16 * 1024;
inline constexpr std::size_t kMaxSignedHeaderNames = mail::kMaxHeaderFields;

// DkSignature - a parsed DomainKey-Signature, fields named after its tags.
struct DkSignature {
  std::string a = "rsa-sha1";
  std::string b;  // base64 text, FWS removed
  DkCanon c = DkCanon::simple;
  std::string d;  // lower-cased, no final dot
  std::vector<std::string> h;  // lower-cased; empty: every field below the signature
  std::string q = "dns";
  std::string s;
};

// parse_signature - the value of a DomainKey-Signature field; the error is a permerror reason.
std::expected<DkSignature, std::string> parse_signature(std::string_view value);

// valid_hostname - LDH labels (and "_" for selectors) of 1..63 octets, 253 in all.
bool valid_hostname(std::string_view name, bool allow_underscore);

// signed_fields - the fields of `below` (the fields under the signature) that h= selects, in
// the order they are hashed.
std::vector<const mail::HeaderField*> signed_fields(const DkSignature& sig,
                                                    std::span<const mail::HeaderField> below);

// SignatureTags - what a signer puts in the field it renders.
struct SignatureTags {
  DkCanon c = DkCanon::nofws;
  std::string d;
  std::string s;
  std::vector<std::string> h;  // names as written; empty: no h= tag
  std::string b;               // base64
};
// render_signature_field - "DomainKey-Signature: a=rsa-sha1; ...b=..." folded, CRLF-ended.
std::string render_signature_field(const SignatureTags& tags);

}  // namespace postseal::domainkeys

// header_hash.hpp - the RFC 6376 3.7 header hash input, built once for signer and verifier.
//
// RFC 6376 3.7 (the selected header fields in h= order, then the DKIM-Signature field itself
// with the b= value deleted, canonicalized, without its final CRLF), 5.4.2 (a name listed k
// times takes that name's fields from the bottom up; a listed field that is not there hashes
// nothing). The signer renders its field with an empty b= and the verifier has the field with
// a b= value: both go through empty_b_value() here, so the two sides cannot drift apart.
// Untrusted input: the message's header fields and the signature field (already bounded by
// the header parser and the tag-list limits).
#pragma once

#include "core/dkim/signature.hpp"
#include "core/mail/header.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postseal::dkim {

// header_hash_input - the octets hashed for `sig`: the fields of `fields` that sig.h selects,
// then `signature_field` (raw, without final CRLF) with its b= value deleted, canonicalized
// with sig.header_canon.
std::string header_hash_input(const Signature& sig, const std::vector<mail::HeaderField>& fields,
                              std::string_view signature_field);

// empty_b_value - a DKIM-Signature field (raw) with the b= value deleted (RFC 6376 3.7).
std::string empty_b_value(std::string_view raw_field);

}  // namespace postseal::dkim

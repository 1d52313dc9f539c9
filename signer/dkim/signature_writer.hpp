// signature_writer.hpp - lay out, fold and sign one DKIM-Signature header field.
//
// RFC 6376 3.5 (the field), 3.7 (what is hashed: the signed header fields selected bottom-up
// in h= order, then this field with an empty b=, without its final CRLF), 5.4.2 (repeated
// and missing fields), RFC 8463 3 (ed25519-sha256 signs the SHA-256 of that data), RFC 8301
// (rsa-sha256 only). Folding: lines of at most kFoldColumns octets, b= last on lines of its
// own. Untrusted input: the message's header fields (hashed, never copied into the output).
#pragma once

#include "core/mail/header.hpp"
#include "keys/private_key.hpp"
#include "signer/dkim/message_signer.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::dkim {

// kFoldColumns - RFC 5322 2.1.1 recommends lines of at most 78 characters.
inline constexpr std::size_t kFoldColumns = 78;

// Tag - one tag=value of the layout, in the order it is written.
using Tag = std::pair<std::string, std::string>;

// render_signature - "DKIM-Signature: tags...; b=VALUE" folded, ending in CRLF (b_value may
// be empty: that is the form hashed by 3.7).
std::string render_signature(const std::vector<Tag>& tags, std::string_view b_value);

// algorithm_name - the a= value for a key: "rsa-sha256" or "ed25519-sha256".
std::string_view algorithm_name(const keys::PrivateKey& key);

// split_header_list - the h= value split on ':' with FWS trimmed ("from : to" -> from, to).
std::vector<std::string> split_header_list(std::string_view h);

// sign_with_layout - sign with an explicitly given tag layout (every tag but b=, bh= included,
// h= naming the fields to sign) and return the complete folded field with CRLF.
std::expected<std::string, SignError> sign_with_layout(const keys::PrivateKey& key, Canon header_canon,
                                                       const std::vector<Tag>& tags,
                                                       const std::vector<mail::HeaderField>& headers);

}  // namespace postseal::dkim

// base64.hpp - RFC 4648 4 base64, the one encoder and decoder of key material, DKIM b=/bh=/p=
// and DomainKeys b=/p=.
//
// Untrusted input: base64_decode() takes text from key files, DNS records and header fields.
// It ignores SP, HTAB, CR and LF anywhere (folded PEM, RFC 6376 2.4 base64string FWS),
// refuses any other octet outside the alphabet, a length that is not a multiple of 4, data
// after padding, more than two "=" and non-zero bits left over by the last symbol (RFC 4648
// 3.5: only one text encodes each octet string). Limit: the caller names the longest text it
// accepts (its own named constant); longer text is refused before any work.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::crypto {

// base64_encode - standard alphabet, padded, one line.
std::string base64_encode(std::string_view octets);
// base64_decode - whitespace ignored; nullopt when `text` is longer than max_text_octets or
// has a bad character, length, padding or trailing bits.
std::optional<std::string> base64_decode(std::string_view text, std::size_t max_text_octets);

}  // namespace postseal::crypto

// base64.hpp - RFC 4648 4 base64 for key material and DKIM b=/bh= values.
//
// Untrusted input: decode() takes text from key files and DNS records; it skips whitespace
// (folded PEM and tag values), rejects any other non-alphabet octet and bad padding, and
// refuses input longer than kMaxBase64Input octets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::keys {

// kMaxBase64Input - the longest text decode() accepts (an RSA-8192 key is ~6 KB).
inline constexpr std::size_t kMaxBase64Input = 64 * 1024;

// base64_encode - standard alphabet, padded, one line.
std::string base64_encode(std::string_view octets);
// base64_decode - whitespace ignored; nullopt on a bad character, length or padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postseal::keys

// netstring.hpp - netstrings (D. J. Bernstein, "Netstrings", 1997) as Postfix's socketmap
// table (socketmap_table(5)) frames its requests and replies: "LEN:DATA,".
//
// Untrusted input: bytes from a socketmap client. Limits: the length is decimal digits only
// (no sign, no "0x"), at most kMaxNetstringDigits digits, parsed with an overflow check and
// compared with the caller's maximum before any data is awaited; the parser never looks past
// the buffer it is given and has no side effects.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postseal::srs {

// kMaxNetstringDigits - digits accepted in a length ("99999999999999999999:" is refused).
inline constexpr std::size_t kMaxNetstringDigits = 9;

// NetstringParse - what the start of a buffer holds.
struct NetstringParse {
  enum class Status { complete, incomplete, error };
  Status status = Status::incomplete;
  std::string_view payload;  // complete: the data between ':' and ','
  std::size_t consumed = 0;  // complete: octets of the whole netstring
  std::string error;         // error: why
};

// parse_netstring - one netstring at the start of `buffer`, payload at most max_length octets.
NetstringParse parse_netstring(std::string_view buffer, std::size_t max_length);
// encode_netstring - "LEN:payload,".
std::string encode_netstring(std::string_view payload);

}  // namespace postseal::srs

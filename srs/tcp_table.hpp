// tcp_table.hpp - Postfix's tcp_table(5) lookup protocol, server side, as postsrsd 1.x speaks it.
//
// A request is one line "get KEY\n" with KEY %XX-encoded; the reply is one line: "200 VALUE"
// (found), "500 REASON" (not found, or a bad request), "400 REASON" (try again), each text
// %XX-encoded where needed. Untrusted input: the request line. Limits: a line of more than
// kMaxLineOctets octets (newline included) is answered 500 and skipped; a bad %XX escape is
// answered 500; only "get" is served ("put" is refused with 500).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::srs {

// kMaxLineOctets - longest request line, newline included.
inline constexpr std::size_t kMaxLineOctets = 4096;

// parse_tcp_request - the decoded key of a "get" line (without its '\n'; a '\r' before it is
// dropped), or a reason for a 500 reply.
std::expected<std::string, std::string> parse_tcp_request(std::string_view line);

// url_decode - %XX decoding as Postfix's tcp_table client encodes; nothing on a bad escape.
std::expected<std::string, std::string> url_decode(std::string_view in);
// url_encode - %XX-encode control characters, space, '%' and non-ASCII octets.
std::string url_encode(std::string_view in);

// tcp_reply - "CODE text\n" with the text encoded.
std::string tcp_reply(int code, std::string_view text);

}  // namespace postseal::srs

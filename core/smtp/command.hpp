// command.hpp - parse SMTP/LMTP commands a client sends (RFC 5321 4.1, RFC 1869 parameters,
// Postfix XFORWARD_README).
//
// Untrusted input: one command line without its CRLF. Limits: kMaxCommandLineOctets per line
// (RFC 5321 4.5.3.1.4 says 512; ESMTP parameters add more), kMaxPathOctets per address,
// kMaxXforwardValueOctets per XFORWARD value; NUL or other control bytes are refused. The
// parser has no side effects; it only says what the line means.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::smtp {

inline constexpr std::size_t kMaxCommandLineOctets = 4096;
inline constexpr std::size_t kMaxPathOctets = 512;           // RFC 5321 4.5.3.1.3 is 256
inline constexpr std::size_t kMaxXforwardValueOctets = 255;  // Postfix XFORWARD_README
// kMaxRecipients - recipients per transaction (RFC 5321 4.5.3.1.8 asks for 100 or more): RCPT
// commands the relay accepts, envelope recipients the milter remembers.
inline constexpr std::size_t kMaxRecipients = 1000;

enum class Verb { helo, ehlo, lhlo, mail, rcpt, data, rset, noop, quit, xforward, vrfy, help, unknown };

struct Command {
  Verb verb = Verb::unknown;
  std::string word;  // the verb as sent (printable in replies)
  std::string args;  // everything after the verb and one space
};

// parse_command - split the verb from its arguments; error: a text for "500 5.5.2 ...".
std::expected<Command, std::string> parse_command(std::string_view line);

// Path - MAIL FROM / RCPT TO: the address between < > (may be empty for the null sender)
// and the ESMTP parameters as written ("SIZE=123", "BODY=8BITMIME"), kept for relaying.
struct Path {
  std::string address;
  std::vector<std::string> parameters;
};
// parse_path - `prefix` is "FROM:" or "TO:"; error: a text for "501 5.5.4 ...".
std::expected<Path, std::string> parse_path(std::string_view args, std::string_view prefix);

// parameter_keyword - "SIZE" of "SIZE=123" (upper-cased).
std::string parameter_keyword(std::string_view parameter);
std::string_view parameter_value(std::string_view parameter);

// XforwardAttribute - one NAME=value pair, value still xtext-encoded as received.
using XforwardAttribute = std::pair<std::string, std::string>;
// parse_xforward - "NAME=mx ADDR=1.2.3.4 ..."; known names only, values <= 255 octets, valid
// xtext (RFC 3461 4); error: a text for "501 5.5.4 ...".
std::expected<std::vector<XforwardAttribute>, std::string> parse_xforward(std::string_view args);
// xtext_decode - RFC 3461 4 ("+HH" escapes); nullopt-like error for malformed text.
std::expected<std::string, std::string> xtext_decode(std::string_view text);

// is_queue_id - Postfix queue ids: short (hex) or long (base 52-ish alphanumerics).
bool is_queue_id(std::string_view s);

}  // namespace postseal::smtp

// header.hpp - the RFC 5322 header block as a list of fields, exactly as received.
//
// RFC 5322 2.2 (header fields), 2.2.3 (folding). Untrusted input: the header block of a
// message from a client or a file. Lines must end in CRLF (callers normalise bare LF first).
// A CR not followed by LF is refused (RFC 5322 2.2 allows none in a field): readers that split
// lines at a bare CR would see fields, such as a second From, that a DKIM signature did not
// cover.
// A field is its name, a colon and the value with its folded continuation lines; `raw` keeps
// the bytes untouched (DKIM "simple" needs them). Limits: kMaxHeaderFields fields,
// kMaxHeaderBlockBytes octets in all, kMaxLineOctets per line (RFC 5322 2.1.1: 998 + CRLF,
// we allow more because real mail breaks it, but not without bound).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::mail {

inline constexpr std::size_t kMaxHeaderFields = 1000;
inline constexpr std::size_t kMaxHeaderBlockBytes = 1024 * 1024;
inline constexpr std::size_t kMaxLineOctets = 64 * 1024;

// HeaderField - one field; raw = "Name: value\r\n\tcontinued" without the final CRLF.
struct HeaderField {
  std::string raw;
  // name - the field name as written (before the colon, trailing WSP removed).
  std::string_view name() const;
  // value - everything after the colon, folding kept.
  std::string_view value() const;
  bool is(std::string_view field_name) const;  // case-insensitive name match
};

enum class HeaderError {
  too_many_fields,
  too_large,
  line_too_long,
  no_colon,           // a line that is neither a field nor a continuation
  leading_continuation,
  nul_byte,
  bare_cr,            // a CR not followed by LF
};
std::string_view to_string(HeaderError e);

// has_bare_cr - `text` holds a CR that does not start a CRLF pair (refused by
// parse_header_block; the milter, which gets fields one by one, asks the same question).
bool has_bare_cr(std::string_view text);

// valid_field_name - RFC 5322 2.2: `name` (WSP around it ignored) is at least one printable
// US-ASCII character other than colon (parse_header_block's rule; the milter, which gets
// names one by one, asks the same question).
bool valid_field_name(std::string_view name);

// parse_header_block - split a CRLF-terminated header block (without the empty line that
// ends it) into fields.
std::expected<std::vector<HeaderField>, HeaderError> parse_header_block(std::string_view block);

// count_fields - how many fields are named `name` (case-insensitive).
std::size_t count_fields(const std::vector<HeaderField>& fields, std::string_view name);

}  // namespace postseal::mail

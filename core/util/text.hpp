// text.hpp - small, allocation-light helpers for untrusted text.
//
// printable() makes peer- or DNS-supplied text safe to log or to copy into a header or an SMTP
// reply: control characters (including CR, LF, NUL) and non-ASCII bytes become '?', and the
// result is truncated to a given length with "..." appended.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postseal {

// kDefaultPrintableLimit - how much untrusted text goes into a log line or reply by default.
inline constexpr std::size_t kDefaultPrintableLimit = 200;

std::string printable(std::string_view in, std::size_t limit = kDefaultPrintableLimit);
std::string to_lower(std::string_view in);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view in);  // strips SP and HTAB at both ends
bool starts_with_icase(std::string_view s, std::string_view prefix);
// has_control - `in` holds an ASCII control character (NUL, CR, LF, DEL...): what printable()
// replaces, and what an address handed to Postfix must never contain (it cuts at NUL).
bool has_control(std::string_view in);
// quoted_string - RFC 5322 3.2.4: `text` in double quotes, each '"' and backslash escaped with a
// backslash (the caller makes it printable first).
std::string quoted_string(std::string_view text);
// split_list - the items of a config list value separated by commas, spaces or tabs (empty
// items dropped): "a, b c" -> {"a", "b", "c"}.
std::vector<std::string_view> split_list(std::string_view text);

}  // namespace postseal

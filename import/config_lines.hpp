// config_lines.hpp - the one reader for the line-oriented config files `postseal import` reads.
//
// Four syntaxes, each with the rules of the program that reads it (and only those):
//   name_value   "Name value" (opendkim.conf(5), smf-spf.conf): a '#' anywhere ends the line,
//                the name is the first word, the value the rest of the line, trimmed.
//   name_equals  "Name = value" (policyd-spf.conf(5)): a '#' anywhere ends the line; the rest
//                must split on '=' into exactly two parts (policyd-spf skips other lines).
//   shell        "NAME=value" (/etc/default/postsrsd, sourced by sh): '#' starts a comment at
//                the start of a word; values may be quoted '...' or "..." ("\x" escapes);
//                "export NAME=value" is accepted. Command substitutions and $VAR are kept as
//                written (the caller reports them: they are not constants).
//   confuse      libconfuse (postsrsd 2's postsrsd.conf): name = value, "quoted" or bare, or a
//                list { "a", "b" } that may span lines; comments '#' and '//' outside quotes,
//                and /* ... */.
// Untrusted input: the file (local admin, but written for another program). Limits: lines of
// at most kMaxLineOctets (longer ones are reported as malformed, not read), kMaxSettings
// settings per file (the rest are reported once).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::migrate {

// kMaxLineOctets - a longer line is malformed (no config line of these tools comes close).
inline constexpr std::size_t kMaxLineOctets = 8192;
// kMaxSettings - settings read from one file; more are reported as not read.
inline constexpr std::size_t kMaxSettings = 10000;

enum class Syntax { name_value, name_equals, shell, confuse };

// Setting - one "name value" line: where it is, the name as written, the value unquoted.
struct Setting {
  std::size_t line = 0;
  std::string name;
  std::string value;              // the value (for a confuse list: the items joined by ", ")
  std::vector<std::string> list;  // confuse lists: the items; otherwise empty
  bool is_list = false;
  std::string file;  // set by an importer that follows includes; "" = the source
};

// Malformed - a line the tool itself would have skipped or refused, and why.
struct Malformed {
  std::size_t line = 0;
  std::string text;
  std::string why;
};

struct ReadSettings {
  std::vector<Setting> settings;
  std::vector<Malformed> malformed;
};

// read_settings - every setting of `text` in file order, by the rules of `syntax`.
ReadSettings read_settings(std::string_view text, Syntax syntax);

// split_items - the items of a list value separated by any of `separators`, each trimmed,
// empty ones dropped ("a, b,,c" -> a b c).
std::vector<std::string> split_items(std::string_view value, std::string_view separators);

}  // namespace postseal::migrate

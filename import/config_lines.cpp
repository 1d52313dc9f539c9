// config_lines.cpp - read "name value" config lines by the rules of their tool (see
// config_lines.hpp).
#include "import/config_lines.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

namespace postseal::migrate {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// valid_utf8 - `s` is UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : 9;
    if (n == 9 || i + n >= s.size()) return false;  // a bad lead byte, or the sequence is cut short
    std::uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string_view before_hash(std::string_view line) { return line.substr(0, line.find('#')); }

// Lines - the text split at LF, numbered from 1.
struct Line {
  std::size_t number;
  std::string_view text;
};

std::vector<Line> lines_of(std::string_view text) {
  std::vector<Line> out;
  std::size_t number = 1;
  while (!text.empty()) {
    auto lf = text.find('\n');
    out.push_back({number++, text.substr(0, lf)});
    text = lf == std::string_view::npos ? std::string_view{} : text.substr(lf + 1);
  }
  return out;
}

// name_value - "Name value": first word, then the rest trimmed (opendkim.conf(5)).
void name_value(const Line& l, ReadSettings& out) {
  auto s = trim(before_hash(l.text));
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return;
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  auto value = trim(s.substr(end));
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  out.settings.push_back({l.number, std::string(s.substr(0, end)), std::string(value), {}, false});
}

// name_equals - "Name = value", exactly one '=' (policyd-spf's _readConfigFile).
void name_equals(const Line& l, ReadSettings& out) {
  auto s = trim(before_hash(l.text));
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return;
  auto eq = s.find('=');
  if (eq == std::string_view::npos || s.find('=', eq + 1) != std::string_view::npos) {
    out.malformed.push_back({l.number, std::string(s),
                             eq == std::string_view::npos
                                 ? "no '=' (the tool ignores the line)"
                                 : "more than one '=' (the tool ignores the line)"});
    return;
  }
  auto name = trim(s.substr(0, eq));
  auto value = trim(s.substr(eq + 1));
  while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  out.settings.push_back({l.number, std::string(name), std::string(value), {}, false});
}

// shell_word - one sh word from `s` at `i` (quotes removed, "\x" escapes in double quotes and
// bare words); stops at unquoted blank. Sets `ok` false on an unclosed quote.
std::string shell_word(std::string_view s, std::size_t& i, bool& ok) {
  std::string out;
  while (i < s.size() && !is_space(s[i])) {
    char c = s[i];
    if (c == '\'') {
      auto end = s.find('\'', i + 1);
      if (end == std::string_view::npos) {
        ok = false;
        return out;
      }
      out.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size() &&
            std::string_view("\"\\$`").find(s[i + 1]) != std::string_view::npos)
          ++i;
        out += s[i++];
      }
      if (i >= s.size()) {
        ok = false;
        return out;
      }
      ++i;
    } else if (c == '`' || (c == '$' && i + 1 < s.size() && s[i + 1] == '(')) {
      auto end = s.find(c == '`' ? '`' : ')', i + 1);  // a command substitution, kept as written
      if (end == std::string_view::npos) {
        ok = false;
        return out;
      }
      out.append(s.substr(i, end + 1 - i));
      i = end + 1;
    } else if (c == '\\' && i + 1 < s.size()) {
      out += s[i + 1];
      i += 2;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// shell - NAME=value assignments (a file sourced by sh).
void shell(const Line& l, ReadSettings& out) {
  auto s = trim(l.text);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty() || s.front() == '#') return;
  if (s.starts_with("export ") || s.starts_with("export\t")) s = trim(s.substr(7));
  auto eq = s.find('=');
  auto name = s.substr(0, eq);
  bool identifier = eq != std::string_view::npos && eq > 0;
  for (char c : name)
    identifier = identifier && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!identifier) {
    out.malformed.push_back({l.number, std::string(s), "not a NAME=value assignment"});
    return;
  }
  std::size_t i = eq + 1;
  bool ok = true;
  std::string value = shell_word(s, i, ok);
  while (i < s.size() && is_space(s[i])) ++i;
  if (!ok) {
    out.malformed.push_back({l.number, std::string(s), "unclosed quote"});
    return;
  }
  if (i < s.size() && s[i] != '#') {
    out.malformed.push_back(
        {l.number, std::string(s), "more than one word after '=' (a command, not a setting)"});
    return;
  }
  out.settings.push_back({l.number, std::string(name), std::move(value), {}, false});
}

// strip_block_comments - /* ... */ replaced by blanks, line breaks kept (libconfuse).
std::string strip_block_comments(std::string_view text) {
  std::string out(text);
  bool quoted = false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '"' && (i == 0 || out[i - 1] != '\\')) quoted = !quoted;
    if (out[i] == '\n') quoted = false;
    if (quoted || out[i] != '/' || i + 1 >= out.size() || out[i + 1] != '*') continue;
    std::size_t end = out.find("*/", i + 2);
    end = end == std::string::npos ? out.size() : end + 2;
    for (std::size_t j = i; j < end; ++j)
      if (out[j] != '\n') out[j] = ' ';
    i = end - 1;
  }
  return out;
}

// confuse_value - a quoted string or a bare word, comments after it ignored.
struct Token {
  std::string text;
  bool ok = true;
};

Token confuse_scalar(std::string_view s, std::size_t& i) {
  Token t;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      t.text += s[i];
    }
    t.ok = i < s.size();
    if (t.ok) ++i;
    return t;
  }
  while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != '#' &&
         !(s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/'))
    t.text += s[i++];
  return t;
}

bool at_comment(std::string_view s, std::size_t i) {
  return i >= s.size() || s[i] == '#' || (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/');
}

// confuse_list - { a, "b" } starting at '{' (i); may continue on the following lines.
bool confuse_list(const std::vector<Line>& lines, std::size_t& li, std::size_t i, Setting& st) {
  st.is_list = true;
  std::string_view s = lines[li].text;
  ++i;  // past '{'
  for (;;) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    if (at_comment(s, i)) {
      if (++li >= lines.size() || !valid_utf8(lines[li].text)) return false;
      s = lines[li].text;
      i = 0;
      continue;
    }
    if (s[i] == '}') return true;
    Token t = confuse_scalar(s, i);
    if (!t.ok) return false;
    st.list.push_back(t.text);
  }
}

void confuse(const std::vector<Line>& lines, std::size_t& li, ReadSettings& out) {
  const Line& l = lines[li];
  std::string_view s = l.text;
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  if (at_comment(s, i)) return;
  std::size_t start = i;
  while (i < s.size() && !is_space(s[i]) && s[i] != '=') ++i;
  Setting st{l.number, std::string(s.substr(start, i - start)), "", {}, false};
  while (i < s.size() && is_space(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') {
    out.malformed.push_back({l.number, std::string(trim(s)), "no '=' after the option name"});
    return;
  }
  ++i;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i < s.size() && s[i] == '{') {
    if (!confuse_list(lines, li, i, st)) {
      out.malformed.push_back({l.number, std::string(trim(s)), "list without closing '}'"});
      return;
    }
    for (const auto& item : st.list) st.value += (st.value.empty() ? "" : ", ") + item;
  } else {
    Token t = confuse_scalar(s, i);
    while (i < s.size() && is_space(s[i])) ++i;
    if (!t.ok || !at_comment(s, i)) {
      out.malformed.push_back(
          {l.number, std::string(trim(s)), t.ok ? "text after the value" : "unclosed quote"});
      return;
    }
    st.value = t.text;
  }
  out.settings.push_back(std::move(st));
}

}  // namespace

ReadSettings read_settings(std::string_view text, Syntax syntax) {
  ReadSettings out;
  const std::string unblocked =
      syntax == Syntax::confuse ? strip_block_comments(text) : std::string();
  const auto lines = lines_of(syntax == Syntax::confuse ? std::string_view(unblocked) : text);
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const Line& l = lines[li];
    if (l.text.size() > kMaxLineOctets) {
      out.malformed.push_back(
          {l.number, std::string(l.text.substr(0, 60)),
           fmt::format("line longer than {} octets, not read", kMaxLineOctets)});
      continue;
    }
    if (!valid_utf8(l.text)) {
      out.malformed.push_back(
          {l.number, std::string(l.text.substr(0, 60)), "not UTF-8 (postseal.toml is): not read"});
      continue;
    }
    if (out.settings.size() >= kMaxSettings) {
      out.malformed.push_back(
          {l.number, "", fmt::format("more than {} settings: the rest is not read", kMaxSettings)});
      break;
    }
    switch (syntax) {
      case Syntax::name_value: name_value(l, out); break;
      case Syntax::name_equals: name_equals(l, out); break;
      case Syntax::shell: shell(l, out); break;
      case Syntax::confuse: confuse(lines, li, out); break;
    }
  }
  return out;
}

std::vector<std::string> split_items(std::string_view value, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= value.size()) {
    auto end = value.find_first_of(separators, i);
    if (end == std::string_view::npos) end = value.size();
    auto item = trim(value.substr(i, end - i));
    while (!item.empty() && is_space(item.back())) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    i = end + 1;
  }
  return out;
}

}  // namespace postseal::migrate

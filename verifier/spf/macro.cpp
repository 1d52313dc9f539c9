// macro.cpp - SPF macro expansion (RFC 7208 7; see macro.hpp for the limits).
#include "verifier/spf/macro.hpp"

#include "verifier/spf/spf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace postseal::spf {
namespace {

constexpr std::string_view kDelimiters = ".-+,/_=";

bool is_delimiter(char c) { return kDelimiters.find(c) != std::string_view::npos; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Macro - one parsed "%{...}" expression.
struct Macro {
  char letter = 0;       // lower case
  bool url_escape = false;
  int digits = 0;        // 0: keep all parts
  bool reverse = false;
  std::string delimiters;
};

bool letter_allowed(char letter, MacroMode mode) {
  if (std::string_view("slodiphv").find(letter) != std::string_view::npos) return true;
  return mode == MacroMode::explanation && std::string_view("crt").find(letter) != std::string_view::npos;
}

// parse_macro - parses text[pos..] just after "%{"; sets `end` past the closing brace.
std::expected<Macro, std::string> parse_macro(std::string_view text, std::size_t pos,
                                              MacroMode mode, std::size_t& end) {
  Macro m;
  if (pos >= text.size()) return std::unexpected("unterminated macro");
  const char raw = text[pos];
  m.letter = lower(raw);
  m.url_escape = raw >= 'A' && raw <= 'Z';
  if (!letter_allowed(m.letter, mode))
    return std::unexpected(fmt::format("invalid macro letter '{}'", raw));
  ++pos;
  bool have_digits = false;
  std::int64_t n = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    have_digits = true;
    n = std::min<std::int64_t>(n * 10 + (text[pos] - '0'), kMaxTransformerDigits + 1);
    ++pos;
  }
  if (have_digits && n == 0) return std::unexpected("macro transformer digit 0");
  m.digits = have_digits ? static_cast<int>(std::min<std::int64_t>(n, kMaxTransformerDigits)) : 0;
  if (pos < text.size() && lower(text[pos]) == 'r') {
    m.reverse = true;
    ++pos;
  }
  while (pos < text.size() && is_delimiter(text[pos])) m.delimiters.push_back(text[pos++]);
  if (pos >= text.size() || text[pos] != '}') return std::unexpected("malformed macro");
  end = pos + 1;
  return m;
}

std::string url_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                            (u >= '0' && u <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) out.push_back(c);
    else out += fmt::format("%{:02X}", u);
  }
  return out;
}

std::string letter_value(char letter, const MacroContext& ctx) {
  switch (letter) {
    case 's': return ctx.sender;
    case 'l': return ctx.local_part;
    case 'o': return ctx.sender_domain;
    case 'd': return ctx.domain;
    case 'i': return ip_dotted(ctx.ip);
    case 'p': return ctx.validated.empty() ? std::string("unknown") : ctx.validated;
    case 'v': return ctx.ip.is_v4() ? "in-addr" : "ip6";
    case 'h': return ctx.helo;
    case 'c': return ctx.ip.to_string();
    case 'r': return ctx.receiver.empty() ? std::string("unknown") : ctx.receiver;
    case 't': return fmt::format("{}", ctx.timestamp);
  }
  return {};
}

// transform - split on the delimiters, optionally reverse, keep the rightmost parts, join
// with '.' (RFC 7208 7.3).
std::string transform(std::string_view value, const Macro& m) {
  if (m.digits == 0 && !m.reverse && m.delimiters.empty()) return std::string(value);
  const std::string_view delims = m.delimiters.empty() ? std::string_view(".") : m.delimiters;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delims.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (m.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (m.digits > 0 && static_cast<std::size_t>(m.digits) < parts.size())
    first = parts.size() - static_cast<std::size_t>(m.digits);
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i > first) out.push_back('.');
    out.append(parts[i]);
  }
  return out;
}

bool literal_allowed(char c, MacroMode mode) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return mode == MacroMode::explanation;
  return u >= 0x21 && u <= 0x7e;
}

// walk - the one scanner behind check and expand; ctx == nullptr only checks syntax.
std::expected<std::string, std::string> walk(std::string_view text, const MacroContext* ctx,
                                             MacroMode mode) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '%') {
      if (!literal_allowed(c, mode))
        return std::unexpected(fmt::format("invalid character 0x{:02x} in macro-string",
                                           static_cast<unsigned char>(c)));
      out.push_back(c);
      ++i;
    } else if (i + 1 >= text.size()) {
      return std::unexpected("'%' at the end of a macro-string");
    } else if (text[i + 1] == '%' || text[i + 1] == '_' || text[i + 1] == '-') {
      out += text[i + 1] == '%' ? "%" : text[i + 1] == '_' ? " " : "%20";
      i += 2;
    } else if (text[i + 1] == '{') {
      std::size_t end = 0;
      auto m = parse_macro(text, i + 2, mode, end);
      if (!m) return std::unexpected(m.error());
      if (ctx != nullptr) {
        std::string v = transform(letter_value(m->letter, *ctx), *m);
        out += m->url_escape ? url_escape(v) : v;
      }
      i = end;
    } else {
      return std::unexpected(fmt::format("invalid macro '%{}'", text[i + 1]));
    }
    if (out.size() > kMaxMacroOutput) return std::unexpected("macro expansion too long");
  }
  return out;
}

}  // namespace

bool uses_p_macro(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i)
    if (text[i] == '%' && text[i + 1] == '{' && lower(text[i + 2]) == 'p') return true;
  return false;
}

bool check_macro_string(std::string_view text, MacroMode mode) {
  return walk(text, nullptr, mode).has_value();
}

std::expected<std::string, std::string> expand(std::string_view text, const MacroContext& ctx,
                                               MacroMode mode) {
  return walk(text, &ctx, mode);
}

std::expected<std::string, std::string> expand_domain(std::string_view spec,
                                                      const MacroContext& ctx) {
  auto out = walk(spec, &ctx, MacroMode::domain_spec);
  if (!out) return out;
  std::string name = std::move(*out);
  if (!name.empty() && name.back() == '.') name.pop_back();
  while (name.size() > kMaxDomainOctets) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) break;
    name.erase(0, dot + 1);
  }
  return name;
}

std::string ip_dotted(const asio::ip::address& ip) {
  if (ip.is_v4()) return ip.to_string();
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (auto b : ip.to_v6().to_bytes()) {
    if (!out.empty()) out.push_back('.');
    out.push_back(hex[b >> 4]);
    out.push_back('.');
    out.push_back(hex[b & 0x0f]);
  }
  return out;
}

std::string reverse_name(const asio::ip::address& ip) {
  Macro reverse;
  reverse.reverse = true;
  return transform(ip_dotted(ip), reverse) + (ip.is_v4() ? ".in-addr.arpa" : ".ip6.arpa");
}

}  // namespace postseal::spf

// record.cpp - the SPF record parser (RFC 7208 4.5, 5, 6, 12; see record.hpp).
#include "verifier/spf/record.hpp"

#include "core/util/text.hpp"
#include "verifier/spf/macro.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>

namespace postseal::spf {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// parse_cidr - "0" or a number without leading zeros, at most `max`.
std::expected<int, std::string> parse_cidr(std::string_view digits, int max) {
  if (!all_digits(digits) || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
    return std::unexpected(fmt::format("invalid CIDR length '/{}'", printable(digits, 40)));
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  if (n > max) return std::unexpected(fmt::format("CIDR length /{} out of range", n));
  return n;
}

// valid_toplabel - RFC 7208 12: ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).
bool valid_toplabel(std::string_view label) {
  if (label.empty()) return false;
  bool alpha = false;
  bool dash = false;
  for (char c : label) {
    if (c == '-') dash = true;
    else if (is_alpha(c)) alpha = true;
    else if (!is_digit(c)) return false;
  }
  if (dash) return is_alnum(label.front()) && is_alnum(label.back());
  return alpha;
}

// trailing_literal - the part of a macro-string after its last macro-expand.
std::string_view trailing_literal(std::string_view spec, bool& ends_with_macro) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%' || i + 1 >= spec.size()) continue;
    if (spec[i + 1] == '{') {
      const auto close = spec.find('}', i);
      if (close == std::string_view::npos) break;
      start = close + 1;
      i = close;
    } else {
      start = i + 2;
      ++i;
    }
  }
  ends_with_macro = start > 0 && start == spec.size();
  return spec.substr(start);
}

Qualifier qualifier_of(char c) {
  switch (c) {
    case '-': return Qualifier::fail;
    case '~': return Qualifier::softfail;
    case '?': return Qualifier::neutral;
    default: return Qualifier::pass;
  }
}

std::expected<void, std::string> parse_ip(Mechanism& m, std::string_view rest) {
  const bool v4 = m.kind == MechanismKind::ip4;
  if (rest.empty() || rest[0] != ':') return std::unexpected(fmt::format("'{}' needs an address", to_string(m.kind)));
  rest.remove_prefix(1);
  const auto slash = rest.find('/');
  const std::string addr(rest.substr(0, slash));
  // inet_pton reads a C string: an address with a NUL inside would be read up to it only
  if (addr.find('\0') != std::string::npos)
    return std::unexpected(fmt::format("invalid {} address '{}'", to_string(m.kind), printable(addr, 60)));
  if (slash != std::string_view::npos) {
    auto c = parse_cidr(rest.substr(slash + 1), v4 ? 32 : 128);
    if (!c) return std::unexpected(c.error());
    (v4 ? m.cidr4 : m.cidr6) = *c;
  }
  if (v4) {
    std::array<unsigned char, 4> b{};
    if (inet_pton(AF_INET, addr.c_str(), b.data()) != 1)
      return std::unexpected(fmt::format("invalid ip4 address '{}'", printable(addr, 60)));
    m.network = asio::ip::address_v4(b);
  } else {
    std::array<unsigned char, 16> b{};
    if (inet_pton(AF_INET6, addr.c_str(), b.data()) != 1)
      return std::unexpected(fmt::format("invalid ip6 address '{}'", printable(addr, 60)));
    m.network = asio::ip::address_v6(b);
  }
  return {};
}

// parse_dual_cidr - strips "/N", "//N" or "/N//M" from the end of `s` (a, mx).
std::expected<void, std::string> parse_dual_cidr(Mechanism& m, std::string_view& s) {
  auto slash = s.rfind('/');
  if (slash == std::string_view::npos || !all_digits(s.substr(slash + 1))) return {};
  if (slash > 0 && s[slash - 1] == '/') {
    auto c6 = parse_cidr(s.substr(slash + 1), 128);
    if (!c6) return std::unexpected(c6.error());
    m.cidr6 = *c6;
    s = s.substr(0, slash - 1);
    slash = s.rfind('/');
    if (slash == std::string_view::npos || !all_digits(s.substr(slash + 1))) return {};
  }
  auto c4 = parse_cidr(s.substr(slash + 1), 32);
  if (!c4) return std::unexpected(c4.error());
  m.cidr4 = *c4;
  s = s.substr(0, slash);
  return {};
}

std::expected<void, std::string> parse_target(Mechanism& m, std::string_view rest) {
  const bool required = m.kind == MechanismKind::include || m.kind == MechanismKind::exists;
  const bool cidr = m.kind == MechanismKind::a || m.kind == MechanismKind::mx;
  if (cidr) {
    auto r = parse_dual_cidr(m, rest);
    if (!r) return r;
  }
  if (rest.empty()) {
    if (required) return std::unexpected(fmt::format("'{}' needs a domain", to_string(m.kind)));
    return {};
  }
  if (rest[0] != ':')
    return std::unexpected(fmt::format("unexpected text after '{}'", to_string(m.kind)));
  rest.remove_prefix(1);
  if (!valid_domain_spec(rest))
    return std::unexpected(fmt::format("invalid domain-spec '{}'", printable(rest, 80)));
  m.domain_spec = std::string(rest);
  return {};
}

std::expected<Mechanism, std::string> parse_mechanism(std::string_view term) {
  Mechanism m;
  m.text = std::string(term);
  if (!term.empty() && std::string_view("+-~?").find(term[0]) != std::string_view::npos) {
    m.qualifier = qualifier_of(term[0]);
    term.remove_prefix(1);
  }
  const auto end = term.find_first_of(":/");
  const std::string name = to_lower(term.substr(0, end));
  const std::string_view rest = end == std::string_view::npos ? std::string_view() : term.substr(end);
  static constexpr std::array<std::pair<std::string_view, MechanismKind>, 8> kinds{{
      {"all", MechanismKind::all}, {"include", MechanismKind::include}, {"a", MechanismKind::a},
      {"mx", MechanismKind::mx}, {"ptr", MechanismKind::ptr}, {"ip4", MechanismKind::ip4},
      {"ip6", MechanismKind::ip6}, {"exists", MechanismKind::exists}}};
  const auto* found = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == name; });
  if (found == kinds.end())
    return std::unexpected(fmt::format("unknown mechanism '{}'", printable(m.text, 80)));
  m.kind = found->second;
  std::expected<void, std::string> ok;
  if (m.kind == MechanismKind::all) {
    if (!rest.empty()) return std::unexpected("'all' takes no argument");
  } else if (m.kind == MechanismKind::ip4 || m.kind == MechanismKind::ip6) {
    ok = parse_ip(m, rest);
  } else {
    ok = parse_target(m, rest);
  }
  if (!ok) return std::unexpected(ok.error());
  return m;
}

bool valid_modifier_name(std::string_view name) {
  if (name.empty() || !is_alpha(name[0])) return false;
  for (char c : name)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::expected<void, std::string> parse_modifier(Record& record, std::string_view term,
                                                std::size_t eq) {
  const std::string name = to_lower(term.substr(0, eq));
  const std::string_view value = term.substr(eq + 1);
  if (!valid_modifier_name(name))
    return std::unexpected(fmt::format("invalid modifier name in '{}'", printable(term, 80)));
  if (name == "redirect" || name == "exp") {
    auto& slot = name == "redirect" ? record.redirect : record.exp;
    if (slot) return std::unexpected(fmt::format("'{}=' appears twice", name));
    if (!valid_domain_spec(value))
      return std::unexpected(fmt::format("invalid domain-spec in '{}'", printable(term, 80)));
    slot = std::string(value);
    return {};
  }
  if (!check_macro_string(value, MacroMode::explanation) || value.find(' ') != std::string_view::npos)
    return std::unexpected(fmt::format("invalid modifier value in '{}'", printable(term, 80)));
  record.unknown.push_back(Modifier{name, std::string(value)});
  return {};
}

}  // namespace

std::string_view to_string(MechanismKind kind) {
  switch (kind) {
    case MechanismKind::all: return "all";
    case MechanismKind::include: return "include";
    case MechanismKind::a: return "a";
    case MechanismKind::mx: return "mx";
    case MechanismKind::ptr: return "ptr";
    case MechanismKind::ip4: return "ip4";
    case MechanismKind::ip6: return "ip6";
    case MechanismKind::exists: return "exists";
  }
  return "?";
}

bool Mechanism::queries_dns() const {
  return kind == MechanismKind::include || kind == MechanismKind::a || kind == MechanismKind::mx ||
         kind == MechanismKind::ptr || kind == MechanismKind::exists;
}

bool is_spf_record(std::string_view text) {
  return starts_with_icase(text, "v=spf1") && (text.size() == 6 || text[6] == ' ');
}

bool valid_domain_spec(std::string_view spec) {
  if (spec.empty() || !check_macro_string(spec, MacroMode::domain_spec)) return false;
  bool ends_with_macro = false;
  std::string_view tail = trailing_literal(spec, ends_with_macro);
  if (ends_with_macro) return true;
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  const auto dot = tail.rfind('.');
  if (dot == std::string_view::npos) return false;
  return valid_toplabel(tail.substr(dot + 1));
}

std::expected<Record, std::string> parse_record(std::string_view text) {
  if (!is_spf_record(text)) return std::unexpected("not an SPF record (no 'v=spf1')");
  if (text.size() > kMaxRecordLength) return std::unexpected("record too long");
  Record record;
  std::size_t pos = 6;
  std::size_t terms = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    const auto end = std::min(text.find(' ', pos), text.size());
    const std::string_view term = text.substr(pos, end - pos);
    pos = end;
    if (++terms > kMaxTerms) return std::unexpected("too many terms");
    const auto eq = term.find('=');
    const auto mech_end = term.find_first_of(":/");
    if (eq != std::string_view::npos && (mech_end == std::string_view::npos || eq < mech_end)) {
      auto ok = parse_modifier(record, term, eq);
      if (!ok) return std::unexpected(ok.error());
    } else {
      auto m = parse_mechanism(term);
      if (!m) return std::unexpected(m.error());
      record.mechanisms.push_back(std::move(*m));
    }
  }
  return record;
}

}  // namespace postseal::spf

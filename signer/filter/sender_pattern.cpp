// sender_pattern.cpp - parse and match [[signer.sender]] address patterns (see sender_pattern.hpp).
#include "signer/filter/sender_pattern.hpp"

#include "core/mail/address.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace postseal::signer {
namespace {

// domain_problem - why `d` is not a domain name (labels of letters, digits, '-', UTF-8).
std::string domain_problem(std::string_view d) {
  if (d.empty()) return "no domain after '@'";
  if (d.front() == '.' || d.back() == '.' || d.find("..") != std::string_view::npos)
    return "an empty label in the domain";
  for (unsigned char c : d) {
    if (c == '*') return "'*' in a domain only as \"*.\" at its start (*@*.example.com)";
    if (!std::isalnum(c) && c != '-' && c != '.' && c < 0x80) return "not a domain name";
  }
  return {};
}

// local_problem - why `l` (unquoted; `quoted`: it was written with quotes) is not a local
// part (or "*"). A space is allowed only inside quotes (RFC 5321 4.1.2 qtextSMTP).
std::string local_problem(std::string_view l, bool quoted) {
  if (l.empty()) return "no local part before '@' (\"*@domain\" for every sender)";
  if (l.size() > kMaxSenderLocalPartOctets)
    return fmt::format("the local part is longer than {} octets", kMaxSenderLocalPartOctets);
  if (l != "*" && l.find('*') != std::string_view::npos)
    return "'*' in a local part only alone (\"*@domain\")";
  for (unsigned char c : l)
    if (c < ' ' || c == 0x7f || (c == ' ' && !quoted))
      return "a space or control character in the local part";
  return {};
}

// is_atext - RFC 5322 3.2.3 atext (8-bit octets too: RFC 6532 UTF-8 local parts).
bool is_atext(unsigned char c) {
  return std::isalnum(c) || c >= 0x80 ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != std::string_view::npos;
}

// is_dot_atom - `l` is a dot-atom-text (RFC 5322 3.2.3) and so needs no quotes.
bool is_dot_atom(std::string_view l) {
  if (l.empty() || l.front() == '.' || l.back() == '.' || l.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : l)
    if (c != '.' && !is_atext(c)) return false;
  return true;
}

}  // namespace

std::string comparable_local_part(std::string_view local) {
  if (local.find_first_of("\"\\") == std::string_view::npos) return std::string(local);
  auto unquoted = mail::unquoted_local_part(local);
  return unquoted ? std::move(*unquoted) : std::string(local);
}

std::string SenderPattern::text() const {
  const std::string l = local.empty() ? "*" : is_dot_atom(local) ? local : quoted_string(local);
  return fmt::format("{}@{}{}", l, below ? "*." : "", domain);
}

std::expected<SenderPattern, std::string> parse_sender_pattern(std::string_view text) {
  if (text.size() > kMaxSenderPatternTextOctets)
    return std::unexpected(fmt::format("longer than {} octets", kMaxSenderAddressOctets));
  const auto at = text.rfind('@');
  if (at == std::string_view::npos)
    return std::unexpected("no '@' (write \"*@example.com\" for a whole domain)");
  std::string_view domain = text.substr(at + 1);
  const bool quoted = text.substr(0, at).find('"') != std::string_view::npos;
  auto local = mail::unquoted_local_part(text.substr(0, at));
  if (!local) return std::unexpected("the local part: " + local.error());
  if (local->size() + 1 + domain.size() > kMaxSenderAddressOctets)
    return std::unexpected(fmt::format("longer than {} octets", kMaxSenderAddressOctets));
  if (auto problem = local_problem(*local, quoted); !problem.empty())
    return std::unexpected(problem);
  SenderPattern p;
  if (domain.starts_with("*.")) {
    p.below = true;
    domain.remove_prefix(2);
  }
  if (auto problem = domain_problem(domain); !problem.empty()) return std::unexpected(problem);
  p.local = *local == "*" ? std::string() : to_lower(*local);  // "\"*\"" is "*" (3.4.1)
  p.domain = to_lower(domain);
  return p;
}

bool matches(const SenderPattern& p, std::string_view local, std::string_view domain) {
  if (!p.local.empty() && !iequals(p.local, local)) return false;
  if (!p.below) return domain == p.domain;
  return domain.size() > p.domain.size() + 1 && domain.ends_with(p.domain) &&
         domain[domain.size() - p.domain.size() - 1] == '.';
}

bool covers(const SenderPattern& a, const SenderPattern& b) {
  if (!a.local.empty() && a.local != b.local) return false;
  if (!a.below) return !b.below && a.domain == b.domain;
  // b's domains are b.domain (or those below it when b.below): all below a.domain?
  const bool below_a = b.domain.size() > a.domain.size() + 1 && b.domain.ends_with(a.domain) &&
                       b.domain[b.domain.size() - a.domain.size() - 1] == '.';
  return below_a || (b.below && b.domain == a.domain);
}

std::size_t specificity(const SenderPattern& p) {
  const std::size_t domain_rank = p.below ? p.domain.size() : kMaxSenderAddressOctets + 1;
  return domain_rank * 2 + (p.local.empty() ? 0 : 1);
}

}  // namespace postseal::signer

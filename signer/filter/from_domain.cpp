// from_domain.cpp - pick the signing domain from the From field (see from_domain.hpp).
#include "signer/filter/from_domain.hpp"

#include "core/smtp/command.hpp"
#include "core/util/text.hpp"

#include <cctype>

namespace postseal::signer {
namespace {

// strip_comments_and_quotes - drop (comments) and "quoted strings" (display names may hold
// '@', ',' and '<'), leaving the address structure.
std::string strip_comments_and_quotes(std::string_view v) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\' && (quoted || depth > 0)) {
      ++i;
      continue;
    }
    if (quoted) {
      quoted = c != '"';
      continue;
    }
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0 && c == '"') quoted = true;
    else if (depth == 0) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  }
  return out;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomainOctets || d.front() == '.' || d.back() == '.') return false;
  for (unsigned char c : d)
    if (!std::isalnum(c) && c != '-' && c != '.' && c < 0x80) return false;
  return d.find("..") == std::string_view::npos;
}

}  // namespace

std::expected<std::string, std::string> from_domain(const std::vector<mail::HeaderField>& headers) {
  std::size_t count = mail::count_fields(headers, "From");
  if (count == 0) return std::unexpected("no From header");
  if (count > 1) return std::unexpected("more than one From header");
  std::string_view value;
  for (const auto& f : headers)
    if (f.is("From")) value = f.value();
  std::string s = strip_comments_and_quotes(value);
  if (s.find(',') != std::string::npos || s.find(':') != std::string::npos)
    return std::unexpected("From holds more than one address");
  std::string_view addr = s;
  if (auto lt = addr.find('<'); lt != std::string_view::npos) {
    auto gt = addr.find('>', lt);
    if (gt == std::string_view::npos) return std::unexpected("From address has no closing >");
    addr = addr.substr(lt + 1, gt - lt - 1);
  }
  addr = trim(addr);
  while (!addr.empty() && (addr.back() == '\r' || addr.back() == '\n' || addr.back() == ' ' || addr.back() == '\t'))
    addr.remove_suffix(1);
  auto at = addr.rfind('@');
  if (at == std::string_view::npos) return std::unexpected("From address has no domain");
  std::string domain = to_lower(trim(addr.substr(at + 1)));
  if (!valid_domain(domain)) return std::unexpected("From domain is not a valid domain name");
  return domain;
}

}  // namespace postseal::signer

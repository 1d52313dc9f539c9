// redact.cpp - RFC 6590 local-part redaction (see redact.hpp).
#include "core/dmarc_report/redact.hpp"

#include "core/crypto/key_contexts.hpp"
#include "core/util/text.hpp"

namespace postseal::dmarc_report {
namespace {

constexpr std::size_t kRedactedHexDigits = 16;

// local_char - RFC 5322 atext or "." (what a dot-atom local-part is made of).
bool local_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != std::string_view::npos;
}

// domain_char - letters, digits, "-", "." (and "[", "]", ":" of an address literal).
bool domain_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c == '-' || c == '.' || c == '[' || c == ']' || c == ':';
}

std::string hex(std::string_view bytes, std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    if (out.size() >= digits) break;
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out.resize(std::min(out.size(), digits));
  return out;
}

}  // namespace

std::string_view to_string(Redaction r) { return r == Redaction::none ? "none" : "localpart"; }

std::optional<Redaction> redaction_from_string(std::string_view s) {
  if (s == "localpart") return Redaction::localpart;
  if (s == "none") return Redaction::none;
  return std::nullopt;
}

bool within_domain(std::string_view domain, std::string_view parent) {
  if (parent.empty() || domain.size() < parent.size()) return false;
  auto tail = domain.substr(domain.size() - parent.size());
  if (!iequals(tail, parent)) return false;
  return domain.size() == parent.size() || domain[domain.size() - parent.size() - 1] == '.';
}

std::string Redactor::local_part(std::string_view local) const {
  std::string input = secret_;
  input += '\0';
  input += local;
  return "redacted-" + hex(crypto::sha256_digest(input), kRedactedHexDigits);
}

std::string Redactor::address(std::string_view address, std::string_view keep_domain) const {
  auto at = address.rfind('@');
  // no "@", or nothing before it ("@example.com", a DKIM i= without local-part): nothing to hide
  if (mode_ == Redaction::none || at == std::string_view::npos || at == 0) {
    return std::string(address);
  }
  auto domain = address.substr(at + 1);
  if (within_domain(domain, keep_domain)) return std::string(address);
  return local_part(address.substr(0, at)) + "@" + std::string(domain);
}

std::string Redactor::header_text(std::string_view text, std::string_view keep_domain) const {
  if (mode_ == Redaction::none) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0, redacted = 0;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t begin = at;
    // "=" is atext, but ends the scan: A-R's "smtp.mailfrom=user@d" keeps its property name
    // (in an SRS address only the part after the last "=" is hidden)
    while (begin > done && local_char(text[begin - 1]) && text[begin - 1] != '=') --begin;
    std::size_t end = at + 1;
    while (end < text.size() && domain_char(text[end])) ++end;
    if (begin == at) continue;  // no local-part before this "@"
    out.append(text.substr(done, begin - done));
    auto domain = text.substr(at + 1, end - at - 1);
    if (within_domain(domain, keep_domain)) out.append(text.substr(begin, at - begin));
    else if (++redacted <= kMaxRedactedAddresses) out += local_part(text.substr(begin, at - begin));
    done = at;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace postseal::dmarc_report

// names.cpp - LDH checks for DKIM domains and selectors (RFC 6376 3.1, RFC 5321 4.1.2).
//
// Untrusted input: admin-supplied names. Limits: kMaxLabelOctets per label, kMaxDomainOctets
// per name (the selector's limit leaves room for "._domainkey." and a domain).
#include "keys/names.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::keys {

namespace {

bool let_dig(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// check_label - one sub-domain: Let-dig [*(Let-dig / "-") Let-dig], 1..63 octets.
std::optional<std::string> check_label(std::string_view label) {
  if (label.empty()) return std::string("empty label");
  if (label.size() > kMaxLabelOctets) {
    return fmt::format("label longer than {} octets", kMaxLabelOctets);
  }
  for (char c : label) {
    if (!let_dig(c) && c != '-') return fmt::format("character '{}' not allowed (letters, digits, '-')", printable(std::string_view(&c, 1)));
  }
  if (label.front() == '-' || label.back() == '-') return std::string("label starts or ends with '-'");
  return std::nullopt;
}

// check_labels - every dot-separated label of `name`.
std::optional<std::string> check_labels(std::string_view name) {
  while (true) {
    std::size_t dot = name.find('.');
    if (auto err = check_label(name.substr(0, dot))) return err;
    if (dot == std::string_view::npos) return std::nullopt;
    name.remove_prefix(dot + 1);
  }
}

}  // namespace

std::optional<std::string> check_domain(std::string_view domain) {
  if (domain.size() > kMaxDomainOctets) {
    return fmt::format("domain longer than {} octets", kMaxDomainOctets);
  }
  if (auto err = check_labels(domain)) {
    return fmt::format("invalid domain '{}': {}", printable(domain, 80), *err);
  }
  if (domain.find('.') == std::string_view::npos) {
    return fmt::format("invalid domain '{}': needs at least two labels", printable(domain, 80));
  }
  return std::nullopt;
}

std::optional<std::string> check_selector(std::string_view selector) {
  if (selector.size() > kMaxDomainOctets) {
    return fmt::format("selector longer than {} octets", kMaxDomainOctets);
  }
  if (auto err = check_labels(selector)) {
    return fmt::format("invalid selector '{}': {}", printable(selector, 80), *err);
  }
  return std::nullopt;
}

}  // namespace postseal::keys

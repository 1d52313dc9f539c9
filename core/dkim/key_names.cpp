// key_names.cpp - LDH checks for DKIM domains and selectors (RFC 6376 3.1, RFC 5321 4.1.2).
//
// Untrusted input: admin-supplied names. Limits: kMaxLabelOctets per label, kMaxDomainOctets
// per name (the selector's limit leaves room for "._domainkey." and a domain).
#include "core/dkim/key_names.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::dkim {

namespace {

// describe - what is wrong with a name, for the admin.
std::string describe(const NameError& e) {
  switch (e.problem) {
    case NameProblem::label_too_long: return fmt::format("label longer than {} octets", kMaxLabelOctets);
    case NameProblem::bad_character:
      return fmt::format("character '{}' not allowed (letters, digits, '-')", printable(std::string_view(&e.character, 1)));
    default: return std::string(to_string(e.problem));
  }
}

}  // namespace

std::optional<std::string> check_domain(std::string_view domain) {
  if (domain.size() > kMaxDomainOctets) {
    return fmt::format("domain longer than {} octets", kMaxDomainOctets);
  }
  if (auto err = check_hostname(domain, LabelChars::ldh, 2)) {
    if (err->problem == NameProblem::too_few_labels)
      return fmt::format("invalid domain '{}': needs at least two labels", printable(domain, 80));
    return fmt::format("invalid domain '{}': {}", printable(domain, 80), describe(*err));
  }
  return std::nullopt;
}

std::optional<std::string> check_selector(std::string_view selector) {
  if (selector.size() > kMaxDomainOctets) {
    return fmt::format("selector longer than {} octets", kMaxDomainOctets);
  }
  if (auto err = check_hostname(selector, LabelChars::ldh)) {
    return fmt::format("invalid selector '{}': {}", printable(selector, 80), describe(*err));
  }
  return std::nullopt;
}

}  // namespace postseal::dkim

// options.cpp - option words and domain lists (see options.hpp).
#include "verifier/decision/options.hpp"

#include "core/util/hostname.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::decision {

std::string_view to_string(RejectPolicy p) {
  switch (p) {
    case RejectPolicy::fail: return "fail";
    case RejectPolicy::softfail: return "softfail";
    case RejectPolicy::not_pass: return "not_pass";
    case RejectPolicy::null: return "null";
    case RejectPolicy::none: return "none";
    case RejectPolicy::no_check: return "no_check";
  }
  return "fail";
}

std::expected<RejectPolicy, std::string> parse_reject_policy(std::string_view word) {
  auto w = to_lower(trim(word));
  if (w == "fail") return RejectPolicy::fail;
  if (w == "softfail") return RejectPolicy::softfail;
  if (w == "not_pass" || w == "spf_not_pass" || w == "not-pass") return RejectPolicy::not_pass;
  if (w == "null") return RejectPolicy::null;
  if (w == "none" || w == "false" || w == "no") return RejectPolicy::none;
  if (w == "no_check" || w == "no-check") return RejectPolicy::no_check;
  return std::unexpected(fmt::format(
      "'{}' is not one of fail, softfail, not_pass, null, none, no_check", printable(word, 40)));
}

std::expected<HeaderType, std::string> parse_header_type(std::string_view word) {
  auto w = to_lower(trim(word));
  if (w == "received-spf" || w == "received_spf" || w == "spf") return HeaderType::received_spf;
  if (w == "authentication-results" || w == "authentication_results" || w == "ar")
    return HeaderType::authentication_results;
  return std::unexpected(fmt::format("'{}' is not received-spf or authentication-results",
                                     printable(word, 40)));
}

std::expected<std::vector<std::string>, std::string> parse_domain_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto item : split_list(text)) {
    while (!item.empty() && item.back() == '.') item.remove_suffix(1);
    if (item.empty()) continue;
    if (out.size() >= kMaxDomainListEntries)
      return std::unexpected(fmt::format("more than {} domains", kMaxDomainListEntries));
    if (item.size() > kMaxDomainOctets || item.find_first_of("@/") != std::string_view::npos)
      return std::unexpected(fmt::format("'{}' is not a domain name", printable(item, 60)));
    out.push_back(to_lower(item));
  }
  return out;
}

bool domain_matches(std::string_view name, std::string_view domain) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (domain.empty() || name.size() < domain.size()) return false;
  auto tail = name.substr(name.size() - domain.size());
  if (!iequals(tail, domain)) return false;
  return name.size() == domain.size() || name[name.size() - domain.size() - 1] == '.';
}

}  // namespace postseal::decision

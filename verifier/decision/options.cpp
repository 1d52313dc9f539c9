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

namespace {

// kReasonPlaceholders - what reason_message may contain between braces.
constexpr std::string_view kReasonPlaceholders[] = {"rejectdefer", "spf", "url", "domain",
                                                    "identity", "ip"};

bool known_placeholder(std::string_view name) {
  for (auto p : kReasonPlaceholders)
    if (p == name) return true;
  return false;
}

}  // namespace

std::expected<void, std::string> check_reason_message(std::string_view text) {
  if (text.size() > kMaxReasonMessageOctets)
    return std::unexpected(fmt::format("longer than {} octets", kMaxReasonMessageOctets));
  if (text != printable(text, text.size()))
    return std::unexpected("control or non-ASCII characters");
  for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    auto end = text.find('}', i);
    if (end == std::string_view::npos) return std::unexpected("'{' without '}'");
    auto name = text.substr(i + 1, end - i - 1);
    if (!known_placeholder(name))
      return std::unexpected(fmt::format(
          "unknown placeholder {{{}}} (known: {{rejectdefer}} {{spf}} {{url}} {{domain}} {{identity}} {{ip}})",
          printable(name, 20)));
  }
  return {};
}

std::string format_reason_message(std::string_view text, std::string_view rejectdefer,
                                  std::string_view spf, std::string_view domain,
                                  std::string_view identity, std::string_view ip) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto open = text.find('{', i);
    auto close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    auto name = text.substr(open + 1, close - open - 1);
    if (name == "rejectdefer") out.append(rejectdefer);
    else if (name == "spf") out.append(spf);
    else if (name == "url") out.append(kReasonUrl);
    else if (name == "domain") out.append(domain);
    else if (name == "identity") out.append(identity);
    else if (name == "ip") out.append(ip);
    i = close + 1;
  }
  if (i < text.size()) out.append(text.substr(i));
  return out;
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

// destination.cpp - rua addresses and the external destination check (see destination.hpp).
#include "core/dmarc_report/destination.hpp"

#include "core/dmarc/record.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::dmarc_report {
namespace {

constexpr std::string_view kMailto = "mailto:";
constexpr std::string_view kReportLabel = "._report._dmarc.";

// atext - RFC 5322 3.2.3 atext or ".", the only local-part characters we pass to sendmail.
bool atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != std::string_view::npos;
}

}  // namespace

std::optional<std::uint64_t> parse_size_limit(std::string_view text) {
  int shift = 0;
  if (!text.empty()) {
    switch (text.back() | 0x20) {  // ABNF literals are case-insensitive
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      default: break;
    }
    if (shift != 0) text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  constexpr std::uint64_t kMax = UINT64_MAX;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (n > (kMax - digit) / 10) return std::nullopt;  // RFC 7489 6.4: fits in 64 bits
    n = n * 10 + digit;
  }
  if (shift != 0 && n > (kMax >> shift)) return kMax;  // beyond 2^64-1 octets: no limit
  return n << shift;
}

std::uint64_t wire_octets(std::string_view message) {
  return message.size() +
         static_cast<std::uint64_t>(std::count(message.begin(), message.end(), '\n'));
}

std::optional<std::string> size_limit_problem(const MailtoAddress& to, std::string_view message,
                                              std::uint64_t ours, std::string_view ours_name) {
  const std::uint64_t size = wire_octets(message);
  const bool theirs = to.max_bytes && (ours == 0 || *to.max_bytes < ours);
  const std::uint64_t limit = theirs ? *to.max_bytes : ours;
  if (limit == 0 && !theirs) return std::nullopt;
  if (size <= limit) return std::nullopt;
  return fmt::format("report mail of {} octets is over {} of {} octets", size,
                     theirs ? std::string_view("the address's !size limit") : ours_name, limit);
}

std::string_view to_string(Authorization a) {
  switch (a) {
    case Authorization::same_domain: return "same organizational domain";
    case Authorization::authorized: return "authorized by _report._dmarc";
    case Authorization::refused: return "not authorized (no _report._dmarc record)";
    case Authorization::temporary: return "not checked (DNS failure)";
  }
  return "?";
}

std::optional<MailtoAddress> mailto_address(std::string_view uri) {
  if (uri.size() <= kMailto.size() || to_lower(uri.substr(0, kMailto.size())) != kMailto)
    return std::nullopt;
  std::string_view address = uri.substr(kMailto.size());
  std::optional<std::uint64_t> max_bytes;
  if (auto bang = address.find('!'); bang != std::string_view::npos) {
    max_bytes = parse_size_limit(address.substr(bang + 1));
    if (!max_bytes) return std::nullopt;
    address = address.substr(0, bang);
  }
  auto at = address.find('@');
  if (address.empty() || address.size() > kMaxAddressOctets || at == 0 ||
      at == std::string_view::npos || address.front() == '-')
    return std::nullopt;
  for (char c : address.substr(0, at))
    if (!atext(c)) return std::nullopt;
  auto domain = dmarc::domain_name(address.substr(at + 1));
  if (!domain) return std::nullopt;
  return MailtoAddress{std::string(address.substr(0, at)) + "@" + *domain, *domain, max_bytes};
}

asio::awaitable<Authorization> authorize_destination(dmarc::Discovery& discovery,
                                                     dns::Resolver& resolver,
                                                     std::string policy_domain,
                                                     std::string destination_domain) {
  if (policy_domain == destination_domain) co_return Authorization::same_domain;
  auto ours = co_await discovery.organizational_domain(policy_domain);
  auto theirs = co_await discovery.organizational_domain(destination_domain);
  if (ours.status == dmarc::Status::temperror || theirs.status == dmarc::Status::temperror)
    co_return Authorization::temporary;
  if (ours.status == dmarc::Status::found && theirs.status == dmarc::Status::found &&
      ours.domain == theirs.domain)
    co_return Authorization::same_domain;
  std::string name = policy_domain + std::string(kReportLabel) + destination_domain;
  if (name.size() > dmarc::kMaxDomainOctets) co_return Authorization::refused;
  auto answer = co_await resolver.lookup(name, dns::RrType::txt);
  if (answer.temporary()) co_return Authorization::temporary;
  for (const auto& record : answer.records)
    if (record.type == dns::RrType::txt && dmarc::is_dmarc_record(record.text()))
      co_return Authorization::authorized;
  co_return Authorization::refused;
}

}  // namespace postseal::dmarc_report

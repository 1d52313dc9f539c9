// spf.cpp - SPF result names, domain validation and address normalisation (RFC 7208 2.6, 4.3, 5).
#include "verifier/spf/spf.hpp"

#include <array>
#include <utility>

namespace postseal::spf {
namespace {

constexpr std::array<std::pair<SpfResult, std::string_view>, 7> kNames{{
    {SpfResult::none, "none"}, {SpfResult::neutral, "neutral"}, {SpfResult::pass, "pass"},
    {SpfResult::fail, "fail"}, {SpfResult::softfail, "softfail"},
    {SpfResult::temperror, "temperror"}, {SpfResult::permerror, "permerror"}}};

}  // namespace

std::string_view to_string(SpfResult result) {
  for (const auto& [r, name] : kNames)
    if (r == result) return name;
  return "permerror";
}

bool parse_result(std::string_view text, SpfResult& out) {
  for (const auto& [r, name] : kNames) {
    if (name == text) {
      out = r;
      return true;
    }
  }
  return false;
}

std::string_view sender_domain(std::string_view sender) {
  const auto at = sender.rfind('@');
  return at == std::string_view::npos ? sender : sender.substr(at + 1);
}

bool valid_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (!domain.empty() && domain.front() == '[') return false;
  return is_hostname(domain, LabelChars::no_controls, 2);
}

asio::ip::address normalize_ip(const asio::ip::address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  return ip;
}

}  // namespace postseal::spf

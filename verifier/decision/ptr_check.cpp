// ptr_check.cpp - forward-confirmed reverse DNS (see ptr_check.hpp).
#include "verifier/decision/ptr_check.hpp"

#include "core/net/address_list.hpp"

#include <fmt/format.h>

namespace postseal::decision {

std::string reverse_name(const asio::ip::address& candidate) {
  auto ip = net::unmapped(candidate);
  if (ip.is_v4()) {
    auto b = ip.to_v4().to_bytes();
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", b[3], b[2], b[1], b[0]);
  }
  auto b = ip.to_v6().to_bytes();
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (auto it = b.rbegin(); it != b.rend(); ++it) {
    out += kHex[*it & 0x0F];
    out += '.';
    out += kHex[*it >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

asio::awaitable<bool> name_has_address(dns::Resolver& resolver, std::string name,
                                       asio::ip::address candidate) {
  auto ip = net::unmapped(candidate);
  auto type = ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  auto forward = co_await resolver.lookup(std::move(name), type);
  for (const auto& a : forward.records)
    if (net::unmapped(a.address) == ip) co_return true;
  co_return false;
}

asio::awaitable<std::vector<std::string>> validated_names(dns::Resolver& resolver,
                                                          asio::ip::address candidate) {
  auto ip = net::unmapped(candidate);
  std::vector<std::string> out;
  auto ptr = co_await resolver.lookup(reverse_name(ip), dns::RrType::ptr);
  std::size_t looked = 0;
  for (const auto& record : ptr.records) {
    if (record.type != dns::RrType::ptr || looked++ >= kMaxPtrNamesChecked) continue;
    if (co_await name_has_address(resolver, record.name, ip)) out.push_back(record.name);
  }
  co_return out;
}

}  // namespace postseal::decision

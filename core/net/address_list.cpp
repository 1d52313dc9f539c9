// address_list.cpp - CIDR parsing and matching (see address_list.hpp).
#include "core/net/address_list.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <optional>

namespace postseal::net {

asio::ip::address unmapped(const asio::ip::address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  return ip;
}

// prefix_equal - whether the first `bits` bits of two byte arrays agree.
template <std::size_t N>
static bool prefix_equal(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                         unsigned bits) {
  std::size_t whole = bits / 8;
  for (std::size_t i = 0; i < whole; ++i)
    if (a[i] != b[i]) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool Cidr::contains(const asio::ip::address& candidate) const {
  auto ip = unmapped(candidate);
  if (ip.is_v4() != network.is_v4()) return false;
  if (ip.is_v4()) return prefix_equal(ip.to_v4().to_bytes(), network.to_v4().to_bytes(), prefix);
  return prefix_equal(ip.to_v6().to_bytes(), network.to_v6().to_bytes(), prefix);
}

// parse_prefix_length - decimal digits only (no sign, no space), at most `max`.
static std::optional<unsigned> parse_prefix_length(std::string_view digits, unsigned max) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  unsigned value = 0;
  auto [ptr, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc() || ptr != digits.data() + digits.size() || value > max) return std::nullopt;
  return value;
}

std::expected<Cidr, std::string> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  std::string host(text.substr(0, slash));
  asio::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec || host.find('%') != std::string::npos)
    return std::unexpected(fmt::format("'{}' is not an IP address", text));
  bool mapped = address.is_v6() && address.to_v6().is_v4_mapped();
  unsigned max = address.is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto length = parse_prefix_length(text.substr(slash + 1), max);
    if (!length) return std::unexpected(fmt::format("'{}' has a bad prefix length (0-{})", text, max));
    prefix = *length;
  }
  if (mapped) {  // ::ffff:a.b.c.d/N is the IPv4 network a.b.c.d/(N-96)
    if (prefix < 96) return std::unexpected(fmt::format("'{}': IPv4-mapped prefix below /96", text));
    return Cidr{unmapped(address), prefix - 96};
  }
  return Cidr{address, prefix};
}

std::expected<void, std::string> AddressList::add(std::string_view text) {
  for (auto item : split_list(text)) {
    if (entries_.size() >= kMaxAddressListEntries)
      return std::unexpected(fmt::format("more than {} entries", kMaxAddressListEntries));
    auto cidr = parse_cidr(item);
    if (!cidr) return std::unexpected(cidr.error());
    entries_.push_back(*cidr);
  }
  return {};
}

bool AddressList::matches(const asio::ip::address& ip) const {
  for (const auto& e : entries_)
    if (e.contains(ip)) return true;
  return false;
}

bool AddressList::matches(std::string_view text) const {
  asio::error_code ec;
  auto ip = asio::ip::make_address(std::string(text), ec);
  return !ec && matches(ip);
}

bool is_localhost(const asio::ip::address& candidate) {
  auto ip = unmapped(candidate);
  if (ip.is_v4()) return ip.to_v4().to_bytes()[0] == 127;
  return ip.to_v6().is_loopback();
}

}  // namespace postseal::net

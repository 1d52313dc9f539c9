// filter_config.cpp - read [signer] settings; --key parsing; XFORWARD peer prefixes.
#include "signer/filter/filter_config.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

namespace postseal::signer {
namespace {

net::Endpoint endpoint_or_throw(const std::string& text, std::string_view what) {
  auto e = net::parse_endpoint(text);
  if (!e) throw config_error(fmt::format("signer.{} = \"{}\": {}", what, text, e.error()));
  return *e;
}

// ipv4_in - address in prefix "a.b.c.d/len".
bool ipv4_in(const in_addr& a, const std::string& prefix) {
  std::string net = prefix;
  int len = 32;
  if (auto slash = prefix.find('/'); slash != std::string::npos) {
    net = prefix.substr(0, slash);
    len = std::atoi(prefix.c_str() + slash + 1);
    if (len < 0 || len > 32) return false;
  }
  in_addr n{};
  if (inet_pton(AF_INET, net.c_str(), &n) != 1) return false;
  std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  return (ntohl(a.s_addr) & mask) == (ntohl(n.s_addr) & mask);
}

}  // namespace

FilterConfig load_filter_config(const config::File* file) {
  config::File defaults;
  const config::File& f = file ? *file : defaults;
  FilterConfig c;
  c.listen = endpoint_or_throw(f.string("signer.listen"), "listen");
  c.relay = endpoint_or_throw(f.string("signer.relay"), "relay");
  c.lmtp = f.string("signer.protocol") == "lmtp";
  if (auto p = f.string("signer.protocol"); p != "smtp" && p != "lmtp")
    throw config_error(fmt::format("signer.protocol = \"{}\": must be \"smtp\" or \"lmtp\"", p));
  c.user = f.string("signer.user");
  c.hostname = f.string("signer.hostname");
  c.threads = static_cast<int>(f.integer("signer.threads"));
  c.max_connections = static_cast<std::size_t>(f.integer("signer.max_connections"));
  c.command_timeout = std::chrono::seconds(f.integer("signer.command_timeout"));
  c.session_timeout = std::chrono::seconds(f.integer("signer.session_timeout"));
  c.relay_timeout = std::chrono::seconds(f.integer("signer.relay_timeout"));
  c.shutdown_grace = std::chrono::seconds(f.integer("signer.shutdown_grace"));
  c.max_message_size = static_cast<std::size_t>(f.integer("signer.max_message_size"));
  c.memory_spool = static_cast<std::size_t>(f.integer("signer.memory_spool"));
  c.spool_directory = f.string("signer.spool_directory");
  c.xforward_hosts = f.strings("signer.xforward_hosts");
  return c;
}

KeyOption parse_key_option(const std::string& text) {
  auto first = text.find(':');
  auto second = first == std::string::npos ? std::string::npos : text.find(':', first + 1);
  if (second == std::string::npos || first == 0 || second == first + 1 || second + 1 == text.size())
    throw usage_error(fmt::format("--key {}: expected DOMAIN:SELECTOR:KEYFILE", text));
  return KeyOption{text.substr(0, first), text.substr(first + 1, second - first - 1), text.substr(second + 1)};
}

bool host_allowed(const std::string& address, const std::vector<std::string>& prefixes) {
  in_addr v4{};
  in6_addr v6{};
  bool is_v4 = inet_pton(AF_INET, address.c_str(), &v4) == 1;
  bool is_v6 = !is_v4 && inet_pton(AF_INET6, address.c_str(), &v6) == 1;
  for (const auto& p : prefixes) {
    if (is_v4 && ipv4_in(v4, p)) return true;
    in6_addr q{};
    if (is_v6 && inet_pton(AF_INET6, p.c_str(), &q) == 1 && std::memcmp(&q, &v6, sizeof q) == 0) return true;
  }
  return false;
}

}  // namespace postseal::signer

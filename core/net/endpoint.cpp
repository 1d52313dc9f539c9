// endpoint.cpp - parse listen/connect addresses (see endpoint.hpp).
#include "core/net/endpoint.hpp"

#include <asio/ip/address.hpp>
#include <fmt/format.h>

#include <charconv>

namespace postseal::net {

std::string Endpoint::str() const {
  if (kind == Kind::unix_socket) return "unix:" + path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

static std::expected<std::uint16_t, std::string> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value == 0 || value > 65535)
    return std::unexpected(fmt::format("bad port '{}' (1-65535)", text));
  return static_cast<std::uint16_t>(value);
}

static std::expected<Endpoint, std::string> parse_unix(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::unexpected("unix socket path must be absolute");
  if (path.size() > kMaxUnixPath) return std::unexpected("unix socket path too long");
  Endpoint ep;
  ep.kind = Endpoint::Kind::unix_socket;
  ep.path = std::string(path);
  return ep;
}

static std::expected<Endpoint, std::string> parse_tcp(std::string_view text) {
  std::string_view host, port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::unexpected("expected [IPV6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::unexpected("expected HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto p = parse_port(port);
  if (!p) return std::unexpected(p.error());
  Endpoint ep;
  ep.port = *p;
  if (host == "localhost") host = "127.0.0.1";
  std::error_code ec;
  auto addr = asio::ip::make_address(std::string(host), ec);
  if (ec) return std::unexpected(fmt::format("'{}' is not an IP address", host));
  ep.host = addr.to_string();
  return ep;
}

std::expected<Endpoint, std::string> parse_endpoint(std::string_view text) {
  std::expected<Endpoint, std::string> out;
  if (text.starts_with("unix:")) {
    out = parse_unix(text.substr(5));
  } else if (text.starts_with('/')) {
    out = parse_unix(text);
  } else {
    if (text.starts_with("inet:")) text.remove_prefix(5);
    out = parse_tcp(text);
  }
  if (!out) return std::unexpected(fmt::format("bad address '{}': {}", text, out.error()));
  return out;
}

}  // namespace postseal::net

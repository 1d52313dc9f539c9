// endpoint.hpp - listen and connect addresses as administrators write them.
//
// Accepted forms: "127.0.0.1:10027", "[::1]:10027", "localhost:10027", Postfix's
// "inet:127.0.0.1:10003" and "unix:/path/sock", and a bare absolute path. Untrusted input:
// command line and config file. Hosts must be IP literals or "localhost" (no DNS at start-up);
// ports 1-65535; unix paths at most kMaxUnixPath octets (sockaddr_un).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::net {

inline constexpr std::size_t kMaxUnixPath = 107;

struct Endpoint {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;        // tcp: IP literal
  std::uint16_t port = 0;  // tcp
  std::string path;        // unix_socket
  // str - the form an administrator wrote ("127.0.0.1:10027", "unix:/run/x.sock").
  std::string str() const;
};

std::expected<Endpoint, std::string> parse_endpoint(std::string_view text);

}  // namespace postseal::net

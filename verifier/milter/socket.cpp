// socket.cpp - the path of a unix milter socket spec (see milter.hpp).
//
// open() binds the socket through core/net's listener under net::kBindUmask (owner only), then
// net::secure_socket() (core/net/unix_socket.hpp) hands it to the user the daemon becomes and
// to milter.socket_group with milter.socket_mode. Untrusted input: the socket spec (config).
#include "verifier/milter/milter.hpp"

namespace postseal::milter {

std::string socket_path(std::string_view spec) {
  for (std::string_view prefix : {"unix:", "local:"})
    if (spec.starts_with(prefix)) return std::string(spec.substr(prefix.size()));
  return {};
}

}  // namespace postseal::milter

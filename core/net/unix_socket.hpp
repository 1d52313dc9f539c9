// unix_socket.hpp - who may connect to a unix socket a daemon listens on (the verifier's policy
// socket, the milter socket): its owner (the user the daemon becomes), group and mode, set
// before privileges drop, so the daemon never needs to be able to do that itself. The socket
// is bound owner-only (bind_umask) and then given them, so it is never open to others under
// the process umask. Defaults: mode 0660, group "postfix" (so Postfix's smtpd can connect). A
// configured group that does not exist is a start-up error naming the key; the default group
// missing (a host without Postfix) only logs a warning and leaves the owner's group.
// Untrusted input: the config file's mode and group. Limits: mode octal 0000-0777, a group
// name of at most kMaxGroupOctets printable octets without blanks or ':'.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::net {

// kDefaultSocketMode / kDefaultSocketGroup - the mode and group of a unix socket by default.
inline constexpr unsigned kDefaultSocketMode = 0660;
inline constexpr std::string_view kDefaultSocketGroup = "postfix";
// kMaxGroupOctets - the longest socket group name accepted (a system group name).
inline constexpr std::size_t kMaxGroupOctets = 64;
// kBindUmask - the umask a unix socket is bound under: owner only until secure_socket().
inline constexpr mode_t kBindUmask = 0177;

// SocketOptions - who may connect to a unix socket.
struct SocketOptions {
  unsigned mode = kDefaultSocketMode;
  std::string group{kDefaultSocketGroup};
  bool group_from_default = true;  // not configured: a missing group is a warning, not an error
  std::string owner;               // the user the daemon becomes (empty: stays as started)
  std::string group_key = "socket_group";  // the config key named in messages
};

// socket_options_from_config - the mode and group from the keys `mode_key` and `group_key`
// (both declared with the defaults above); errors name the key. The owner is left to the caller.
std::expected<SocketOptions, std::string> socket_options_from_config(const config::File& file,
                                                                     std::string_view mode_key,
                                                                     std::string_view group_key);

// secure_socket - give the unix socket at `path` its owner, group and mode (as root: any
// owner and group; otherwise a group the process is in). A missing or unusable group is an
// error naming it, or a warning (logged) when it came from the default.
std::expected<void, std::string> secure_socket(const std::string& path, const SocketOptions& options);

}  // namespace postseal::net

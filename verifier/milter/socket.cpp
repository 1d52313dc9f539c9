// socket.cpp - who may connect to a unix milter socket (see milter.hpp).
//
// libmilter binds the socket under the process umask (022 gives srwxr-xr-x: nobody but its
// owner may connect). open() binds it under umask 0177 (owner only), then secure_socket()
// hands it to the user the daemon becomes and to milter.socket_group (default "postfix", so
// Postfix's smtpd can connect) and sets milter.socket_mode (default 0660) - before privileges
// drop, so the daemon never needs to be able to do that itself. A configured group that does
// not exist is a start-up error naming it; the default group missing (a host without Postfix,
// e.g. sendmail) only logs a warning and leaves the socket in the owner's group.
// Untrusted input: the config file's group name and mode.
#include "verifier/milter/milter.hpp"

#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postseal::milter {

std::string socket_path(std::string_view spec) {
  for (std::string_view prefix : {"unix:", "local:"})
    if (spec.starts_with(prefix)) return std::string(spec.substr(prefix.size()));
  return {};
}

// group_problem - a problem with the group: an error when configured, a warning (and the
// socket left in its current group) when it is the default.
static std::expected<void, std::string> group_problem(const SocketOptions& o, const std::string& what) {
  if (!o.group_from_default) return std::unexpected(fmt::format("milter.socket_group: {}", what));
  log::warning("milter socket: {} (milter.socket_group default); the socket keeps its owner's group", what);
  return {};
}

std::expected<void, std::string> secure_socket(const std::string& path, const SocketOptions& o) {
  uid_t uid = static_cast<uid_t>(-1);
  if (!o.owner.empty()) {
    const passwd* pw = ::getpwnam(o.owner.c_str());
    if (pw == nullptr) return std::unexpected(fmt::format("unknown user '{}' (option user)", postseal::printable(o.owner)));
    uid = pw->pw_uid;
  }
  gid_t gid = static_cast<gid_t>(-1);
  const group* gr = o.group.empty() ? nullptr : ::getgrnam(o.group.c_str());
  std::expected<void, std::string> result;
  if (!o.group.empty() && gr == nullptr)
    result = group_problem(o, fmt::format("group '{}' does not exist", postseal::printable(o.group)));
  else if (gr != nullptr)
    gid = gr->gr_gid;
  if (!result) return result;
  if (::chown(path.c_str(), uid, gid) != 0) {
    auto why = std::strerror(errno);
    if (gid == static_cast<gid_t>(-1) || ::chown(path.c_str(), uid, static_cast<gid_t>(-1)) != 0)
      return std::unexpected(fmt::format("cannot chown {}: {}", path, why));
    result = group_problem(o, fmt::format("cannot give {} to group '{}': {}", path, o.group, why));
    if (!result) return result;
  }
  if (::chmod(path.c_str(), static_cast<mode_t>(o.mode)) != 0)
    return std::unexpected(fmt::format("cannot chmod {}: {}", path, std::strerror(errno)));
  return {};
}

}  // namespace postseal::milter

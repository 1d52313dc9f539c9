// unix_socket.cpp - owner, group and mode of a daemon's unix sockets (see unix_socket.hpp).
#include "core/net/unix_socket.hpp"

#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace postseal::net {
namespace {

// group_problem - a problem with the group: an error when configured, a warning (and the
// socket left in its current group) when it is the default.
std::expected<void, std::string> group_problem(const SocketOptions& o, const std::string& what) {
  if (!o.group_from_default) return std::unexpected(fmt::format("{}: {}", o.group_key, what));
  log::warning("{} (the {} default); the socket keeps its owner's group", what, o.group_key);
  return {};
}

}  // namespace

std::expected<SocketOptions, std::string> socket_options_from_config(const config::File& f,
                                                                     std::string_view mode_key,
                                                                     std::string_view group_key) {
  SocketOptions o;
  auto mode = f.string(mode_key);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(mode.data(), mode.data() + mode.size(), value, 8);
  if (mode.empty() || mode.size() > 4 || ec != std::errc{} || end != mode.data() + mode.size() || value > 0777)
    return std::unexpected(fmt::format("{}: '{}' is not an octal mode 0000-0777", mode_key, printable(mode, 16)));
  o.mode = value;
  o.group = f.string(group_key);
  o.group_from_default = !f.has(group_key);
  o.group_key = std::string(group_key);
  if (o.group.size() > kMaxGroupOctets || o.group != printable(o.group) ||
      o.group.find_first_of(" \t:") != std::string::npos)
    return std::unexpected(fmt::format("{}: '{}' is not a group name", group_key, printable(o.group, 80)));
  return o;
}

std::expected<void, std::string> secure_socket(const std::string& path, const SocketOptions& o) {
  uid_t uid = static_cast<uid_t>(-1);
  if (!o.owner.empty()) {
    const passwd* pw = ::getpwnam(o.owner.c_str());
    if (pw == nullptr) return std::unexpected(fmt::format("unknown user '{}' (option user)", printable(o.owner)));
    uid = pw->pw_uid;
  }
  gid_t gid = static_cast<gid_t>(-1);
  const group* gr = o.group.empty() ? nullptr : ::getgrnam(o.group.c_str());
  std::expected<void, std::string> result;
  if (!o.group.empty() && gr == nullptr)
    result = group_problem(o, fmt::format("group '{}' does not exist", printable(o.group)));
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

}  // namespace postseal::net

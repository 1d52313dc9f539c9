// privileges.cpp - drop root (see privileges.hpp).
#include "core/net/privileges.hpp"

#include "core/util/errors.hpp"
#include "core/util/log.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postseal::net {

bool user_exists(const std::string& user) { return ::getpwnam(user.c_str()) != nullptr; }

std::optional<UserIds> user_ids(const std::string& user) {
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) return std::nullopt;
  return UserIds{pw->pw_uid, pw->pw_gid};
}

void drop_privileges(const std::string& user) {
  if (user.empty()) return;
  const auto ids = user_ids(user);
  if (!ids) throw StartupError(kExitConfig, fmt::format("unknown user '{}' (option user)", user));
  if (::geteuid() == ids->uid) return;
  if (::geteuid() != 0)
    throw StartupError(kExitNoPerm, fmt::format("cannot become user '{}': not running as root", user));
  const gid_t gid = ids->gid;
  const uid_t uid = ids->uid;
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
    throw StartupError(kExitNoPerm, fmt::format("cannot become user '{}': {}", user, std::strerror(errno)));
  if (::setuid(0) == 0)
    throw StartupError(kExitSoftware, fmt::format("privileges not dropped: could regain root after becoming '{}'", user));
  log::info("running as user {}", user);
}

}  // namespace postseal::net

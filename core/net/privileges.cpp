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

void drop_privileges(const std::string& user) {
  if (user.empty()) return;
  const passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) throw StartupError(kExitConfig, fmt::format("unknown user '{}' (option user)", user));
  if (::geteuid() == pw->pw_uid) return;
  if (::geteuid() != 0)
    throw StartupError(kExitNoPerm, fmt::format("cannot become user '{}': not running as root", user));
  const gid_t gid = pw->pw_gid;
  const uid_t uid = pw->pw_uid;
  if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
    throw StartupError(kExitNoPerm, fmt::format("cannot become user '{}': {}", user, std::strerror(errno)));
  if (::setuid(0) == 0)
    throw StartupError(kExitSoftware, fmt::format("privileges not dropped: could regain root after becoming '{}'", user));
  log::info("running as user {}", user);
}

}  // namespace postseal::net

// privileges.hpp - drop root after binding sockets and reading keys.
//
// Order as Postfix does it: supplementary groups, then gid, then uid; then check that root
// cannot be regained. Running as a non-root user with `user` set to that same user (or empty)
// is fine; naming another user without being root is a start-up error.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace postseal::net {

// drop_privileges - become `user` (no-op when empty); throws StartupError naming the user.
void drop_privileges(const std::string& user);
// user_exists - the system knows `user` (check-config's test of the same rule).
bool user_exists(const std::string& user);

// UserIds - what a process is after drop_privileges(user): the user's uid and its primary
// group as the only group.
struct UserIds {
  uid_t uid;
  gid_t gid;
};
// user_ids - the ids drop_privileges(user) switches to; std::nullopt for an unknown user.
std::optional<UserIds> user_ids(const std::string& user);

}  // namespace postseal::net

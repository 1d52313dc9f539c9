// open_store.cpp - open the state store, giving a file we create as root to signer.user (see
// open_store.hpp).
#include "keys/rotation/open_store.hpp"

#include "core/net/privileges.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace postseal::rotation {
namespace {

// daemon_user - signer.user when that key is declared (the signer's keys), else "".
std::string daemon_user(const config::File& file) {
  return config::find_key("signer.user") == nullptr ? std::string() : file.string("signer.user");
}

}  // namespace

std::unique_ptr<state::Store> open_rotation_store(const config::File& file, const Clock& clock) {
  const state::Options options = state::settings_from_config(file);
  std::error_code ec;
  const bool creates = options.backend == state::Backend::sqlite && !std::filesystem::exists(options.path, ec);
  auto store = state::open_store(options, clock);
  const std::string user = creates && ::geteuid() == 0 ? daemon_user(file) : std::string();
  if (user.empty()) return store;
  const auto ids = net::user_ids(user);
  if (!ids) throw config_error(fmt::format("signer.user {}: no such user (to own {})", user, options.path));
  if (::chown(options.path.c_str(), ids->uid, ids->gid) != 0)
    throw StartupError(kExitCantCreate, fmt::format("{}: chown to {}: {}", options.path, user, std::strerror(errno)));
  return store;
}

}  // namespace postseal::rotation

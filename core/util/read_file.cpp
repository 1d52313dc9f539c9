// read_file.cpp - bounded, non-blocking whole-file reads (see read_file.hpp).
#include "core/util/read_file.hpp"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postseal {
namespace {

// Fd - closes the descriptor on every return path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// permits - the owner, group or other bits of `st` (as the kernel picks them for uid/gid) hold
// `owner_bit` (S_IRUSR or S_IXUSR, shifted down for group and other).
bool permits(const struct stat& st, uid_t uid, gid_t gid, mode_t owner_bit) {
  if (uid == 0) return true;
  if (st.st_uid == uid) return (st.st_mode & owner_bit) != 0;
  if (st.st_gid == gid) return (st.st_mode & (owner_bit >> 3)) != 0;
  return (st.st_mode & (owner_bit >> 6)) != 0;
}

std::expected<void, std::string> check_kind(const struct stat& st, FileKind kind) {
  if (S_ISDIR(st.st_mode)) return std::unexpected(std::strerror(EISDIR));
  if (S_ISREG(st.st_mode)) return {};
  if (kind == FileKind::any_readable && S_ISCHR(st.st_mode)) return {};
  return std::unexpected("not a regular file");
}

}  // namespace

std::expected<std::string, std::string> read_local_file(const std::filesystem::path& path,
                                                        std::size_t max_octets, FileKind kind) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) return std::unexpected(std::strerror(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return std::unexpected(std::strerror(errno));
  if (auto ok = check_kind(st, kind); !ok) return std::unexpected(ok.error());
  std::string text;
  char chunk[16384];
  for (;;) {
    const ssize_t n = ::read(file.fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(std::strerror(errno));
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > max_octets)
      return std::unexpected(fmt::format("larger than {} octets (the limit)", max_octets));
    text.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> unreadable_by(const std::filesystem::path& path, std::string_view what,
                                         const std::string& name, uid_t uid, gid_t gid, std::string_view also) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::absolute(path, ec);
  struct stat st {};
  if (ec || ::stat(file.c_str(), &st) != 0) return std::nullopt;
  for (auto dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) == 0 && !permits(ds, uid, gid, S_IXUSR))
      return fmt::format("{} {} cannot be reached by user '{}' (the daemon's user on a reload): "
                         "directory {} is not searchable by it; run: chmod o+x {}",
                         what, path.string(), name, dir.string(), dir.string());
    if (dir == dir.root_path()) break;
  }
  if (permits(st, uid, gid, S_IRUSR)) return std::nullopt;
  return fmt::format("{} {} is not readable by user '{}' (the daemon's user on a reload); run: chown {} {}{}", what,
                     path.string(), name, name, path.string(), also);
}

}  // namespace postseal

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

}  // namespace postseal

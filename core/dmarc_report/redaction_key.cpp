// redaction_key.cpp - the redaction key file (see redaction_key.hpp).
#include "core/dmarc_report/redaction_key.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <optional>

namespace postseal::dmarc_report {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

// to_hex - `octets` as lower-case hex digits.
std::string to_hex(std::string_view octets) {
  std::string out;
  for (unsigned char c : octets) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 0x0f];
  }
  return out;
}

// from_hex - the octets of kRedactionKeyFileOctets of file text; nullopt when not that form.
std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() != kRedactionKeyFileOctets || text.back() != '\n') return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    auto high = kHexDigits.find(text[i]), low = kHexDigits.find(text[i + 1]);
    if (high == std::string_view::npos || low == std::string_view::npos) return std::nullopt;
    out += static_cast<char>(high << 4 | low);
  }
  return out;
}

// read_key - the key of an existing file; ENOENT is reported as errno_out (the file is made).
std::expected<std::string, std::string> read_key(const std::string& path, int& errno_out) {
  errno_out = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    errno_out = errno;
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  std::string text(kRedactionKeyFileOctets + 1, '\0');
  ssize_t n = ::fstat(fd, &st) == 0 ? ::read(fd, text.data(), text.size()) : -1;
  ::close(fd);
  if (n < 0) return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return std::unexpected(fmt::format("{}: not a regular file", path));
  if ((st.st_mode & 077) != 0)
    return std::unexpected(fmt::format("{}: group or others may access it (mode {:04o}; want 0600)",
                                       path, st.st_mode & 07777));
  text.resize(static_cast<std::size_t>(n));
  auto key = from_hex(text);
  if (!key)
    return std::unexpected(fmt::format("{}: not a redaction key ({} hex digits and a newline)",
                                       path, 2 * kRedactionKeyOctets));
  return *key;
}

// make_key - store `fresh` at `path` whole: a temporary file linked into place; false with
// the reason, or true also when another process linked its key first (EEXIST: read that one).
std::expected<void, std::string> make_key(const std::string& path, std::string_view fresh) {
  const std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("{}: {}", temporary, std::strerror(errno)));
  const std::string text = to_hex(fresh) + "\n";
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  int linked = written ? ::link(temporary.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(temporary.c_str());
  if (!written) return std::unexpected(fmt::format("{}: cannot write", temporary));
  if (linked != 0 && link_errno != EEXIST)
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(link_errno)));
  return {};
}

}  // namespace

std::expected<std::string, std::string> load_or_make_redaction_key(const std::string& path,
                                                                   std::string_view fresh) {
  assert(fresh.size() == kRedactionKeyOctets);
  int error = 0;
  auto key = read_key(path, error);
  if (key || error != ENOENT) return key;
  if (auto made = make_key(path, fresh); !made) return std::unexpected(made.error());
  return read_key(path, error);
}

}  // namespace postseal::dmarc_report

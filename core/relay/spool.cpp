// spool.cpp - memory-then-unlinked-file body spool (see spool.hpp).
#include "core/relay/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postseal::relay {
namespace {

// write_all - the whole buffer or an errno text.
std::string write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? std::strerror(errno) : "short write";
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Spool::~Spool() { clear(); }

void Spool::clear() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  memory_.clear();
  memory_.shrink_to_fit();
  size_ = 0;
  error_.clear();
}

// open_file - an unlinked file in directory_: O_TMPFILE where the filesystem has it.
bool Spool::open_file() {
  fd_ = ::open(directory_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return true;
  std::string path = directory_ + "/postseal-spool.XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0) {
    error_ = "cannot create spool file in " + directory_ + ": " + std::strerror(errno);
    return false;
  }
  ::unlink(path.c_str());
  return true;
}

void Spool::flush_memory() {
  if (!open_file()) return;
  if (auto e = write_all(fd_, memory_); !e.empty()) error_ = "spool write: " + e;
  memory_.clear();
  memory_.shrink_to_fit();
  memory_.reserve(2 * kSpoolReadChunk);
}

void Spool::append(std::string_view data) {
  if (failed()) return;
  size_ += data.size();
  if (fd_ < 0) {
    memory_.append(data);
    if (memory_.size() > memory_limit_) flush_memory();
    return;
  }
  memory_.append(data);  // write buffer while on disk
  if (memory_.size() >= kSpoolReadChunk) flush_buffer();
}

void Spool::flush_buffer() {
  if (fd_ < 0 || memory_.empty() || failed()) return;
  if (auto e = write_all(fd_, memory_); !e.empty()) error_ = "spool write: " + e;
  memory_.clear();
}

std::string_view Spool::chunk(std::size_t index, std::string& scratch) {
  std::size_t offset = index * kSpoolReadChunk;
  if (offset >= size_) return {};
  std::size_t length = std::min(kSpoolReadChunk, size_ - offset);
  if (fd_ < 0) return std::string_view(memory_).substr(offset, length);
  flush_buffer();
  scratch.resize(length);
  std::size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd_, scratch.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = "spool read: " + std::string(n < 0 ? std::strerror(errno) : "short read");
      return {};
    }
    got += static_cast<std::size_t>(n);
  }
  return scratch;
}

}  // namespace postseal::relay

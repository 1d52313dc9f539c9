// spool.hpp - the message body held between DATA and reinjection: in memory up to a
// threshold, then in an unlinked temporary file (O_TMPFILE, else mkstemp + unlink), so memory
// stays flat with message size and nothing is left on disk after a crash.
//
// Input: body octets already in wire form (CRLF, dot-stuffed). Limits: `memory_limit` octets
// in memory. A write failure (disk full, quota) is remembered, not thrown: failed() makes the
// session answer 452 and nothing is reinjected (docs/security.md 44).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::relay {

// kSpoolReadChunk - octets read back from the spool file per write downstream.
inline constexpr std::size_t kSpoolReadChunk = 64 * 1024;

class Spool {
 public:
  Spool(std::size_t memory_limit, std::string directory)
      : memory_limit_(memory_limit), directory_(std::move(directory)) {}
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(std::string_view data);
  // failed - a write or read failed; flush() first to see write errors of the tail.
  bool failed() const { return !error_.empty(); }
  void flush() { flush_buffer(); }
  const std::string& error() const { return error_; }
  std::size_t size() const { return size_; }
  bool on_disk() const { return fd_ >= 0; }
  // read - chunk `index` of the contents (empty past the end or on error).
  std::string_view chunk(std::size_t index, std::string& scratch);
  std::size_t chunks() const { return (size_ + kSpoolReadChunk - 1) / kSpoolReadChunk; }
  void clear();

 private:
  bool open_file();
  void flush_memory();
  void flush_buffer();

  std::size_t memory_limit_;
  std::string directory_;
  std::string memory_;
  std::size_t size_ = 0;
  int fd_ = -1;
  std::string error_;
};

}  // namespace postseal::relay

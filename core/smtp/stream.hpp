// stream.hpp - buffered line and byte reading on a socket, for SMTP sessions and clients.
//
// Untrusted input: bytes from the peer. Limits: a line is at most `max` octets (the caller's
// named limit); a longer one is discarded up to its LF and reported as too_long, so the
// buffer never holds more than about `max` + one read, and a session that has sent nothing
// yet holds no read buffer at all. Lines end in LF; a CR before it is
// dropped (command lines only; DATA goes through DataReader, which is stricter).
#pragma once

#include "core/net/server.hpp"

#include <asio/awaitable.hpp>

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace postseal::smtp {

enum class StreamError { closed, too_long, io };

// kReadChunkOctets - how much one socket read asks for.
inline constexpr std::size_t kReadChunkOctets = 64 * 1024;

class Stream {
 public:
  explicit Stream(net::Socket socket) : socket_(std::move(socket)) {}
  net::Socket& socket() { return socket_; }

  // read_line - the next line without its line end.
  asio::awaitable<std::expected<std::string, StreamError>> read_line(std::size_t max);
  // read_some - unread bytes (buffered first, else one socket read); consume() what was used.
  asio::awaitable<std::expected<std::string_view, StreamError>> read_some();
  void consume(std::size_t n);
  // buffered - whether the peer already sent more bytes than were consumed (pipelining).
  bool buffered() const { return start_ < buffer_.size(); }
  // write - the whole of `data` (or of `parts`, in order, in one gathered write); false when
  // the connection is gone.
  asio::awaitable<bool> write(std::string_view data);
  asio::awaitable<bool> write(std::span<const std::string_view> parts);
  void close();

 private:
  asio::awaitable<bool> fill();
  void compact();

  net::Socket socket_;
  std::string buffer_;
  std::size_t start_ = 0;
};

}  // namespace postseal::smtp

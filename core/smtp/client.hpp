// client.hpp - a minimal SMTP client for relaying one transaction at a time (RFC 5321,
// RFC 1869 EHLO keywords, Postfix XFORWARD_README).
//
// Untrusted input: the downstream server's replies (kMaxReplyLines lines of at most
// kMaxCommandLineOctets each). TCP connections get TCP_NODELAY (no Nagle wait between the
// small writes of one message). Every operation has a deadline (`timeout`); when it passes the
// socket is closed and the operation fails, so a stalled server costs at most `timeout`.
#pragma once

#include "core/net/deadline.hpp"
#include "core/net/endpoint.hpp"
#include "core/smtp/reply.hpp"
#include "core/smtp/stream.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <expected>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace postseal::smtp {

class Client {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // connect - open a connection, read the greeting and say EHLO `helo`; error: why not.
  static asio::awaitable<std::expected<std::unique_ptr<Client>, std::string>> connect(
      asio::any_io_executor executor, const net::Endpoint& endpoint, std::string_view helo,
      Duration timeout);

  // command - send one command line (without CRLF) and read its reply.
  asio::awaitable<std::expected<Reply, std::string>> command(std::string_view line);
  // send - raw bytes (message content); read nothing.
  asio::awaitable<std::expected<void, std::string>> send(std::string_view data);
  // read_reply - one whole (multi-line) reply.
  asio::awaitable<std::expected<Reply, std::string>> read_reply();

  // supports - EHLO keyword offered ("XFORWARD", "SIZE", "8BITMIME", ...).
  bool supports(std::string_view keyword) const;
  // xforward_attributes - the names after "250-XFORWARD".
  const std::string& xforward_line() const { return xforward_; }
  bool usable() const { return usable_; }
  void mark_unusable() { usable_ = false; }
  void close() { stream_.close(); usable_ = false; }

  explicit Client(net::Socket socket, Duration timeout);

 private:
  void note_extensions(const Reply& ehlo);

  Stream stream_;
  Duration timeout_;
  net::Deadline deadline_;
  std::set<std::string> extensions_;
  std::string xforward_;
  bool usable_ = true;
};

}  // namespace postseal::smtp

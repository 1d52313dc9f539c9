// client.hpp - a minimal SMTP client for relaying one transaction at a time (RFC 5321,
// RFC 1869 EHLO keywords, Postfix XFORWARD_README).
//
// Untrusted input: the downstream server's replies (kMaxReplyLines lines of at most
// kMaxCommandLineOctets each). TCP connections get TCP_NODELAY (no Nagle wait between the
// small writes of one message). Every operation has a deadline (`timeout`); when it passes the
// socket is closed and the operation fails, so a stalled server costs at most `timeout`.
//
// Reuse across transactions (core/relay/downstream_pool.hpp): between transactions a client can
// be detached (its descriptor and EHLO keywords, nothing unread, nothing pending) and adopted
// by another session on that session's executor, so the socket, its deadline and the session
// always share one strand. quiet() tells a connection the server has already closed or sent an
// unsolicited reply to (a 421 on its idle timeout) from one that can take the next command.
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
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::smtp {

class Client {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // Detached - an idle connection owned by no session: the open descriptor, its protocol and
  // what the server's EHLO reply offered.
  struct Detached {
    int fd = -1;
    int family = 0;
    int protocol = 0;
    std::set<std::string> extensions;
    std::string xforward;
  };

  // connect - open a connection, read the greeting and say EHLO `helo`; error: why not.
  static asio::awaitable<std::expected<std::unique_ptr<Client>, std::string>> connect(
      asio::any_io_executor executor, const net::Endpoint& endpoint, std::string_view helo,
      Duration timeout);

  // command - send one command line (without CRLF) and read its reply.
  asio::awaitable<std::expected<Reply, std::string>> command(std::string_view line);
  // group - command lines (without CRLF) and their replies, in order. When the server offered
  // PIPELINING (RFC 2920 3.1) every line goes in one write and the replies are read after it;
  // otherwise one line at a time, and a reply that is not positive (4xx, 5xx) ends the group
  // there (what follows is not sent). A lost connection ends the group: its error is the last
  // element. The caller reads each reply in order. RFC 2920 3.1 allows only RSET, MAIL and RCPT (and Postfix's
  // XFORWARD, which its own client sends in the same group as MAIL) before the last line.
  asio::awaitable<std::vector<std::expected<Reply, std::string>>> group(
      std::span<const std::string> lines);
  // send - raw bytes (message content), or several parts in one write; read nothing.
  asio::awaitable<std::expected<void, std::string>> send(std::string_view data);
  asio::awaitable<std::expected<void, std::string>> send(std::span<const std::string_view> parts);
  // read_reply - one whole (multi-line) reply.
  asio::awaitable<std::expected<Reply, std::string>> read_reply();

  // adopt - a detached connection, served from now on by `executor` (the adopting session's).
  static std::expected<std::unique_ptr<Client>, std::string> adopt(asio::any_io_executor executor,
                                                                   Detached connection, Duration timeout);
  // detach - give up the connection for another session; nullopt (and the connection closed)
  // when it is not idle: unusable, or the server sent something nobody read.
  std::optional<Detached> detach();
  // quiet - open, usable, nothing unread and nothing arriving: the server neither closed it
  // nor said anything since its last reply. Costs one poll(2), no round trip.
  bool quiet();

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

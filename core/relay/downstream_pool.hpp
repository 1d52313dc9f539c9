// downstream_pool.hpp - idle downstream connections of a relay daemon, kept briefly after the
// session that used them ends, for the next session (docs/security.md 55; RFC 5321 4.1.1.10
// QUIT when one is dropped). Postfix's dksign transport opens a new
// connection to the signer for each delivery unless its own connection cache keeps one, so
// without this every message would pay for a TCP handshake, a greeting and an EHLO to the
// reinjection smtpd.
//
// Untrusted input: none read here. A parked connection may have been closed by the server, or
// answered with an unsolicited 421 (its idle timeout), while parked: the session that takes it
// checks it first (smtp::Client::quiet) and a dead one is closed, never used. The transaction
// state is clean when a connection is parked (no MAIL open, XFORWARD attributes reset by the
// last "." or RSET, XFORWARD_README "SMTP connection caching").
//
// Limits: at most `max_idle` parked connections (SECTION.relay_idle_max, each one descriptor
// and one smtpd process downstream), each for at most `idle` (SECTION.relay_idle_seconds);
// then QUIT is written without waiting for the reply and the descriptor closed. Parking and
// taking are thread-safe; an expiry timer runs on the parking session's executor.
#pragma once

#include "core/smtp/client.hpp"

#include <asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::relay {

class DownstreamPool {
 public:
  DownstreamPool();

  // park - keep `connection` for the next session relaying to `key` (the relay address and
  // EHLO name) for `idle`; when the pool is full or closed, or `idle` or `max_idle` is zero,
  // the connection is closed (QUIT, not waiting) instead. Returns whether it was kept.
  bool park(asio::any_io_executor executor, std::string key, smtp::Client::Detached connection,
            std::chrono::seconds idle, std::size_t max_idle);
  // take - the most recently parked connection for `key`, if any (the caller checks it).
  std::optional<smtp::Client::Detached> take(std::string_view key);
  // close_all - close every parked connection and park none from now on (shutdown).
  void close_all();
  std::size_t size() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the expiry timers
};

}  // namespace postseal::relay

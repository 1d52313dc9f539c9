// session.hpp - one SMTP/LMTP client connection of the content filter, relayed
// transactionally to the reinjection server (RFC 5321, RFC 2033 LMTP, Postfix FILTER_README
// and XFORWARD_README).
//
// Contract (DESIGN "No mail is lost"): MAIL and RCPT are mirrored from the downstream server
// as they happen; end of DATA is answered only after downstream answered for that message;
// any local failure is 4xx, downstream 5xx for the message is passed through, nothing is
// answered 250 before downstream said 250. Untrusted input: everything the client sends.
// Limits: command lines (smtp::kMaxCommandLineOctets), kMaxRecipients per transaction,
// per-command and per-session deadlines, the message limits of MessageAssembler.
#pragma once

#include "core/net/server.hpp"
#include "core/util/clock.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/signing_table.hpp"

#include <asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace postseal::signer {

// kMaxRecipients - RCPT commands accepted per transaction (RFC 5321 4.5.3.1.8 asks for 100+).
inline constexpr std::size_t kMaxRecipients = 1000;

// FilterContext - what all sessions share: settings, the current signing table, the clock,
// and the shutdown state.
class FilterContext {
 public:
  FilterContext(FilterConfig config, std::shared_ptr<const SigningTable> table, const Clock& clock)
      : config_(std::move(config)), table_(std::move(table)), clock_(clock) {}

  const FilterConfig& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  std::shared_ptr<const SigningTable> table() const {
    std::lock_guard lock(mutex_);
    return table_;
  }
  void set_table(std::shared_ptr<const SigningTable> t) {
    std::lock_guard lock(mutex_);
    table_ = std::move(t);
  }
  // draining - SIGTERM seen: finish transactions in progress, then 421 and close.
  bool draining() const { return draining_.load(); }
  void start_draining();
  // idle sessions register a waker so start_draining() can interrupt their read.
  std::size_t add_waker(std::function<void()> wake);
  void remove_waker(std::size_t id);

 private:
  FilterConfig config_;
  mutable std::mutex mutex_;
  std::shared_ptr<const SigningTable> table_;
  const Clock& clock_;
  std::atomic<bool> draining_{false};
  std::size_t next_waker_ = 0;
  std::vector<std::pair<std::size_t, std::function<void()>>> wakers_;
};

// run_session - serve one connection until QUIT, error, deadline or shutdown.
asio::awaitable<void> run_session(net::Socket socket, FilterContext& context);

}  // namespace postseal::signer

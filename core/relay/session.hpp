// session.hpp - one SMTP/LMTP client connection of a relay daemon (the signing content
// filter, the before-queue proxy), relayed transactionally to the downstream server (RFC 5321,
// RFC 2033 LMTP, Postfix FILTER_README, SMTPD_PROXY_README and XFORWARD_README).
//
// Contract (docs/design.md, "Contracts that must hold"): MAIL and RCPT are mirrored from the downstream server
// as they happen; end of DATA is answered only after downstream answered for that message;
// any local failure is 4xx, downstream 5xx for the message is passed through, nothing is
// answered 250 before downstream said 250. Untrusted input: everything the client sends.
// Limits: command lines (smtp::kMaxCommandLineOctets), smtp::kMaxRecipients per transaction,
// per-command and per-session deadlines, a DATA-phase deadline (data_timeout, extended by
// min_data_rate), hard_error_limit error replies of our own (then 421 and close), the message
// limits of MessageAssembler.
#pragma once

#include "core/net/daemon.hpp"
#include "core/net/server.hpp"
#include "core/relay/downstream_pool.hpp"
#include "core/relay/message_step.hpp"
#include "core/relay/relay_config.hpp"

#include <asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace postseal::relay {

// RelayContext - what all sessions share: settings, the per-message step, the name of the
// downstream server in logs and replies, and the shutdown state.
class RelayContext {
 public:
  RelayContext(RelayConfig config, StepFactory steps, std::string downstream_name, std::string server_name = "other")
      : config_(std::make_shared<const RelayConfig>(std::move(config))),
        steps_(std::move(steps)),
        downstream_(std::move(downstream_name)),
        server_(std::move(server_name)) {}

  // config - the settings in force; a session takes them when it starts and keeps them to its
  // end (the SIZE it announced is the limit it applies).
  std::shared_ptr<const RelayConfig> config() const { return config_.get(); }
  // set_config - the settings of sessions that start from now on (SIGHUP); the listener and
  // the connection cap were set up from the first ones and stay.
  void set_config(RelayConfig config) { config_.set(std::make_shared<const RelayConfig>(std::move(config))); }
  const StepFactory& steps() const { return steps_; }
  // downstream - "reinjection server" (signer), "after-filter server" (proxy).
  const std::string& downstream() const { return downstream_; }
  // server - "signer" or "proxy": the metrics label of this front end.
  const std::string& server() const { return server_; }
  // draining - SIGTERM seen: finish transactions in progress, then 421 and close; parked
  // downstream connections are closed and no more are parked.
  bool draining() const { return draining_.load(); }
  // downstream_pool - downstream connections between sessions (relay_idle_seconds).
  DownstreamPool& downstream_pool() { return pool_; }
  void start_draining();
  // idle sessions register a waker so start_draining() can interrupt their read.
  std::size_t add_waker(std::function<void()> wake);
  void remove_waker(std::size_t id);

 private:
  net::Reloadable<const RelayConfig> config_;
  StepFactory steps_;
  std::string downstream_;
  std::string server_;
  DownstreamPool pool_;
  mutable std::mutex mutex_;
  std::atomic<bool> draining_{false};
  std::size_t next_waker_ = 0;
  std::vector<std::pair<std::size_t, std::function<void()>>> wakers_;
};

// run_session - serve one connection until QUIT, error, deadline or shutdown.
asio::awaitable<void> run_session(net::Socket socket, RelayContext& context);

}  // namespace postseal::relay

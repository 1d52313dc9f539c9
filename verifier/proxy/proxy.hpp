// proxy.hpp - the before-queue proxy filter front end of `postseal verifier --proxy`
// (Postfix: smtpd_proxy_filter = 127.0.0.1:10025, after-filter smtpd on 127.0.0.1:10026).
//
// Built on the relay session (core/relay): MAIL and RCPT are mirrored to the after-filter
// smtpd as they come, the message is read whole (spooled above memory_spool), verified by
// VerifyStep, and only then relayed; our 250 for DATA is the after-filter smtpd's 250. A
// reject or defer is answered at end of DATA and the after-filter smtpd gets RSET. Any local
// failure is a 4xx, so the SMTP client keeps the message. Settings: the [proxy] section
// (relay keys of core/relay/relay_config.hpp plus proxy.enable and proxy.received_spf).
// Untrusted input: everything the SMTP client sends through Postfix.
#pragma once

#include "core/net/server.hpp"
#include "core/relay/relay_config.hpp"
#include "core/relay/session.hpp"
#include "verifier/proxy/verify_step.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <span>

namespace postseal::proxy {

inline constexpr const char* kDefaultListen = "127.0.0.1:10025";
inline constexpr const char* kDefaultRelay = "127.0.0.1:10026";
// kDefaultRelayTimeoutSeconds - below Postfix's smtpd_proxy_timeout (100 s), so the client
// hears our 451 rather than Postfix's own timeout.
inline constexpr int kDefaultRelayTimeoutSeconds = 90;

const relay::Defaults& proxy_defaults();
// config_keys - proxy.* (documented in conf/postseal.d/frontends.toml).
std::span<const config::Key> config_keys();

// Proxy - the listener, sessions and shutdown of the proxy front end on a shared io_context.
class Proxy {
 public:
  Proxy(asio::io_context& io, relay::RelayConfig config, const Engine& engine);
  // listen - bind now (before privileges are dropped); throws StartupError naming the address.
  void listen();
  void start();
  // reload - the relay settings of sessions that start from now on (SIGHUP): timeouts, limits,
  // spool, hostname, xforward_hosts, the after-filter address; listen and max_connections stay.
  void reload(relay::RelayConfig config) { context_.set_config(std::move(config)); }
  // drain - stop accepting, let transactions in progress finish for at most the grace time,
  // then call `done` (on the io_context).
  void drain(std::function<void()> done);
  std::size_t active() const { return server_.active(); }

 private:
  void poll();

  relay::RelayConfig config_;
  relay::RelayContext context_;
  net::Server server_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point drain_end_{};
  std::function<void()> done_;
};

}  // namespace postseal::proxy

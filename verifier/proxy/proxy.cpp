// proxy.cpp - [proxy] settings, listener, drain of the before-queue proxy (see proxy.hpp).
#include "verifier/proxy/proxy.hpp"

#include "core/util/log.hpp"

#include <asio/write.hpp>

#include <vector>

namespace postseal::proxy {

const relay::Defaults& proxy_defaults() {
  static const relay::Defaults d{
      .listen = kDefaultListen,
      .relay = kDefaultRelay,
      .relay_timeout_seconds = kDefaultRelayTimeoutSeconds,
      .max_relay_timeout_seconds = 590,
      .threads = 1,
      .max_connections = 100,
      // Postfix's smtpd_proxy_filter connects per transaction; the after-filter connection stays
      // per session unless proxy.relay_idle_seconds is set
      .relay_idle_seconds = 0,
      .lmtp_allowed = false,
      .own_process = false,  // runs in `postseal verifier`: verifier.threads and verifier.user apply
      .listen_help = "where Postfix's smtpd_proxy_filter connects: HOST:PORT or unix:/path",
      .relay_help = "the after-filter smtpd (master.cf 127.0.0.1:10026 ... smtpd)",
  };
  return d;
}

std::span<const config::Key> config_keys() {
  static const std::vector<config::Key> keys = [] {
    std::vector<config::Key> all{
        {"proxy.enable", config::Type::boolean, "false", 0, 0,
         "serve the before-queue proxy filter from `postseal verifier` (also: --proxy)"},
        {"proxy.received_spf", config::Type::boolean, "true", 0, 0,
         "prepend Received-SPF beside Authentication-Results"},
    };
    auto relay_keys = relay::relay_config_keys("proxy", proxy_defaults());
    all.insert(all.end(), relay_keys.begin(), relay_keys.end());
    return all;
  }();
  return keys;
}

Proxy::Proxy(asio::io_context& io, relay::RelayConfig config, const Engine& engine)
    : config_(std::move(config)),
      context_(config_, verify_steps(engine), "after-filter server", "proxy"),
      server_(io, "proxy", config_.max_connections,
              [this](net::Socket socket) { return relay::run_session(std::move(socket), context_); }),
      timer_(io) {
  server_.on_busy([](net::Socket& socket) {
    std::error_code ignored;
    asio::write(socket, asio::buffer(std::string_view("421 4.3.2 Too many connections, try again later\r\n")), ignored);
  });
}

void Proxy::listen() { server_.listen(config_.listen); }

void Proxy::start() {
  server_.start();
  log::info("proxy filter listening on {}, relaying to {}", config_.listen.str(), config_.relay.str());
}

void Proxy::drain(std::function<void()> done) {
  done_ = std::move(done);
  server_.stop();
  context_.start_draining();
  drain_end_ = std::chrono::steady_clock::now() + context_.config()->shutdown_grace;
  poll();
}

void Proxy::poll() {
  if (server_.active() == 0 || std::chrono::steady_clock::now() >= drain_end_) {
    if (server_.active() > 0)
      log::warning("proxy: {} session(s) cut off at shutdown; no 250 was given for their mail", server_.active());
    if (done_) done_();
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(50));
  timer_.async_wait([this](const std::error_code& ec) {
    if (!ec) poll();
  });
}

}  // namespace postseal::proxy

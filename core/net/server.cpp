// server.cpp - listeners and accept loops (see server.hpp).
#include "core/net/server.hpp"

#include "core/metrics/events.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace postseal::net {

Server::Server(asio::io_context& io, std::string name, std::size_t max_connections,
               Handler handler)
    : io_(io),
      name_(std::move(name)),
      max_connections_(max_connections),
      handler_(std::move(handler)),
      active_(std::make_shared<std::atomic<std::size_t>>(0)),
      accept_strand_(asio::make_strand(io)) {}

Server::~Server() { stop(); }

static asio::generic::stream_protocol::endpoint generic_endpoint(const Endpoint& ep) {
  if (ep.kind == Endpoint::Kind::unix_socket)
    return asio::generic::stream_protocol::endpoint(asio::local::stream_protocol::endpoint(ep.path));
  return asio::generic::stream_protocol::endpoint(
      asio::ip::tcp::endpoint(asio::ip::make_address(ep.host), ep.port));
}

void Server::listen(const Endpoint& endpoint, const SocketOptions* unix_options) {
  auto gep = generic_endpoint(endpoint);
  auto acceptor = std::make_unique<Acceptor>(io_);
  const bool unix_socket = endpoint.kind == Endpoint::Kind::unix_socket;
  std::error_code ec;
  if (unix_socket) ::unlink(endpoint.path.c_str());
  acceptor->open(gep.protocol(), ec);
  if (!ec && endpoint.kind == Endpoint::Kind::tcp)
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  const mode_t old_umask = unix_socket ? ::umask(kBindUmask) : 0;  // owner-only until secured
  if (!ec) acceptor->bind(gep, ec);
  if (unix_socket) ::umask(old_umask);
  if (!ec) acceptor->listen(kListenBacklog, ec);
  if (ec)
    throw StartupError(kExitTempFail, fmt::format("{}: cannot listen on {}: {}", name_,
                                                  endpoint.str(), ec.message()));
  if (unix_socket) {
    unix_paths_.push_back(endpoint.path);
    if (unix_options == nullptr) {
      ::chmod(endpoint.path.c_str(), 0666);
    } else if (auto secured = secure_socket(endpoint.path, *unix_options); !secured) {
      throw config_error(fmt::format("{} socket {}: {}", name_, endpoint.path, secured.error()));
    }
  }
  acceptors_.push_back(std::move(acceptor));
}

void Server::start() {
  for (auto& acceptor : acceptors_)
    asio::co_spawn(accept_strand_, accept_loop(*acceptor), asio::detached);
}

void Server::stop() {
  for (auto& acceptor : acceptors_) {
    std::error_code ec;
    acceptor->close(ec);
  }
  for (const auto& path : unix_paths_) ::unlink(path.c_str());
  unix_paths_.clear();
}

asio::awaitable<void> Server::accept_loop(Acceptor& acceptor) {
  while (acceptor.is_open()) {
    Socket socket(next_executor_ ? next_executor_() : asio::any_io_executor(asio::make_strand(io_)));
    std::error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      co_await pause_after(ec);  // keep serving the sessions we have
      continue;
    }
    launch(std::move(socket));
  }
}

bool resource_exhausted(const std::error_code& ec) {
  if (ec.category() != asio::error::get_system_category()) return false;
  const int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

asio::awaitable<void> Server::pause_after(const std::error_code& ec) {
  ++accept_failures_;
  const auto now = std::chrono::steady_clock::now();
  if (now - accept_logged_ >= kAcceptLogInterval) {
    log::warning("{}: accept: {} ({} time(s) in the last {}s){}", name_, ec.message(), accept_failures_,
                 kAcceptLogInterval.count(),
                 resource_exhausted(ec) ? fmt::format("; pausing accepts for {} ms each time", kAcceptPause.count())
                                        : "");
    accept_logged_ = now;
    accept_failures_ = 0;
  }
  if (!resource_exhausted(ec)) co_return;
  asio::steady_timer timer(accept_strand_, kAcceptPause);
  std::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

void Server::launch(Socket socket) {
  if (socket.local_endpoint().protocol().family() != AF_UNIX) {
    int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (active_->load() >= max_connections_) {
    log::warning("{}: too many connections ({}), refusing one", name_, max_connections_);
    if (busy_) busy_(socket);
    std::error_code ec;
    socket.close(ec);
    return;
  }
  active_->fetch_add(1);
  metrics::session_started(name_);
  auto executor = socket.get_executor();
  asio::co_spawn(
      executor,
      [handler = handler_, active = active_, name = name_, s = std::move(socket)]() mutable -> asio::awaitable<void> {
        struct Release {
          std::shared_ptr<std::atomic<std::size_t>> count;
          std::string name;
          ~Release() {
            count->fetch_sub(1);
            metrics::session_ended(name);
          }
        } release{active, name};
        co_await handler(std::move(s));
      },
      [name = name_](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("{}: session ended by internal error: {}", name, ex.what());
        }
      });
}

}  // namespace postseal::net

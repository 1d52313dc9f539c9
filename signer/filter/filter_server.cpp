// filter_server.cpp - start-up, thread pool, signals and drain of the content filter.
#include "signer/filter/filter_server.hpp"

#include "core/net/privileges.hpp"
#include "core/net/server.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/relay/session.hpp"
#include "signer/filter/sign_step.hpp"

#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <unistd.h>

#include <csignal>
#include <thread>

namespace postseal::signer {
namespace {

std::shared_ptr<const SigningTable> load_table(const FilterOptions& o, std::string& error) {
  std::optional<config::File> file;
  try {
    if (o.config_path) file = config::File::load(*o.config_path);
  } catch (const StartupError& e) {
    error = e.what();
    return nullptr;
  }
  auto table = build_signing_table(file ? &*file : nullptr, o.keys);
  if (!table) {
    error = table.error();
    return nullptr;
  }
  return *table;
}

std::string local_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// Lifecycle - signal handling: SIGHUP reload, SIGTERM/SIGINT drain then stop.
struct Lifecycle {
  asio::io_context& io;
  net::Server& server;
  relay::RelayContext& context;
  TableHolder& tables;
  const FilterOptions& options;
  asio::signal_set signals{io, SIGTERM, SIGINT, SIGHUP};
  asio::steady_timer drain_timer{io};
  std::chrono::steady_clock::time_point drain_end{};

  void wait() {
    signals.async_wait([this](const std::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) reload();
      else return drain();
      wait();
    });
  }
  void reload() {
    std::string error;
    auto table = load_table(options, error);
    if (!table) return log::error("reload failed, keeping the current keys and settings: {}", error);
    tables.set(table);
    log::info("reloaded: {} signing domain(s)", table->size());
  }
  void drain() {
    log::info("shutting down: finishing {} session(s) for at most {}s", server.active(),
              options.config.shutdown_grace.count());
    server.stop();
    context.start_draining();
    drain_end = std::chrono::steady_clock::now() + options.config.shutdown_grace;
    poll();
  }
  void poll() {
    if (server.active() == 0 || std::chrono::steady_clock::now() >= drain_end) {
      if (server.active() > 0) log::warning("{} session(s) cut off at shutdown; no 250 was given for their mail", server.active());
      io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([this](const std::error_code& ec) {
      if (!ec) poll();
    });
  }
};

}  // namespace

int run_filter(const FilterOptions& options) {
  log::open("postseal/signer", options.foreground ? log::Target::stderr_stream : log::Target::syslog);
  log::set_verbose(options.verbose);
  std::string error;
  auto table = load_table(options, error);
  if (!table) throw StartupError(kExitConfig, error);
  FilterConfig config = options.config;
  if (config.hostname.empty()) config.hostname = local_hostname();

  asio::io_context io(config.threads);
  static SystemClock system_clock;
  TableHolder tables(table);
  relay::RelayContext context(config, signing_steps(tables, system_clock), "reinjection server");
  net::Server server(io, "signer", config.max_connections,
                     [&context](net::Socket socket) { return relay::run_session(std::move(socket), context); });
  server.on_busy([](net::Socket& socket) {
    std::error_code ignored;
    asio::write(socket, asio::buffer(std::string_view("421 4.3.2 Too many connections, try again later\r\n")), ignored);
  });
  server.listen(config.listen);
  net::drop_privileges(config.user);
  std::signal(SIGPIPE, SIG_IGN);

  Lifecycle lifecycle{io, server, context, tables, options};
  lifecycle.wait();
  server.start();
  log::info("listening on {} ({}), relaying to {}, {} signing domain(s)", config.listen.str(),
            config.lmtp ? "LMTP" : "SMTP", config.relay.str(), table->size());
  std::vector<std::thread> pool;
  for (int i = 1; i < config.threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  log::info("stopped");
  return kExitOk;
}

}  // namespace postseal::signer

// filter_server.cpp - `postseal signer` on the daemon lifecycle of core/net/daemon.hpp. SIGHUP
// rereads the config file: the signing table (keys, domains, sender rows,
// multiple_signatures, rotated keys) for the next message, the relay settings (timeouts,
// limits, spool, relay address, xforward_hosts) for sessions that start from then on;
// signer.listen, .threads, .max_connections and .user (and metrics.listen: the /metrics
// endpoint, core/metrics/exposer.hpp, started before privileges are dropped) stay as started,
// and a reload that changes them logs one "restart to apply" warning.
#include "signer/filter/filter_server.hpp"

#include "core/metrics/exposer.hpp"
#include "core/net/daemon.hpp"
#include "core/net/privileges.hpp"
#include "core/net/server.hpp"
#include "core/net/session_threads.hpp"
#include "core/util/config.hpp"
#include "core/util/config_changes.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/relay/session.hpp"
#include "signer/filter/rotated_keys.hpp"
#include "signer/filter/sign_step.hpp"

#include <asio/write.hpp>
#include <fmt/format.h>

namespace postseal::signer {
namespace {

// build_table - the signing table of the config file and --key options, with the active
// rotated keys when keys.rotation is on (rotated_keys.hpp).
std::expected<std::shared_ptr<const SigningTable>, std::string> build_table(const FilterOptions& o) {
  std::optional<config::File> file;
  try {
    if (o.config_path) file = config::File::load(*o.config_path);
  } catch (const StartupError& e) {
    return std::unexpected(e.what());
  }
  auto table = build_signing_table(file ? &*file : nullptr, o.keys);
  if (!table || !file) return table;
  static const SystemClock clock;
  return load_rotated_keys(*table, *file, clock);
}

// load_table - build_table, its warnings (RSA keys under 2048 bits) logged at start and on
// each reload that builds it; its domains and keys are the ones the metrics name (domain
// labels, key ages).
std::expected<std::shared_ptr<const SigningTable>, std::string> load_table(const FilterOptions& o) {
  auto table = build_table(o);
  if (!table) return table;
  for (const auto& w : (*table)->warnings()) log::warning("{}", w);
  (*table)->publish_metrics();
  return table;
}

// rows_text - "N signing domain(s), M sender row(s)", and whether every matching row signs.
std::string rows_text(const SigningTable& table) {
  return fmt::format("{} signing domain(s), {} sender row(s){}", table.size(), table.senders().size(),
                     table.multiple_signatures() ? ", every matching row signs (multiple_signatures)" : "");
}

// Reloaded - what a SIGHUP rereads: the signing table and the relay settings of new sessions.
struct Reloaded {
  std::shared_ptr<const SigningTable> table;
  FilterConfig config;
  std::optional<config::File> file;
};

// reread - the table and settings from the config file again, all or nothing; why not names
// the file, line and key.
std::expected<Reloaded, std::string> reread(const FilterOptions& o, const FilterConfig& running) {
  auto table = load_table(o);
  if (!table) return std::unexpected(table.error());
  Reloaded r{*table, running, std::nullopt};
  if (!o.config_path || !o.configure) return r;
  try {
    r.file = config::File::load(*o.config_path);
    r.config = o.configure(&*r.file);
  } catch (const StartupError& e) {
    return std::unexpected(r.file ? config::located(*r.file, e.what()) : std::string(e.what()));
  }
  if (r.config.hostname.empty()) r.config.hostname = running.hostname;
  return r;
}

}  // namespace

int run_filter(const FilterOptions& options) {
  net::start_logging("postseal/signer", options.log);
  auto table = load_table(options);
  if (!table) throw StartupError(kExitConfig, table.error());
  FilterConfig config = options.config;
  if (config.hostname.empty()) config.hostname = net::local_host_name();

  net::Daemon daemon("signer", 1);  // signals, the listener, the drain; sessions: below
  static SystemClock system_clock;
  TableHolder tables(*table);
  relay::RelayContext context(config, signing_steps(tables, system_clock), "reinjection server", "signer");
  net::Server server(daemon.io(), "signer", config.max_connections,
                     [&context](net::Socket socket) { return relay::run_session(std::move(socket), context); });
  server.on_busy([](net::Socket& socket) {
    std::error_code ignored;
    asio::write(socket, asio::buffer(std::string_view("421 4.3.2 Too many connections, try again later\r\n")), ignored);
  });
  server.listen(config.listen);
  // declared after `context` and `server`: its sessions (destroyed with it) use both
  net::SessionThreads sessions(config.threads);
  server.spread_over([&sessions] { return sessions.next(); });
  const auto metrics_endpoint = metrics::start_exposer(options.metrics, "signer");
  net::drop_privileges(config.user);
  if (auto problem = net::fd_budget_problem("signer", config.max_connections, kFdsPerSession,
                                            net::raise_fd_limit());
      !problem.empty())
    log::warning("{}", problem);

  net::SessionDrain drain(daemon.io(), "signer", [&server] { return server.active(); });
  net::DaemonHooks hooks;
  // the start-up file: what a reload compares the keys read only at start with
  std::optional<config::File> started;
  if (options.config_path) started = config::File::load(*options.config_path);
  hooks.reload = [&]() -> std::expected<std::string, std::string> {
    auto reloaded = reread(options, config);
    if (!reloaded) return std::unexpected(reloaded.error());
    tables.set(reloaded->table);
    context.set_config(reloaded->config);  // listener, threads, cap and user stay as started
    if (started && reloaded->file)
      if (auto note = config::restart_note(*started, *reloaded->file, options.restart_keys); !note.empty())
        log::warning("signer: {}", note);
    return fmt::format("{}, relay settings of new sessions", rows_text(*reloaded->table));
  };
  hooks.drain = [&](std::function<void()> done) {
    server.stop();
    context.start_draining();
    drain.start(config.shutdown_grace, std::move(done));
  };
  sessions.start();
  server.start();
  return daemon.run(std::move(hooks),
                    fmt::format("listening on {} ({}), relaying to {}, {}", config.listen.str(),
                                config.lmtp ? "LMTP" : "SMTP", config.relay.str(), rows_text(**table)));
}

}  // namespace postseal::signer

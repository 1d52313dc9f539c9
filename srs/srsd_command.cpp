// srsd_command.cpp - `postseal srsd`: the SRS lookup daemon (srs/daemon.hpp) from the [srs]
// keys and the command line. SIGHUP rebuilds the codec and rewriter from the reread file and
// secrets (listeners, user, threads, the connection cap and idle timeout stay as started; a
// reload that changes them logs one "restart to apply" warning). Untrusted input: the command line,
// config and secrets file (local admin); a bad value is a StartupError naming it.
#include "srs/commands.hpp"

#include "core/net/privileges.hpp"
#include "core/util/config_changes.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/util/read_file.hpp"
#include "srs/command_options.hpp"
#include "srs/daemon.hpp"
#include "srs/secrets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

namespace postseal::srs {
namespace {

// build_lookups - codec and rewriter from the command line over the file; throws StartupError.
std::shared_ptr<const Lookups> build_lookups(const Options& o, const config::File& f, const Clock& clock) {
  const SrsOptions opts = srs_options(o, f);
  std::string domain = srs_domain(o, f);
  if (domain.empty()) throw usage_error("srsd needs an SRS domain (--domain or srs.domain)");
  std::vector<std::string> locals = o.local_domains.empty() ? f.strings("srs.local_domains") : o.local_domains;
  const auto secrets = load_secrets(pick(o.secrets_file, f, "srs.secrets_file"));
  return std::make_shared<Lookups>(opts, secrets, clock, std::move(domain), std::move(locals));
}

// restart_keys - the [srs] keys read only at start (listeners, user, threads, connection cap,
// idle timeout), less those the command line sets.
std::vector<std::string> restart_keys(const Options& o) {
  std::vector<std::string> keys{"srs.max_connections", "srs.idle_timeout", "metrics.listen"};
  if (!o.socketmap) keys.emplace_back("srs.socketmap");
  if (!o.tcp_forward) keys.emplace_back("srs.tcp_forward");
  if (!o.tcp_reverse) keys.emplace_back("srs.tcp_reverse");
  if (!o.user) keys.emplace_back("srs.user");
  if (!o.threads) keys.emplace_back("srs.threads");
  return keys;
}

int run_srsd(const Options& o) {
  net::start_logging("postseal/srsd", o.log);
  const config::File f = load_config(o);
  static const SystemClock clock;
  LookupHolder lookups(build_lookups(o, f, clock));
  DaemonSettings s;
  s.socketmap = endpoint(pick(o.socketmap, f, "srs.socketmap"), "socketmap");
  s.tcp_forward = endpoint(pick(o.tcp_forward, f, "srs.tcp_forward"), "tcp-forward");
  s.tcp_reverse = endpoint(pick(o.tcp_reverse, f, "srs.tcp_reverse"), "tcp-reverse");
  if (!s.socketmap && !s.tcp_forward && !s.tcp_reverse) throw usage_error("srsd has no listener");
  s.user = pick(o.user, f, "srs.user");
  s.threads = pick(o.threads, f, "srs.threads");
  if (s.threads < 1 || s.threads > 64) throw usage_error("threads must be 1-64");
  s.max_connections = static_cast<std::size_t>(f.integer("srs.max_connections"));
  s.idle_timeout = std::chrono::seconds(f.integer("srs.idle_timeout"));
  s.verbose = o.log.verbose;
  s.metrics = metrics::load_options(f, metrics::Daemon::srsd);
  // a reload rereads the file and the secrets; listeners, user and threads stay as started,
  // and a reload that changes them says so in one warning
  Reload reload = [&o, &f, keys = restart_keys(o)]() -> std::expected<std::shared_ptr<const Lookups>, std::string> {
    try {
      const config::File reread = load_config(o);
      auto fresh = build_lookups(o, reread, clock);
      if (auto note = config::restart_note(f, reread, keys); !note.empty()) log::warning("srsd: {}", note);
      return fresh;
    } catch (const StartupError& e) {
      return std::unexpected(e.what());
    }
  };
  return run_daemon(s, lookups, std::move(reload));
}

}  // namespace

std::vector<std::string> check_srs_config(const config::File& f) {
  std::vector<std::string> problems;
  if (!f.has("srs")) return problems;
  const Options none;
  const SystemClock clock;
  try {
    build_lookups(none, f, clock);
  } catch (const StartupError& e) {
    problems.emplace_back(e.what());
  }
  std::size_t listeners = 0;
  for (const char* key : {"srs.socketmap", "srs.tcp_forward", "srs.tcp_reverse"}) {
    try {
      listeners += endpoint(f.string(key), key).has_value() ? 1 : 0;
    } catch (const StartupError& e) {
      problems.emplace_back(e.what());
    }
  }
  const auto user = f.string("srs.user");
  for (auto& p : net::daemon_problems(f.source(), "srs", user, listeners * f.integer("srs.max_connections"), 1))
    problems.push_back(std::move(p));
  if (const auto ids = user.empty() ? std::nullopt : net::user_ids(user))  // srsd rereads it on SIGHUP
    if (auto p = unreadable_by(f.string("srs.secrets_file"), "SRS secrets file", user, ids->uid, ids->gid))
      problems.push_back(std::move(*p));
  return problems;
}

void add_srsd_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<Options>();
  auto* d = app.add_subcommand(
      "srsd", "SRS lookup daemon for Postfix: socketmap and postsrsd-compatible tcp_table");
  add_scheme_options(d, *o);
  d->add_option("--socketmap", o->socketmap, "socketmap listener, \"\" for none (default 127.0.0.1:10003)");
  d->add_option("--tcp-forward", o->tcp_forward, "tcp_table forward listener (default 127.0.0.1:10001)");
  d->add_option("--tcp-reverse", o->tcp_reverse, "tcp_table reverse listener (default 127.0.0.1:10002)");
  d->add_option("--local-domain", o->local_domains, "never rewrite senders of this domain (repeatable; .d for subdomains)");
  d->add_option("--user", o->user, "user to run as after binding");
  d->add_option("--threads", o->threads, "threads serving connections (default 1)");
  net::add_log_options(d, o->log);
  d->callback([&run, o] { run = [o] { return run_srsd(*o); }; });
}

}  // namespace postseal::srs

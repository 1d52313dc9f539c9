// verifier_command.cpp - `postseal verifier`: the policy daemon on unix/TCP sockets; with
// --milter the milter front end of verifier/milter/, with --proxy the before-queue proxy
// filter of verifier/proxy/; on the daemon lifecycle of core/net/daemon.hpp. SIGTERM: the
// proxy's transactions in progress finish (proxy.shutdown_grace).
//
// SIGHUP rereads the config file and builds new rules whole (InboundRules: the [verifier]
// decision options, dkim.*, [dmarc], [greylist] over the running store, the milter.* smf-spf
// options, proxy.received_spf) and new proxy relay settings (timeouts, limits, spool,
// hostname, xforward_hosts, relay). Each policy connection, milter transaction (from MAIL
// FROM), proxy message (rules) and proxy session (relay settings) takes the ones in force when
// it starts and keeps them to its end. Keys read only at start (verifier/restart_keys.hpp:
// listen addresses and sockets, threads, connection caps, milter.timeout, [dns], [state],
// [spf], user, greylist.enable, metrics.listen) keep their running values; when the file changes one, the
// reload logs one warning naming each with its file and line and "restart to apply", and
// applies the rest. A reload that fails (a bad value, an unreadable list or whitelist file)
// changes nothing and logs one line with the file, line and key (man/postseal.8 and
// man/postseal.toml.5 list the keys of each kind).
//
// Options and config: verifier/inbound_options.hpp (shared with `postseal policy`).
// Untrusted input at start-up: the config file and the command line; every bad value is a
// StartupError (exit 64/78) naming the option.
#include "verifier/commands.hpp"

#include "core/dmarc/options.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/metrics/exposer.hpp"
#include "core/util/config_changes.hpp"
#include "core/net/daemon.hpp"
#include "core/net/endpoint.hpp"
#include "core/net/privileges.hpp"
#include "core/net/server.hpp"
#include "core/net/unix_socket.hpp"
#include "core/state/options.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/greylist/options.hpp"
#include "verifier/inbound_context.hpp"
#include "verifier/inbound_options.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/policy/server.hpp"
#include "verifier/proxy/proxy.hpp"
#include "verifier/restart_keys.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <optional>
#include <thread>

namespace postseal::verifier {
namespace {

// policy_socket_options - who may connect to a unix policy socket (verifier.policy_socket_*).
net::SocketOptions policy_socket_options(const config::File& file) {
  auto options = net::socket_options_from_config(file, "verifier.policy_socket_mode", "verifier.policy_socket_group");
  if (!options) throw config_error(options.error());
  return *options;
}

// serve_policy - one policy connection with the rules current when it was accepted.
asio::awaitable<void> serve_policy(net::Socket socket, std::shared_ptr<const InboundRules> rules,
                                   std::chrono::seconds idle) {
  co_await policy::serve_connection(std::move(socket), *rules->decider, idle, rules->greylisting.get());
}

// start_milter - the milter front end (verifier/milter/): options, socket opened now.
void start_milter(milter::Engine& e, const std::string& text, Service& svc, const config::File& file,
                  const Settings& s) {
  unsigned short port = 0;
  auto spec = milter::libmilter_spec(text, port);
  if (!spec) throw config_error(fmt::format("milter socket '{}': {}", text, spec.error()));
  const auto& inbound = *svc.inbound;
  e.io = &svc.io;
  e.rules = &inbound.rules;
  e.resolver = inbound.resolver.get();
  e.clock = inbound.clock;
  e.dmarc_recording = inbound.dmarc_recording.get();
  e.failure_sender = inbound.failure_sender.get();
  e.timeout_seconds = static_cast<int>(file.integer("milter.timeout"));
  e.max_connections = static_cast<int>(file.integer("milter.max_connections"));
  e.socket = must(milter::socket_options_from_config(file), "milter socket");
  e.socket.owner = s.user.value_or(file.string("verifier.user"));
  if (auto opened = milter::open(*spec, e); !opened)
    throw config_error(fmt::format("milter socket '{}': {}", text, opened.error()));
  log::info("milter listening on {}", *spec);
}

// proxy_config - the [proxy] relay settings under --proxy-listen / --proxy-relay (at start
// and on SIGHUP).
relay::RelayConfig proxy_config(const Settings& s, const config::File& file) {
  auto config = relay::load_relay_config(&file, "proxy", proxy::proxy_defaults());
  auto endpoint = [](const std::string& text, const char* what) {
    auto ep = net::parse_endpoint(text);
    if (!ep) throw usage_error(fmt::format("{} {}: {}", what, text, ep.error()));
    return *ep;
  };
  if (!s.proxy_listen.empty()) config.listen = endpoint(s.proxy_listen, "--proxy-listen");
  if (!s.proxy_relay.empty()) config.relay = endpoint(s.proxy_relay, "--proxy-relay");
  if (config.hostname.empty()) config.hostname = net::local_host_name();
  return config;
}

// make_proxy - the before-queue proxy front end (verifier/proxy/), bound now.
std::unique_ptr<proxy::Proxy> make_proxy(proxy::Engine& e, Settings& s, Service& svc, const config::File& file) {
  e.inbound = svc.inbound.get();
  auto p = std::make_unique<proxy::Proxy>(svc.io, proxy_config(s, file), e);
  p->listen();
  return p;
}

// Running - what a reload compares with and replaces besides the rules.
struct Running {
  config::File file;                  // the start-up file: the values of the restart keys
  std::vector<std::string> restart_keys;
  proxy::Proxy* proxy = nullptr;      // its relay settings are reloaded
  std::string fronts;                 // "policy, milter, proxy": who takes the new rules
};

// reload - new rules (and proxy relay settings) from the reread config file, all or nothing;
// the summary for the log line, or why the running ones stay (naming the file, line and key).
std::expected<std::string, std::string> reload(Service& svc, const Settings& s, const Running& running) {
  config::File file;
  try {
    file = load_config(s);
  } catch (const StartupError& e) {
    return std::unexpected(e.what());  // the loader names the file and line
  }
  std::shared_ptr<InboundRules> rules;
  std::optional<relay::RelayConfig> relay;
  try {
    rules = build_rules(*svc.inbound, s, file);
    if (running.proxy) relay = proxy_config(s, file);
  } catch (const StartupError& e) {
    return std::unexpected(config::located(file, e.what()));
  }
  const auto current = svc.inbound->rules.get();
  if (rules->greylisting && current->greylisting)
    greylist::adopt_store(*rules->greylisting, *current->greylisting, svc.clock);
  else
    rules->greylisting = current->greylisting;  // greylist.enable is a restart key
  svc.inbound->rules.set(std::move(rules));
  if (relay) running.proxy->reload(std::move(*relay));
  if (auto note = config::restart_note(running.file, file, running.restart_keys); !note.empty())
    log::warning("verifier: {}", note);
  return fmt::format("configuration {} for new {} transactions", file.source(), running.fronts);
}

int run_verifier(Settings& s) {
  net::start_logging("postseal/verifier", s.log);
  auto file = load_config(s);
  net::Daemon daemon("verifier", static_cast<int>(file.integer("verifier.threads")));
  Service svc(daemon.io());
  Running running{file, restart_keys(s)};
  build_service(svc, s, file);
  auto listen = s.listen.empty() ? file.strings("verifier.policy_listen") : s.listen;
  auto idle = std::chrono::seconds(file.integer("verifier.idle_timeout"));
  const auto max_connections = static_cast<std::size_t>(file.integer("verifier.max_connections"));
  auto& rules = svc.inbound->rules;
  net::Server server(svc.io, "policy", max_connections, [&rules, idle](net::Socket sock) {
    return serve_policy(std::move(sock), rules.get(), idle);
  });
  auto policy_socket = policy_socket_options(file);
  policy_socket.owner = s.user.value_or(file.string("verifier.user"));
  for (const auto& text : listen) {
    auto ep = net::parse_endpoint(text);
    if (!ep) throw config_error(fmt::format("policy listen address '{}': {}", text, ep.error()));
    server.listen(*ep, &policy_socket);
  }
  milter::Engine milter_engine;
  auto milter_spec = milter_listen(s, file);
  if (!milter_spec.empty()) start_milter(milter_engine, milter_spec, svc, file, s);
  proxy::Engine proxy_engine;
  std::unique_ptr<proxy::Proxy> proxy;
  if (s.proxy || !s.proxy_listen.empty() || file.boolean("proxy.enable")) proxy = make_proxy(proxy_engine, s, svc, file);
  const auto metrics_endpoint =
      metrics::start_exposer(metrics::load_options(file, metrics::Daemon::verifier), "verifier");
  net::drop_privileges(s.user.value_or(file.string("verifier.user")));
  // the state store is opened as the user the daemon runs as (its SQLite file is that user's)
  if (auto first = rules.get(); first->greylisting) greylist::start(*first->greylisting, svc.clock);
  if (svc.inbound->dmarc_recording) start_dmarc_recording(*svc.inbound->dmarc_recording, svc.clock);
  if (svc.inbound->failure_sender) svc.inbound->failure_sender->start(svc.clock);
  if (auto problem = net::fd_budget_problem("verifier policy", max_connections, 1, net::raise_fd_limit());
      !problem.empty())
    log::warning("{}", problem);
  server.start();
  if (proxy) proxy->start();
  // the milter accepts on a thread of its own until the drain below stops it (its connections
  // are served on its worker threads, verifier/milter/server.hpp)
  if (!milter_spec.empty()) std::thread([] { milter::serve(); }).detach();
  net::DaemonHooks hooks;
  running.proxy = proxy.get();
  running.fronts = fmt::format("policy{}{}", milter_spec.empty() ? "" : ", milter", proxy ? ", proxy" : "");
  hooks.reload = [&svc, &s, &running] { return reload(svc, s, running); };
  hooks.drain = [&](std::function<void()> done) {
    if (!milter_spec.empty()) milter::stop();
    server.stop();
    if (!proxy) return done();
    proxy->drain(std::move(done));
  };
  return daemon.run(std::move(hooks), fmt::format("policy service listening on {}{}{}", fmt::join(listen, ", "),
                                                  milter_spec.empty() ? "" : ", milter on " + milter_spec,
                                                  proxy ? ", proxy" : ""));
}

// collect - run one start-up step; its StartupError becomes a problem.
template <typename F>
void collect(std::vector<std::string>& problems, F&& step) {
  try {
    step();
  } catch (const StartupError& e) {
    problems.emplace_back(e.what());
  }
}

}  // namespace

std::vector<std::string> check_service_config(const config::File& f) {
  std::vector<std::string> problems;
  if (!f.has("verifier") && !f.has("dns") && !f.has("milter") && !f.has("proxy") && !f.has("greylist") &&
      !f.has("state") && !f.has("dmarc"))
    return problems;
  const Settings none;
  collect(problems, [&] { build_options(none, f); });
  collect(problems, [&] { greylist::settings_from_config(f); });
  collect(problems, [&] { state::settings_from_config(f); });   // state.backend's value
  collect(problems, [&] { dmarc::settings_from_config(f); });   // dmarc.discovery, .enforce, list file
  collect(problems, [&] {
    dns::ResolverOptions options;
    dns::apply_config(f, options);
    asio::io_context io;
    dns::make_resolver(io, options);
  });
  collect(problems, [&] { policy_socket_options(f); });
  for (const auto& text : f.strings("verifier.policy_listen"))
    if (auto ep = net::parse_endpoint(text); !ep)
      problems.push_back(fmt::format("verifier.policy_listen '{}': {}", text, ep.error()));
  if (f.has("milter"))
    if (auto policy = milter::policy_from_config(f); !policy) problems.push_back(policy.error());
  if (f.has("milter")) {
    const SystemClock clock;
    if (auto signing = milter::signing_from_config(f, std::nullopt, clock); !signing)
      problems.push_back(signing.error());
  }
  if (f.has("proxy")) collect(problems, [&] { relay::load_relay_config(&f, "proxy", proxy::proxy_defaults()); });
  for (auto& p : net::daemon_problems(f.source(), "verifier", f.string("verifier.user"),
                                     static_cast<std::uint64_t>(f.integer("verifier.max_connections")), 1))
    problems.push_back(std::move(p));
  return problems;
}

void add_verifier_command(CLI::App& app, Runner& run) {
  auto settings = std::make_shared<Settings>();
  auto* verifier = app.add_subcommand(
      "verifier", "Inbound verification daemon: Postfix policy service on 127.0.0.1:10040 or a unix "
                  "socket (main.cf: check_policy_service inet:127.0.0.1:10040 after reject_unauth_destination); "
                  "with --milter a milter, with --proxy a before-queue proxy filter (SPF, DKIM, DomainKeys)");
  add_policy_options(verifier, *settings);
  verifier->add_option("--listen", settings->listen, "policy listen address(es): 127.0.0.1:10040, unix:/path");
  verifier->add_option("--user", settings->user, "user to run as after binding");
  verifier->add_option("--milter", settings->milter,
                       "also serve the milter protocol: 127.0.0.1:10041, inet:10041@127.0.0.1 or unix:/path "
                       "(main.cf: smtpd_milters = inet:127.0.0.1:10041)");
  verifier->add_option("--milter-mode", settings->milter_mode,
                       "verify (default), sign (sign mail from milter.internal_hosts, authenticated clients "
                       "and milter.sign_daemons with the [[signer.domain]] keys) or sign+verify (sign that, "
                       "verify the rest: OpenDKIM's Mode sv)")
      ->check(CLI::IsMember({"verify", "sign", "sign+verify"}));
  verifier->add_option("--milter-refuse-fail", settings->milter_policy.refuse_fail,
                       "true|false: refuse at RCPT what the SPF policy rejects (smf-spf RefuseFail; default true)");
  verifier->add_option("--milter-tag-subject", settings->milter_policy.tag_subject,
                       "true|false: tag the Subject of accepted SPF fail/softfail mail (default true)");
  verifier->add_option("--milter-tag", settings->milter_policy.tag, "the Subject tag (default [SPF:fail])");
  verifier->add_option("--milter-add-header", settings->milter_policy.add_header,
                       "true|false: add Received-SPF (default true)");
  verifier->add_option("--milter-quarantine", settings->milter_policy.quarantine_mailbox,
                       "deliver accepted SPF fail/softfail mail to this mailbox instead");
  verifier->add_option("--milter-whitelist-ip", settings->milter_policy.whitelist_ip, "client CIDRs not checked");
  verifier->add_option("--milter-whitelist-ptr", settings->milter_policy.whitelist_ptr, "client host names not checked");
  verifier->add_option("--milter-whitelist-from", settings->milter_policy.whitelist_from, "envelope senders not checked");
  verifier->add_option("--milter-whitelist-to", settings->milter_policy.whitelist_to, "envelope recipients never refused");
  verifier->add_flag("--proxy", settings->proxy,
                     "also serve the before-queue proxy filter (main.cf: smtpd_proxy_filter = 127.0.0.1:10025; "
                     "an after-filter smtpd on 127.0.0.1:10026, see conf/postfix/proxy-master.cf)");
  verifier->add_option("--proxy-listen", settings->proxy_listen, "proxy listen address (default 127.0.0.1:10025)");
  verifier->add_option("--proxy-relay", settings->proxy_relay,
                       "after-filter smtpd the proxy relays to (default 127.0.0.1:10026)");
  verifier->callback([&run, settings] { run = [settings] { return run_verifier(*settings); }; });
}

}  // namespace postseal::verifier

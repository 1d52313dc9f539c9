// verifier_command.cpp - `postseal verifier`: the policy daemon on unix/TCP sockets; with
// --milter the milter front end of verifier/milter/, with --proxy the before-queue proxy
// filter of verifier/proxy/; on the daemon lifecycle of core/net/daemon.hpp. SIGTERM: the
// proxy's transactions in progress finish (proxy.shutdown_grace). SIGHUP rereads the config
// file: new policy connections, milter transactions (MAIL FROM) and proxy messages use the
// reloaded [verifier] decision options (InboundContext::decider, one snapshot each); work in
// progress keeps the options it started with; listeners, [dns], threads and the milter.* and
// proxy.* keys stay as started. A reload that fails keeps the running options and logs the
// problem with the file, line and key.
//
// Options and config: verifier/inbound_options.hpp (shared with `postseal policy`).
// Untrusted input at start-up: the config file and the command line; every bad value is a
// StartupError (exit 64/78) naming the option.
#include "verifier/commands.hpp"

#include "core/dmarc/options.hpp"
#include "core/dns/resolver_factory.hpp"
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

// serve_policy - one policy connection with the decider current when it was accepted.
asio::awaitable<void> serve_policy(net::Socket socket, std::shared_ptr<decision::Decider> decider,
                                   std::chrono::seconds idle, greylist::Service* greylisting) {
  co_await policy::serve_connection(std::move(socket), *decider, idle, greylisting);
}

// start_milter - the libmilter front end (verifier/milter/): options, socket opened now.
void start_milter(milter::Engine& e, const std::string& text, Service& svc, const config::File& file,
                  const Settings& s) {
  auto spec = milter::libmilter_spec(text, e.tcp_port);
  if (!spec) throw config_error(fmt::format("milter socket '{}': {}", text, spec.error()));
  auto policy = milter::policy_from_config(file, s.milter_policy);
  if (!policy) throw config_error(policy.error());
  const auto& inbound = *svc.inbound;
  e.io = &svc.io;
  e.decider = &inbound.decider;
  e.resolver = inbound.resolver.get();
  e.clock = inbound.clock;
  e.dkim = inbound.dkim;
  e.policy = std::move(*policy);
  e.authserv_id = inbound.authserv_id;
  e.dmarc = inbound.dmarc.get();
  e.dmarc_recording = inbound.dmarc_recording.get();
  e.timeout_seconds = static_cast<int>(file.integer("milter.timeout"));
  e.max_connections = static_cast<int>(file.integer("milter.max_connections"));
  e.socket = must(milter::socket_options_from_config(file), "milter socket");
  e.socket.owner = s.user.value_or(file.string("verifier.user"));
  if (auto opened = milter::open(*spec, e); !opened)
    throw config_error(fmt::format("milter socket '{}': {}", text, opened.error()));
  milter::pause_accepts_when_out_of_descriptors();
  log::info("milter listening on {}", *spec);
}

// make_proxy - the before-queue proxy front end (verifier/proxy/), bound now.
std::unique_ptr<proxy::Proxy> make_proxy(proxy::Engine& e, Settings& s, Service& svc, const config::File& file) {
  auto config = relay::load_relay_config(&file, "proxy", proxy::proxy_defaults());
  auto endpoint = [](const std::string& text, const char* what) {
    auto ep = net::parse_endpoint(text);
    if (!ep) throw usage_error(fmt::format("{} {}: {}", what, text, ep.error()));
    return *ep;
  };
  if (!s.proxy_listen.empty()) config.listen = endpoint(s.proxy_listen, "--proxy-listen");
  if (!s.proxy_relay.empty()) config.relay = endpoint(s.proxy_relay, "--proxy-relay");
  if (config.hostname.empty()) config.hostname = net::local_host_name();
  e.inbound = svc.inbound.get();
  e.add_received_spf = file.boolean("proxy.received_spf");
  auto p = std::make_unique<proxy::Proxy>(svc.io, std::move(config), e);
  p->listen();
  return p;
}

// reload_decider - the decision core from the reread config file, or why not (naming the
// file, line and key). `fronts` names who takes the new options ("policy, milter").
std::expected<std::string, std::string> reload_decider(Service& svc, const Settings& s, std::string_view fronts) {
  config::File file;
  try {
    file = load_config(s);
  } catch (const StartupError& e) {
    return std::unexpected(e.what());  // the loader names the file and line
  }
  try {
    svc.inbound->decider.set(make_decider(*svc.inbound, build_options(s, file)));
  } catch (const StartupError& e) {
    return std::unexpected(config::located(file, e.what()));
  }
  return fmt::format("configuration {}: [verifier] options for new {} transactions", file.source(), fronts);
}

int run_verifier(Settings& s) {
  net::start_logging("postseal/verifier", s.log);
  auto file = load_config(s);
  net::Daemon daemon("verifier", static_cast<int>(file.integer("verifier.threads")));
  Service svc(daemon.io());
  build_service(svc, s, file);
  auto listen = s.listen.empty() ? file.strings("verifier.policy_listen") : s.listen;
  auto idle = std::chrono::seconds(file.integer("verifier.idle_timeout"));
  const auto max_connections = static_cast<std::size_t>(file.integer("verifier.max_connections"));
  auto& deciders = svc.inbound->decider;
  auto* greylisting = svc.inbound->greylisting.get();
  net::Server server(svc.io, "policy", max_connections, [&deciders, idle, greylisting](net::Socket sock) {
    return serve_policy(std::move(sock), deciders.get(), idle, greylisting);
  });
  auto policy_socket = policy_socket_options(file);
  policy_socket.owner = s.user.value_or(file.string("verifier.user"));
  for (const auto& text : listen) {
    auto ep = net::parse_endpoint(text);
    if (!ep) throw config_error(fmt::format("policy listen address '{}': {}", text, ep.error()));
    server.listen(*ep, &policy_socket);
  }
  milter::Engine milter_engine;
  auto milter_spec = s.milter.value_or(file.string("milter.listen"));
  if (!milter_spec.empty()) start_milter(milter_engine, milter_spec, svc, file, s);
  proxy::Engine proxy_engine;
  std::unique_ptr<proxy::Proxy> proxy;
  if (s.proxy || !s.proxy_listen.empty() || file.boolean("proxy.enable")) proxy = make_proxy(proxy_engine, s, svc, file);
  net::drop_privileges(s.user.value_or(file.string("verifier.user")));
  // the state store is opened as the user the daemon runs as (its SQLite file is that user's)
  if (svc.inbound->greylisting) greylist::start(*svc.inbound->greylisting, svc.clock);
  if (svc.inbound->dmarc_recording) start_dmarc_recording(*svc.inbound->dmarc_recording, svc.clock);
  if (auto problem = net::fd_budget_problem("verifier policy", max_connections, 1, net::raise_fd_limit());
      !problem.empty())
    log::warning("{}", problem);
  server.start();
  if (proxy) proxy->start();
  // libmilter takes SIGINT/SIGTERM in its own signal thread; when smfi_main() returns for
  // either, the rest of the service stops too.
  if (!milter_spec.empty())
    std::thread([&svc, &server] {
      milter::serve();
      asio::post(svc.io, [&svc, &server] {
        server.stop();
        svc.io.stop();
      });
    }).detach();
  net::DaemonHooks hooks;
  const auto fronts = fmt::format("policy{}{}", milter_spec.empty() ? "" : ", milter", proxy ? ", proxy" : "");
  hooks.reload = [&svc, &s, fronts] { return reload_decider(svc, s, fronts); };
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

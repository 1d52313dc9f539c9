// service_commands.cpp - `postseal verifier` (policy daemon on unix/TCP sockets; with --milter
// the milter front end of verifier/milter/, with --proxy the before-queue proxy filter of
// verifier/proxy/) and `postseal policy` (one policy session on stdin/stdout, for master.cf
// `spawn`), on the daemon lifecycle of core/net/daemon.hpp. SIGTERM: the proxy's transactions
// in progress finish (proxy.shutdown_grace). SIGHUP rereads the config file: new policy
// connections use the reloaded [verifier] decision options; the milter and the proxy keep
// those they started with, and listeners, DNS and threads stay as started.
//
// Options come from the config file ([verifier] section, conf/postseal.d/verifier.toml) and
// are overridden by the command line, so both commands also run with no config file at all
// (`postseal policy --dns-zone zone.txt`). Untrusted input at start-up: the config file and
// the command line; every bad value is a StartupError (exit 64/78) naming the option.
#include "verifier/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/net/daemon.hpp"
#include "core/net/endpoint.hpp"
#include "core/net/privileges.hpp"
#include "core/net/server.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/inbound_context.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/policy/server.hpp"
#include "verifier/proxy/proxy.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <sstream>
#include <memory>
#include <optional>
#include <thread>

namespace postseal::verifier {
namespace {

const config::Key kKeys[] = {
    {"verifier.policy_listen", config::Type::strings, "[\"127.0.0.1:10040\"]", 0, 0,
     "where `postseal verifier` serves the Postfix policy protocol (host:port or unix:/path)"},
    {"verifier.authserv_id", config::Type::string, "\"\"", 0, 0,
     "authserv-id of Authentication-Results and receiver= of Received-SPF; empty: host name"},
    {"verifier.helo_reject", config::Type::string, "\"fail\"", 0, 0,
     "HELO SPF results that reject: fail, softfail, not_pass, null, none, no_check"},
    {"verifier.mail_from_reject", config::Type::string, "\"fail\"", 0, 0,
     "MAIL FROM SPF results that reject: fail, softfail, not_pass, none, no_check"},
    {"verifier.permerror_reject", config::Type::boolean, "false", 0, 0,
     "reject (550 5.7.24) when an SPF record is broken"},
    {"verifier.temperror_defer", config::Type::boolean, "true", 0, 0,
     "answer DEFER_IF_PERMIT when SPF cannot be checked for a temporary DNS failure"},
    {"verifier.skip_authenticated", config::Type::boolean, "true", 0, 0,
     "SASL-authenticated clients (policy sasl_username, milter {auth_authen}) are not checked"},
    {"verifier.skip_addresses", config::Type::strings, "[]", 0, 0,
     "client networks (CIDR) not checked; localhost is always skipped"},
    {"verifier.whitelist", config::Type::strings, "[]", 0, 0, "client networks (CIDR) not checked"},
    {"verifier.trusted_forwarders", config::Type::strings, "[]", 0, 0,
     "backup MX and forwarders (CIDR): mail they relay is not SPF-checked"},
    {"verifier.domain_whitelist", config::Type::strings, "[]", 0, 0,
     "domains whose SPF-authorized hosts are not checked (e.g. a trusted forwarder's domain)"},
    {"verifier.domain_whitelist_ptr", config::Type::strings, "[]", 0, 0,
     "domains whose hosts (validated client name) are not checked"},
    {"verifier.helo_whitelist", config::Type::strings, "[]", 0, 0,
     "HELO names not checked when their A/AAAA records hold the client address"},
    {"verifier.test_only", config::Type::boolean, "false", 0, 0,
     "never reject or defer: add the header and log what would have been done"},
    {"verifier.hide_receiver", config::Type::boolean, "false", 0, 0,
     "write receiver=<UNKNOWN> instead of the host name in Received-SPF"},
    {"verifier.reason_message", config::Type::string, "\"\"", 0, 0,
     "reject/defer text with {rejectdefer} {spf} {url} {domain} {identity} {ip}; empty: built-in"},
    {"verifier.header_type", config::Type::string, "\"received-spf\"", 0, 0,
     "header documenting the SPF result: received-spf or authentication-results"},
    {"verifier.cache_ttl", config::Type::integer, "300", 0, decision::kMaxCacheTtlSeconds,
     "seconds an SPF result is reused; 0 disables the cache"},
    {"verifier.cache_entries", config::Type::integer, "10000", 0,
     static_cast<std::int64_t>(decision::kMaxCacheEntries), "SPF results the cache holds at most"},
    {"verifier.max_connections", config::Type::integer, "256", 1, 100000,
     "policy connections served at once"},
    {"verifier.idle_timeout", config::Type::integer, "300", 1, 3600,
     "seconds an idle policy connection is kept open"},
    {"verifier.threads", config::Type::integer, "1", 1, 64, "threads serving connections"},
    {"verifier.user", config::Type::string, "\"\"", 0, 0,
     "user to run as after binding the sockets (empty: stay as started)"},
};

// Settings - the command line; unset optionals fall back to the config file.
struct Settings {
  std::string config_path;
  dns::ResolverOptions dns;
  std::vector<std::string> listen;
  std::optional<std::string> authserv_id, helo_reject, mail_from_reject, header_type, user;
  std::optional<bool> permerror_reject, temperror_defer, test_only, hide_receiver;
  std::optional<std::string> reason_message;
  std::optional<std::vector<std::string>> helo_whitelist;
  std::optional<std::vector<std::string>> skip_addresses, whitelist, trusted_forwarders;
  std::optional<std::vector<std::string>> domain_whitelist, domain_whitelist_ptr;
  std::optional<std::int64_t> cache_ttl;
  std::optional<std::string> milter;  // milter socket (frontends: verifier/milter/)
  milter::PolicyOverrides milter_policy;  // smf-spf options
  bool proxy = false;                 // serve the before-queue proxy (verifier/proxy/)
  std::string proxy_listen, proxy_relay;
  net::LogOptions log;
};

// load_config - -c, else the default file when present (every key is declared by main).
config::File load_config(const Settings& s) {
  return config::File::load_or_default(s.config_path);
}

std::vector<std::string> pick(const std::optional<std::vector<std::string>>& cli,
                              const config::File& f, std::string_view key) {
  return cli ? *cli : f.strings(key);
}

void add_cidrs(net::AddressList& list, const std::vector<std::string>& items, std::string_view what) {
  for (const auto& item : items)
    if (auto ok = list.add(item); !ok) throw config_error(fmt::format("{}: {}", what, ok.error()));
}

std::vector<std::string> domains(const std::vector<std::string>& items, std::string_view what) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    auto parsed = decision::parse_domain_list(item);
    if (!parsed) throw config_error(fmt::format("{}: {}", what, parsed.error()));
    out.insert(out.end(), parsed->begin(), parsed->end());
  }
  return out;
}

template <typename T>
T must(std::expected<T, std::string> v, std::string_view what) {
  if (!v) throw config_error(fmt::format("{}: {}", what, v.error()));
  return *v;
}

decision::Options build_options(const Settings& s, const config::File& f) {
  decision::Options o;
  o.helo_reject = must(decision::parse_reject_policy(s.helo_reject.value_or(f.string("verifier.helo_reject"))),
                       "helo_reject");
  o.mail_from_reject = must(
      decision::parse_reject_policy(s.mail_from_reject.value_or(f.string("verifier.mail_from_reject"))),
      "mail_from_reject");
  if (o.mail_from_reject == decision::RejectPolicy::null)
    throw config_error("mail_from_reject: 'null' applies to helo_reject only");
  o.permerror_reject = s.permerror_reject.value_or(f.boolean("verifier.permerror_reject"));
  o.temperror_defer = s.temperror_defer.value_or(f.boolean("verifier.temperror_defer"));
  o.skip_authenticated = f.boolean("verifier.skip_authenticated");
  add_cidrs(o.skip_addresses, pick(s.skip_addresses, f, "verifier.skip_addresses"), "skip_addresses");
  add_cidrs(o.whitelist, pick(s.whitelist, f, "verifier.whitelist"), "whitelist");
  add_cidrs(o.trusted_forwarders, pick(s.trusted_forwarders, f, "verifier.trusted_forwarders"),
            "trusted_forwarders");
  o.domain_whitelist = domains(pick(s.domain_whitelist, f, "verifier.domain_whitelist"), "domain_whitelist");
  o.domain_whitelist_ptr =
      domains(pick(s.domain_whitelist_ptr, f, "verifier.domain_whitelist_ptr"), "domain_whitelist_ptr");
  o.helo_whitelist = domains(pick(s.helo_whitelist, f, "verifier.helo_whitelist"), "helo_whitelist");
  o.test_only = s.test_only.value_or(f.boolean("verifier.test_only"));
  o.hide_receiver = s.hide_receiver.value_or(f.boolean("verifier.hide_receiver"));
  o.reason_message = s.reason_message.value_or(f.string("verifier.reason_message"));
  if (auto ok = decision::check_reason_message(o.reason_message); !ok)
    throw config_error(fmt::format("reason_message: {}", ok.error()));
  o.header_type = must(decision::parse_header_type(s.header_type.value_or(f.string("verifier.header_type"))),
                       "header_type");
  o.authserv_id = s.authserv_id.value_or(f.string("verifier.authserv_id"));
  if (o.authserv_id.empty()) o.authserv_id = net::local_host_name();
  o.cache_ttl_seconds = s.cache_ttl.value_or(f.integer("verifier.cache_ttl"));
  if (o.cache_ttl_seconds < 0 || o.cache_ttl_seconds > decision::kMaxCacheTtlSeconds)
    throw config_error(fmt::format("cache_ttl: {} is outside 0-{}", o.cache_ttl_seconds,
                                   decision::kMaxCacheTtlSeconds));
  o.cache_entries = static_cast<std::size_t>(f.integer("verifier.cache_entries"));
  return o;
}

void add_policy_options(CLI::App* sub, Settings& s) {
  sub->add_option("-c,--config", s.config_path, "config file (default /etc/postseal/postseal.toml if present)");
  dns::add_resolver_options(sub, s.dns);
  sub->add_option("--authserv-id", s.authserv_id, "authserv-id / receiver name (default: host name)");
  sub->add_option("--helo-reject", s.helo_reject, "fail|softfail|not_pass|null|none|no_check (default fail)");
  sub->add_option("--mail-from-reject", s.mail_from_reject, "fail|softfail|not_pass|none|no_check (default fail)");
  sub->add_option("--permerror-reject", s.permerror_reject, "true|false: reject broken SPF records (default false)");
  sub->add_option("--temperror-defer", s.temperror_defer, "true|false: DEFER_IF_PERMIT on temperror (default true)");
  sub->add_option("--skip-addresses", s.skip_addresses, "client CIDRs not checked (localhost always)");
  sub->add_option("--whitelist", s.whitelist, "client CIDRs not checked");
  sub->add_option("--trusted-forwarders", s.trusted_forwarders, "backup MX / forwarder CIDRs not checked");
  sub->add_option("--domain-whitelist", s.domain_whitelist, "domains whose SPF-authorized hosts are not checked");
  sub->add_option("--domain-whitelist-ptr", s.domain_whitelist_ptr, "domains whose validated hosts are not checked");
  sub->add_option("--helo-whitelist", s.helo_whitelist, "HELO names not checked (forward-confirmed)");
  sub->add_option("--test-only", s.test_only, "true|false: never reject or defer, log instead (default false)");
  sub->add_option("--hide-receiver", s.hide_receiver, "true|false: receiver=<UNKNOWN> (default false)");
  sub->add_option("--reason-message", s.reason_message, "reject/defer text, e.g. 'Message {rejectdefer} due to: {spf}. Please see {url}'");
  sub->add_option("--header-type", s.header_type, "received-spf|authentication-results");
  sub->add_option("--cache-ttl", s.cache_ttl, "seconds an SPF result is reused (0: no cache)");
  net::add_log_options(sub, s.log);
}

// Service - what both commands build: the io_context, the clock and the inbound context.
struct Service {
  explicit Service(asio::io_context& context) : io(context) {}
  asio::io_context& io;
  SystemClock clock;
  std::unique_ptr<InboundContext> inbound;
};

// make_decider - a decision core over the daemon's resolver and SPF engine (for a reload).
std::shared_ptr<decision::Decider> make_decider(Service& svc, const Settings& s, const config::File& f) {
  return verifier::make_decider(*svc.inbound, build_options(s, f));
}

void build_service(Service& svc, Settings& s, const config::File& f) {
  dns::apply_config(f, s.dns);
  auto options = build_options(s, f);
  svc.inbound = make_inbound_context(f, std::move(options), dns::make_resolver(svc.io, s.dns), svc.clock);
}

int run_policy(Settings& s) {
  net::start_logging("postseal/policy", s.log);
  auto file = load_config(s);
  asio::io_context io;
  Service svc(io);
  build_service(svc, s, file);
  policy::serve_stdio(svc.io, 0, 1, *svc.inbound->decider);
  return 0;
}

using DeciderHolder = net::Reloadable<decision::Decider>;

// serve_policy - one policy connection with the decider current when it was accepted.
asio::awaitable<void> serve_policy(net::Socket socket, std::shared_ptr<decision::Decider> decider,
                                   std::chrono::seconds idle) {
  co_await policy::serve_connection(std::move(socket), *decider, idle);
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
  e.decider = inbound.decider.get();
  e.resolver = inbound.resolver.get();
  e.clock = inbound.clock;
  e.dkim = inbound.dkim;
  e.policy = std::move(*policy);
  e.authserv_id = inbound.authserv_id;
  e.timeout_seconds = static_cast<int>(file.integer("milter.timeout"));
  e.max_connections = static_cast<int>(file.integer("milter.max_connections"));
  e.socket = must(milter::socket_options_from_config(file), "milter socket");
  e.socket.owner = s.user.value_or(file.string("verifier.user"));
  if (auto opened = milter::open(*spec, e); !opened)
    throw config_error(fmt::format("milter socket '{}': {}", text, opened.error()));
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

// reload_decider - the decision core from the reread config file, or why not.
std::expected<std::string, std::string> reload_decider(Service& svc, const Settings& s, DeciderHolder& deciders) {
  try {
    auto decider = make_decider(svc, s, load_config(s));
    deciders.set(std::move(decider));
    return "new policy connections use the reloaded [verifier] options";
  } catch (const StartupError& e) {
    return std::unexpected(e.what());
  }
}

int run_verifier(Settings& s) {
  net::start_logging("postseal/verifier", s.log);
  auto file = load_config(s);
  net::Daemon daemon("verifier", static_cast<int>(file.integer("verifier.threads")));
  Service svc(daemon.io());
  build_service(svc, s, file);
  DeciderHolder deciders(svc.inbound->decider);
  auto listen = s.listen.empty() ? file.strings("verifier.policy_listen") : s.listen;
  auto idle = std::chrono::seconds(file.integer("verifier.idle_timeout"));
  const auto max_connections = static_cast<std::size_t>(file.integer("verifier.max_connections"));
  net::Server server(svc.io, "policy", max_connections, [&deciders, idle](net::Socket sock) {
    return serve_policy(std::move(sock), deciders.get(), idle);
  });
  for (const auto& text : listen) {
    auto ep = net::parse_endpoint(text);
    if (!ep) throw config_error(fmt::format("policy listen address '{}': {}", text, ep.error()));
    server.listen(*ep);
  }
  milter::Engine milter_engine;
  auto milter_spec = s.milter.value_or(file.string("milter.listen"));
  if (!milter_spec.empty()) start_milter(milter_engine, milter_spec, svc, file, s);
  proxy::Engine proxy_engine;
  std::unique_ptr<proxy::Proxy> proxy;
  if (s.proxy || !s.proxy_listen.empty() || file.boolean("proxy.enable")) proxy = make_proxy(proxy_engine, s, svc, file);
  net::drop_privileges(s.user.value_or(file.string("verifier.user")));
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
  hooks.reload = [&svc, &s, &deciders] { return reload_decider(svc, s, deciders); };
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
  if (!f.has("verifier") && !f.has("dns") && !f.has("milter") && !f.has("proxy")) return problems;
  const Settings none;
  collect(problems, [&] { build_options(none, f); });
  collect(problems, [&] {
    dns::ResolverOptions options;
    dns::apply_config(f, options);
    asio::io_context io;
    dns::make_resolver(io, options);
  });
  for (const auto& text : f.strings("verifier.policy_listen"))
    if (auto ep = net::parse_endpoint(text); !ep)
      problems.push_back(fmt::format("verifier.policy_listen '{}': {}", text, ep.error()));
  if (f.has("milter"))
    if (auto policy = milter::policy_from_config(f); !policy) problems.push_back(policy.error());
  if (f.has("proxy")) collect(problems, [&] { relay::load_relay_config(&f, "proxy", proxy::proxy_defaults()); });
  for (auto& p : net::daemon_problems("verifier", f.string("verifier.user"),
                                     static_cast<std::uint64_t>(f.integer("verifier.max_connections")), 1))
    problems.push_back(std::move(p));
  return problems;
}

void add_service_commands(CLI::App& app, Runner& run) {
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

  auto* policy = app.add_subcommand(
      "policy", "Postfix policy service on stdin/stdout for master.cf spawn: policy unix - n n - 0 spawn "
                "user=nobody argv=/usr/bin/postseal policy");
  add_policy_options(policy, *settings);
  policy->callback([&run, settings] { run = [settings] { return run_policy(*settings); }; });
}

std::span<const config::Key> service_config_keys() { return kKeys; }

}  // namespace postseal::verifier

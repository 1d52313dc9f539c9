// service_commands.cpp - `postseal verifier` (policy daemon on unix/TCP sockets; with --milter
// the milter front end of verifier/milter/, with --proxy the before-queue proxy filter of
// verifier/proxy/) and `postseal policy` (one policy session on stdin/stdout, for master.cf
// `spawn`). SIGTERM: the proxy's transactions in progress finish (proxy.shutdown_grace).
//
// Options come from the config file ([verifier] section, conf/postseal.d/verifier.toml) and
// are overridden by the command line, so both commands also run with no config file at all
// (`postseal policy --dns-zone zone.txt`). Untrusted input at start-up: the config file and
// the command line; every bad value is a StartupError (exit 64/78) naming the option.
#include "verifier/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/net/endpoint.hpp"
#include "core/net/privileges.hpp"
#include "core/net/server.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/policy/server.hpp"
#include "verifier/proxy/proxy.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <memory>
#include <optional>
#include <thread>
#include <unistd.h>

namespace postseal::verifier {
namespace {

constexpr const char* kDefaultConfig = "/etc/postseal/postseal.toml";

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
    {"verifier.skip_addresses", config::Type::strings, "[]", 0, 0,
     "client networks (CIDR) not checked; localhost is always skipped"},
    {"verifier.whitelist", config::Type::strings, "[]", 0, 0, "client networks (CIDR) not checked"},
    {"verifier.trusted_forwarders", config::Type::strings, "[]", 0, 0,
     "backup MX and forwarders (CIDR): mail they relay is not SPF-checked"},
    {"verifier.domain_whitelist", config::Type::strings, "[]", 0, 0,
     "domains whose SPF-authorized hosts are not checked (e.g. a trusted forwarder's domain)"},
    {"verifier.domain_whitelist_ptr", config::Type::strings, "[]", 0, 0,
     "domains whose hosts (validated client name) are not checked"},
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
  std::optional<bool> permerror_reject, temperror_defer;
  std::optional<std::vector<std::string>> skip_addresses, whitelist, trusted_forwarders;
  std::optional<std::vector<std::string>> domain_whitelist, domain_whitelist_ptr;
  std::optional<std::int64_t> cache_ttl;
  std::optional<std::string> milter;  // milter socket (frontends: verifier/milter/)
  std::optional<bool> milter_refuse_fail, milter_tag_subject, milter_add_header;  // smf-spf options
  std::optional<std::string> milter_tag, milter_quarantine;
  std::optional<std::vector<std::string>> milter_whitelist_ip, milter_whitelist_ptr, milter_whitelist_from,
      milter_whitelist_to;
  bool proxy = false;                 // serve the before-queue proxy (verifier/proxy/)
  std::string proxy_listen, proxy_relay;
  bool verbose = false;
  bool foreground = false;  // log to stderr (else syslog unless stderr is a terminal)
};

config::File load_config(const Settings& s) {
  config::declare(dns::dns_config_keys());
  config::declare(dkim::verify_config_keys());
  config::declare(milter::config_keys());
  config::declare(proxy::config_keys());
  if (!s.config_path.empty()) return config::File::load(s.config_path);
  std::error_code ec;
  if (std::filesystem::exists(kDefaultConfig, ec)) return config::File::load(kDefaultConfig);
  return config::File{};
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
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
  add_cidrs(o.skip_addresses, pick(s.skip_addresses, f, "verifier.skip_addresses"), "skip_addresses");
  add_cidrs(o.whitelist, pick(s.whitelist, f, "verifier.whitelist"), "whitelist");
  add_cidrs(o.trusted_forwarders, pick(s.trusted_forwarders, f, "verifier.trusted_forwarders"),
            "trusted_forwarders");
  o.domain_whitelist = domains(pick(s.domain_whitelist, f, "verifier.domain_whitelist"), "domain_whitelist");
  o.domain_whitelist_ptr =
      domains(pick(s.domain_whitelist_ptr, f, "verifier.domain_whitelist_ptr"), "domain_whitelist_ptr");
  o.header_type = must(decision::parse_header_type(s.header_type.value_or(f.string("verifier.header_type"))),
                       "header_type");
  o.authserv_id = s.authserv_id.value_or(f.string("verifier.authserv_id"));
  if (o.authserv_id.empty()) o.authserv_id = host_name();
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
  sub->add_option("--header-type", s.header_type, "received-spf|authentication-results");
  sub->add_option("--cache-ttl", s.cache_ttl, "seconds an SPF result is reused (0: no cache)");
  sub->add_flag("-v,--verbose", s.verbose, "log debug lines");
  sub->add_flag("--foreground", s.foreground, "log to stderr instead of syslog (mail facility)");
}

// Service - what both commands build: resolver, clock and decision core.
struct Service {
  asio::io_context io;
  std::unique_ptr<dns::Resolver> resolver;
  SystemClock clock;
  std::unique_ptr<decision::Decider> decider;
};

void build_service(Service& svc, Settings& s, const config::File& f) {
  dns::apply_config(f, s.dns);
  auto options = build_options(s, f);
  svc.resolver = dns::make_resolver(svc.io, s.dns);
  svc.decider = std::make_unique<decision::Decider>(std::move(options), decision::engine_checker(*svc.resolver),
                                                    svc.resolver.get(), svc.clock);
}

int run_policy(Settings& s) {
  log::open("postseal/policy", s.foreground || isatty(2) ? log::Target::stderr_stream : log::Target::syslog);
  log::set_verbose(s.verbose);
  auto file = load_config(s);
  Service svc;
  build_service(svc, s, file);
  policy::serve_stdio(svc.io, 0, 1, *svc.decider);
  return 0;
}

// milter_overrides - the [milter] section with the command line's --milter-* options laid over
// it, checked by the same code as the file.
config::File milter_overrides(const Settings& s, const config::File& file) {
  toml::table root = file.root();
  if (!root.contains("milter")) root.insert("milter", toml::table{});
  auto& m = *root["milter"].as_table();
  auto set = [&m](const char* key, const auto& value) {
    if (value) m.insert_or_assign(key, *value);
  };
  auto set_list = [&m](const char* key, const std::optional<std::vector<std::string>>& value) {
    if (!value) return;
    toml::array a;
    for (const auto& v : *value) a.push_back(v);
    m.insert_or_assign(key, std::move(a));
  };
  set("refuse_fail", s.milter_refuse_fail);
  set("tag_subject", s.milter_tag_subject);
  set("add_header", s.milter_add_header);
  set("tag", s.milter_tag);
  set("quarantine_mailbox", s.milter_quarantine);
  set_list("whitelist_ip", s.milter_whitelist_ip);
  set_list("whitelist_ptr", s.milter_whitelist_ptr);
  set_list("whitelist_from", s.milter_whitelist_from);
  set_list("whitelist_to", s.milter_whitelist_to);
  std::ostringstream text;
  text << root;
  return config::File::parse(text.str(), file.source() + " and the command line");
}

// start_milter - the libmilter front end (verifier/milter/): options, socket opened now.
void start_milter(milter::Engine& e, const std::string& text, Service& svc, const config::File& file,
                  const Settings& s) {
  auto spec = milter::libmilter_spec(text, e.tcp_port);
  if (!spec) throw config_error(fmt::format("milter socket '{}': {}", text, spec.error()));
  auto policy = milter::policy_from_config(milter_overrides(s, file));
  if (!policy) throw config_error(policy.error());
  e.io = &svc.io;
  e.decider = svc.decider.get();
  e.resolver = svc.resolver.get();
  e.clock = &svc.clock;
  e.dkim = dkim::options_from_config(file);
  e.policy = std::move(*policy);
  e.authserv_id = svc.decider->options().authserv_id;
  e.timeout_seconds = static_cast<int>(file.integer("milter.timeout"));
  if (milter::open(*spec, e) != 0) throw config_error(fmt::format("milter socket '{}' cannot be opened", text));
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
  if (config.hostname.empty()) config.hostname = host_name();
  e.decider = svc.decider.get();
  e.resolver = svc.resolver.get();
  e.clock = &svc.clock;
  e.dkim = dkim::options_from_config(file);
  e.authserv_id = svc.decider->options().authserv_id;
  e.add_received_spf = file.boolean("proxy.received_spf");
  auto p = std::make_unique<proxy::Proxy>(svc.io, std::move(config), e);
  p->listen();
  return p;
}

int run_verifier(Settings& s) {
  log::open("postseal/verifier", s.foreground || isatty(2) ? log::Target::stderr_stream : log::Target::syslog);
  log::set_verbose(s.verbose);
  auto file = load_config(s);
  Service svc;
  build_service(svc, s, file);
  auto listen = s.listen.empty() ? file.strings("verifier.policy_listen") : s.listen;
  auto idle = std::chrono::seconds(file.integer("verifier.idle_timeout"));
  auto& decider = *svc.decider;
  net::Server server(svc.io, "policy", static_cast<std::size_t>(file.integer("verifier.max_connections")),
                     [&decider, idle](net::Socket sock) {
                       return policy::serve_connection(std::move(sock), decider, idle);
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
  asio::signal_set signals(svc.io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int) {
    if (!milter_spec.empty()) milter::stop();
    server.stop();
    if (!proxy) return svc.io.stop();
    log::info("shutting down: finishing {} proxy session(s)", proxy->active());
    proxy->drain([&svc] { svc.io.stop(); });
  });
  log::info("policy service listening on {}", fmt::join(listen, ", "));
  auto threads = static_cast<unsigned>(file.integer("verifier.threads"));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&svc] { svc.io.run(); });
  svc.io.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace

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
  verifier->add_option("--milter-refuse-fail", settings->milter_refuse_fail,
                       "true|false: refuse at RCPT what the SPF policy rejects (smf-spf RefuseFail; default true)");
  verifier->add_option("--milter-tag-subject", settings->milter_tag_subject,
                       "true|false: tag the Subject of accepted SPF fail/softfail mail (default true)");
  verifier->add_option("--milter-tag", settings->milter_tag, "the Subject tag (default [SPF:fail])");
  verifier->add_option("--milter-add-header", settings->milter_add_header,
                       "true|false: add Received-SPF (default true)");
  verifier->add_option("--milter-quarantine", settings->milter_quarantine,
                       "deliver accepted SPF fail/softfail mail to this mailbox instead");
  verifier->add_option("--milter-whitelist-ip", settings->milter_whitelist_ip, "client CIDRs not checked");
  verifier->add_option("--milter-whitelist-ptr", settings->milter_whitelist_ptr, "client host names not checked");
  verifier->add_option("--milter-whitelist-from", settings->milter_whitelist_from, "envelope senders not checked");
  verifier->add_option("--milter-whitelist-to", settings->milter_whitelist_to, "envelope recipients never refused");
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

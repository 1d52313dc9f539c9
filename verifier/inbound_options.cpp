// inbound_options.cpp - the [verifier] config keys and the settings `postseal verifier` and
// `postseal policy` share (see inbound_options.hpp).
#include "verifier/inbound_options.hpp"

#include "verifier/commands.hpp"

#include <CLI/CLI.hpp>

namespace postseal::verifier {
namespace {

const config::Key kKeys[] = {
    {"verifier.policy_listen", config::Type::strings, "[\"127.0.0.1:10040\"]", 0, 0,
     "where `postseal verifier` serves the Postfix policy protocol (host:port or unix:/path)"},
    {"verifier.policy_socket_mode", config::Type::string, "\"0660\"", 0, 0,
     "mode of a unix policy socket (octal, e.g. \"0660\")"},
    {"verifier.policy_socket_group", config::Type::string, "\"postfix\"", 0, 0,
     "group of a unix policy socket; empty: the owner's group"},
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

}  // namespace

config::File load_config(const Settings& s) {
  return config::File::load_or_default(s.config_path);
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
  sub->add_flag("--greylist", s.greylist,
                "greylist at RCPT after SPF (greylist.enable; postgrey's keys, delays and whitelist files, "
                "state in the [state] store)");
  net::add_log_options(sub, s.log);
}

std::string milter_listen(const Settings& s, const config::File& f) {
  return s.milter.value_or(f.string("milter.listen"));
}

std::shared_ptr<InboundRules> build_rules(const InboundContext& c, const Settings& s, const config::File& f) {
  auto rules = make_rules(c, f, build_options(s, f), s.greylist ? std::optional<bool>(true) : std::nullopt);
  if (!milter_listen(s, f).empty()) {
    auto policy = milter::policy_from_config(f, s.milter_policy);
    if (!policy) throw config_error(policy.error());
    rules->milter = std::move(*policy);
    auto signing = milter::signing_from_config(f, s.milter_mode, *c.clock);
    if (!signing) throw config_error(signing.error());
    rules->signing = std::move(*signing);
  }
  rules->received_spf = f.boolean("proxy.received_spf");
  return rules;
}

void build_service(Service& svc, Settings& s, const config::File& f) {
  dns::apply_config(f, s.dns);
  svc.inbound = make_inbound_context(f, dns::make_resolver(svc.io, s.dns), svc.clock);
  svc.inbound->rules.set(build_rules(*svc.inbound, s, f));
  svc.inbound->failure_sender =
      make_failure_sender(f, s.dns, svc.inbound->rules.get()->dmarc, svc.clock);
}

std::span<const config::Key> service_config_keys() { return kKeys; }

}  // namespace postseal::verifier

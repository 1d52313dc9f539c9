// inbound_options.hpp - what `postseal verifier` (verifier/verifier_command.cpp) and `postseal
// policy` (verifier/policy_command.cpp) share: the [verifier] config keys, the command-line
// Settings that override them, the decision options and the per-transaction rules built from
// both (build_rules, again on each SIGHUP of the verifier), and the Service (clock, resolver,
// inbound context) both commands start with.
//
// Options come from the config file ([verifier] section, conf/postseal.d/verifier.toml) and
// are overridden by the command line, so both commands also run with no config file at all
// (`postseal policy --dns-zone zone.txt`). Untrusted input at start-up: the config file and
// the command line; every bad value is a StartupError (exit 64/78) naming the option.
#pragma once

#include "core/dns/resolver_factory.hpp"
#include "core/net/daemon.hpp"
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/inbound_context.hpp"
#include "verifier/milter/milter.hpp"

#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace postseal::verifier {

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
  std::optional<std::string> milter_mode;  // --milter-mode: milter.mode
  bool greylist = false;              // --greylist: greylist at RCPT (verifier/greylist/), else greylist.enable
  bool proxy = false;                 // serve the before-queue proxy (verifier/proxy/)
  std::string proxy_listen, proxy_relay;
  net::LogOptions log;
};

// Service - what both commands build: the io_context, the clock and the inbound context.
struct Service {
  explicit Service(asio::io_context& context) : io(context) {}
  asio::io_context& io;
  SystemClock clock;
  std::unique_ptr<InboundContext> inbound;
};

// must - the value, or a config_error naming `what`.
template <typename T>
T must(std::expected<T, std::string> v, std::string_view what) {
  if (!v) throw config_error(fmt::format("{}: {}", what, v.error()));
  return *v;
}

// load_config - -c, else the default file when present (every key is declared by main).

config::File load_config(const Settings& s);
// build_options - the decision options: the command line over the [verifier] keys.
decision::Options build_options(const Settings& s, const config::File& f);
// add_policy_options - the options both commands take (config, DNS, decision, logging).
void add_policy_options(CLI::App* sub, Settings& s);
// milter_listen - where the milter is served: --milter, else milter.listen (empty: not served).
std::string milter_listen(const Settings& s, const config::File& f);
// build_rules - the per-transaction rules of `f` under the command line: make_rules with
// build_options and --greylist, plus milter.* (when the milter is served) and
// proxy.received_spf. Run at start and on every SIGHUP; throws StartupError naming the key.
std::shared_ptr<InboundRules> build_rules(const InboundContext& c, const Settings& s, const config::File& f);
// build_service - the resolver ([dns] under the command line), the inbound context and its
// first rules.
void build_service(Service& svc, Settings& s, const config::File& f);

}  // namespace postseal::verifier

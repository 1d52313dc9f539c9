// resolver_factory.cpp - --dns / --dns-zone / dns.* config -> Resolver (see resolver_factory.hpp).
//
// Untrusted input: command-line and config values (local admin). Server addresses are checked
// here (IP literal, optional @PORT 1-65535, at most kMaxForwarders) so the message is clearer
// than libunbound's; the timeout is bounded by kMaxQueryTimeout, the answer cache by
// kMaxCacheEntries entries and kMaxCacheMaxTtl seconds.
#include "core/dns/resolver_factory.hpp"

#include "core/dns/memory_zone.hpp"
#include "core/dns/unbound_resolver.hpp"
#include "core/dns/zone_file.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <CLI/CLI.hpp>
#include <asio/ip/address.hpp>
#include <fmt/format.h>

#include <charconv>

namespace postseal::dns {
namespace {

// kMaxForwarders - servers in one --dns / dns.server value (comma-separated).
constexpr std::size_t kMaxForwarders = 8;

constexpr config::Key kKeys[] = {
    {"dns.server", config::Type::string, "\"\"", 0, 0,
     "DNS server(s) to forward queries to, ADDRESS[@PORT][,...]; empty: /etc/resolv.conf"},
    {"dns.timeout_ms", config::Type::integer, "5000", 1, kMaxQueryTimeout.count(),
     "milliseconds one DNS lookup may take before it counts as a temporary error"},
    {"dns.cache_entries", config::Type::integer, "10000", 0, kMaxCacheEntries,
     "DNS answers kept in postseal's answer cache (least recently used dropped); 0: no cache"},
    {"dns.cache_max_ttl", config::Type::integer, "3600", 0, kMaxCacheMaxTtl,
     "seconds a cached DNS answer is reused at most, whatever its TTL; 0: no cache"},
};

// check_server - "ADDR" or "ADDR@PORT" with ADDR an IPv4 or IPv6 literal.
void check_server(std::string_view s) {
  std::string_view addr = s;
  std::size_t at = s.rfind('@');
  if (at != std::string_view::npos) {
    addr = s.substr(0, at);
    std::string_view port = s.substr(at + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      throw config_error(fmt::format("DNS server '{}': bad port (want ADDRESS@PORT, port "
                                     "1-65535)", printable(s)));
    }
  }
  std::error_code ec;
  asio::ip::make_address(std::string(addr), ec);
  if (ec) {
    throw config_error(fmt::format("DNS server '{}': not an IP address (want ADDRESS or "
                                   "ADDRESS@PORT, e.g. 127.0.0.1@5353)", printable(s)));
  }
}

std::vector<std::string> split_servers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view one = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (one.empty()) continue;
    check_server(one);
    out.emplace_back(one);
    if (out.size() > kMaxForwarders) {
      throw config_error(fmt::format("more than {} DNS servers", kMaxForwarders));
    }
  }
  return out;
}

// check_bounds - the numeric options within their limits, else a config error naming them.
void check_bounds(const ResolverOptions& options) {
  if (options.timeout.count() < 1 || options.timeout > kMaxQueryTimeout) {
    throw config_error(fmt::format("DNS timeout {} ms out of range (1-{})",
                                   options.timeout.count(), kMaxQueryTimeout.count()));
  }
  if (options.cache_entries < 0 || options.cache_entries > kMaxCacheEntries) {
    throw config_error(fmt::format("dns.cache_entries {} out of range (0-{})",
                                   options.cache_entries, kMaxCacheEntries));
  }
  if (options.cache_max_ttl < 0 || options.cache_max_ttl > kMaxCacheMaxTtl) {
    throw config_error(fmt::format("dns.cache_max_ttl {} out of range (0-{})",
                                   options.cache_max_ttl, kMaxCacheMaxTtl));
  }
}

}  // namespace

std::unique_ptr<Resolver> make_resolver(asio::io_context& io, const ResolverOptions& options) {
  static const SystemClock system_clock{};
  return make_resolver(io, options, system_clock);
}

std::unique_ptr<Resolver> make_resolver(asio::io_context& io, const ResolverOptions& options,
                                        const Clock& clock) {
  check_bounds(options);
  if (!options.zone_file.empty()) {
    auto zone = std::make_unique<MemoryZone>();
    if (auto r = read_zone_file(options.zone_file, *zone); !r) {
      throw config_error(fmt::format("DNS zone file: {}", r.error()));
    }
    return zone;
  }
  UnboundOptions unbound;
  unbound.forwarders = split_servers(options.server);
  unbound.timeout = options.timeout;
  auto resolver = std::make_unique<UnboundResolver>(io, std::move(unbound));
  if (options.cache_entries == 0 || options.cache_max_ttl == 0) return resolver;
  return std::make_unique<CachingResolver>(
      std::move(resolver), clock, AnswerCacheOptions{options.cache_entries, options.cache_max_ttl});
}

void add_resolver_options(CLI::App* app, ResolverOptions& options) {
  auto* dns = app->add_option(
      "--dns", options.server,
      "DNS server to ask, ADDRESS[@PORT] (e.g. 127.0.0.1@5353; several comma-separated); "
      "default: dns.server from the config, else the servers in /etc/resolv.conf");
  auto* zone = app->add_option(
      "--dns-zone", options.zone_file,
      "answer DNS lookups from this zone file only, no network (testing): lines "
      "'name [TTL] [IN] TYPE RDATA' with A AAAA MX TXT SPF PTR CNAME NS, and TIMEOUT "
      "(no data) to make lookups of that name time out");
  dns->excludes(zone);
  zone->excludes(dns);
  app->add_option_function<std::int64_t>(
         "--dns-timeout",
         [&options](std::int64_t ms) { options.timeout = std::chrono::milliseconds(ms); },
         "milliseconds one DNS lookup may take before it is a temporary error (default 5000)")
      ->check(CLI::Range(std::int64_t{1}, static_cast<std::int64_t>(kMaxQueryTimeout.count())));
}

void apply_config(const config::File& file, ResolverOptions& options) {
  config::declare(dns_config_keys());
  if (options.server.empty() && options.zone_file.empty()) {
    options.server = file.string("dns.server");
  }
  if (file.has("dns.timeout_ms") && options.timeout == kDefaultQueryTimeout) {
    options.timeout = std::chrono::milliseconds(file.integer("dns.timeout_ms"));
  }
  if (file.has("dns.cache_entries")) options.cache_entries = file.integer("dns.cache_entries");
  if (file.has("dns.cache_max_ttl")) options.cache_max_ttl = file.integer("dns.cache_max_ttl");
}

std::span<const config::Key> dns_config_keys() { return kKeys; }

}  // namespace postseal::dns

// resolver_factory.hpp - build the Resolver a command uses from --dns / --dns-zone / config.
//
// `--dns-zone FILE` gives a MemoryZone read from FILE (zone_file.hpp: master-file subset with
// the test-only TIMEOUT type); otherwise an UnboundResolver forwarding to `--dns SERVER[@PORT]`
// (or dns.server from the config), else to the servers of /etc/resolv.conf. A bad zone file or
// a bad server address is a start-up error (exit 78) naming the file and line. The
// UnboundResolver is wrapped in a CachingResolver (answer_cache.hpp: answers reused for their
// TTL, at most dns.cache_entries of them, for at most dns.cache_max_ttl seconds; either 0: no
// wrapper). A MemoryZone is not wrapped: it is already an in-memory table, its answers carry
// no TTL, and tests count the queries it sees. Config keys: dns.server, dns.timeout_ms,
// dns.cache_entries, dns.cache_max_ttl (main must declare dns_config_keys()).
#pragma once

#include "core/dns/answer_cache.hpp"
#include "core/dns/resolver.hpp"
#include "core/util/clock.hpp"

#include <asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>

namespace CLI {
class App;
}
namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::dns {

struct ResolverOptions {
  std::string zone_file;  // --dns-zone FILE: answer from this file only (tests, debugging)
  std::string server;     // --dns SERVER[@PORT]: forward to this server; empty: resolv.conf
  std::chrono::milliseconds timeout{5000};
  std::int64_t cache_entries = kDefaultCacheEntries;  // dns.cache_entries; 0: no answer cache
  std::int64_t cache_max_ttl = kDefaultCacheMaxTtl;   // dns.cache_max_ttl; 0: no answer cache
};

// make_resolver - the resolver the options ask for; throws StartupError(kExitConfig). The
// answer cache runs on `clock` (the system clock unless given; it must outlive the resolver).
std::unique_ptr<Resolver> make_resolver(asio::io_context& io, const ResolverOptions& options);
std::unique_ptr<Resolver> make_resolver(asio::io_context& io, const ResolverOptions& options,
                                        const Clock& clock);

// add_resolver_options - add --dns and --dns-zone (and --dns-timeout) to a subcommand.
void add_resolver_options(CLI::App* app, ResolverOptions& options);

// apply_config - fill server/timeout from the config where the command line left them empty,
// and the answer cache's size and TTL cap.
void apply_config(const config::File& file, ResolverOptions& options);

// dns_config_keys - dns.server, dns.timeout_ms, dns.cache_entries, dns.cache_max_ttl.
std::span<const config::Key> dns_config_keys();

}  // namespace postseal::dns

// relay_config.cpp - the SECTION.* keys of a relay daemon and reading them (see the header).
#include "core/relay/relay_config.hpp"

#include "core/util/errors.hpp"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <mutex>

namespace postseal::relay {
namespace {

net::Endpoint endpoint_or_throw(const std::string& text, std::string_view section, std::string_view what) {
  auto e = net::parse_endpoint(text);
  if (!e) throw config_error(fmt::format("{}.{} = \"{}\": {}", section, what, text, e.error()));
  return *e;
}

// address_list_or_throw - a list key's entries; a bad one is a config error naming key and entry.
net::AddressList address_list_or_throw(const std::vector<std::string>& entries, std::string_view section,
                                       std::string_view what) {
  net::AddressList list;
  for (const auto& entry : entries)
    if (auto ok = list.add(entry); !ok) throw config_error(fmt::format("{}.{}: {}", section, what, ok.error()));
  return list;
}

// KeyTable - one section's keys with the strings they point into.
struct KeyTable {
  std::deque<std::string> text;  // deque: growing it never moves the strings
  std::vector<config::Key> keys;
  std::string_view keep(std::string s) { return text.emplace_back(std::move(s)); }
  void add(std::string_view section, std::string_view name, config::Type type, std::string fallback,
           std::int64_t min, std::int64_t max, std::string help) {
    keys.push_back(config::Key{keep(fmt::format("{}.{}", section, name)), type, keep(std::move(fallback)), min,
                               max, keep(std::move(help))});
  }
};

KeyTable build_keys(std::string_view s, const Defaults& d) {
  using config::Type;
  KeyTable t;
  t.add(s, "listen", Type::string, fmt::format("\"{}\"", d.listen), 0, 0, std::string(d.listen_help));
  t.add(s, "relay", Type::string, fmt::format("\"{}\"", d.relay), 0, 0, std::string(d.relay_help));
  if (d.lmtp_allowed) t.add(s, "protocol", Type::string, "\"smtp\"", 0, 0, "\"smtp\" or \"lmtp\" towards Postfix");
  if (d.own_process) t.add(s, "user", Type::string, "\"\"", 0, 0, "drop root to this user after binding (and loading keys)");
  t.add(s, "hostname", Type::string, "\"\"", 0, 0, "name in the greeting and EHLO (default: gethostname)");
  if (d.own_process) t.add(s, "threads", Type::integer, std::to_string(d.threads), 1, 64, "threads serving sessions");
  t.add(s, "max_connections", Type::integer, std::to_string(d.max_connections), 1, 10000,
        "sessions at once; more get 421 (match the process limit in master.cf)");
  t.add(s, "command_timeout", Type::integer, std::to_string(kDefaultCommandTimeoutSeconds), 1, 3600,
        "seconds to wait for each command or DATA read");
  t.add(s, "session_timeout", Type::integer, std::to_string(kDefaultSessionTimeoutSeconds), 10, 86400,
        "seconds a session may last in all");
  t.add(s, "data_timeout", Type::integer, std::to_string(kDefaultDataTimeoutSeconds), 1, 86400,
        "seconds the DATA phase of a message may last, plus one per min_data_rate octets");
  t.add(s, "min_data_rate", Type::integer, std::to_string(kDefaultMinDataRate), 0, 1073741824,
        "octets per second of DATA that earn one more second (0: data_timeout in all)");
  t.add(s, "hard_error_limit", Type::integer, std::to_string(kDefaultHardErrorLimit), 1, 1000,
        "error replies to commands before the session is closed with 421");
  t.add(s, "relay_timeout", Type::integer, std::to_string(d.relay_timeout_seconds), 1, d.max_relay_timeout_seconds,
        "seconds to wait for the downstream server per step (below Postfix's own timeout)");
  t.add(s, "relay_idle_seconds", Type::integer, std::to_string(d.relay_idle_seconds), 0, kMaxRelayIdleSeconds,
        "seconds a downstream connection is kept after its session ended, for the next session (0: none)");
  t.add(s, "relay_idle_max", Type::integer, std::to_string(kDefaultRelayIdleMax), 0, kMaxRelayIdleMax,
        "downstream connections kept that way at most (each holds a descriptor and a downstream process)");
  t.add(s, "shutdown_grace", Type::integer, std::to_string(kDefaultShutdownGraceSeconds), 0, 600,
        "seconds SIGTERM waits for transactions in progress");
  t.add(s, "max_message_size", Type::integer, std::to_string(kDefaultMaxMessageSize), 1024, 4294967296,
        "largest message accepted, octets (advertised as SIZE)");
  t.add(s, "memory_spool", Type::integer, std::to_string(kDefaultMemorySpool), 0, 1073741824,
        "message octets kept in memory before spooling to an unlinked temp file");
  t.add(s, "spool_directory", Type::string, "\"/var/tmp\"", 0, 0, "where spool files are made (unlinked at once)");
  t.add(s, "xforward_hosts", Type::strings, "[\"127.0.0.0/8\", \"::1\"]", 0, 0,
        "clients allowed to send XFORWARD (others get 550)");
  return t;
}

std::string key(std::string_view section, std::string_view name) { return fmt::format("{}.{}", section, name); }

}  // namespace

std::span<const config::Key> relay_config_keys(std::string_view section, const Defaults& defaults) {
  static std::mutex mutex;
  static std::map<std::string, KeyTable, std::less<>> tables;
  std::lock_guard lock(mutex);
  auto it = tables.find(section);
  if (it == tables.end()) it = tables.emplace(std::string(section), build_keys(section, defaults)).first;
  return it->second.keys;
}

RelayConfig load_relay_config(const config::File* file, std::string_view s, const Defaults& d) {
  config::declare(relay_config_keys(s, d));
  config::File defaults;
  const config::File& f = file ? *file : defaults;
  RelayConfig c;
  c.listen = endpoint_or_throw(f.string(key(s, "listen")), s, "listen");
  c.relay = endpoint_or_throw(f.string(key(s, "relay")), s, "relay");
  if (d.lmtp_allowed) {
    auto p = f.string(key(s, "protocol"));
    if (p != "smtp" && p != "lmtp")
      throw config_error(fmt::format("{}.protocol = \"{}\": must be \"smtp\" or \"lmtp\"", s, p));
    c.lmtp = p == "lmtp";
  }
  if (d.own_process) c.user = f.string(key(s, "user"));
  c.hostname = f.string(key(s, "hostname"));
  c.threads = d.own_process ? static_cast<int>(f.integer(key(s, "threads"))) : d.threads;
  c.max_connections = static_cast<std::size_t>(f.integer(key(s, "max_connections")));
  c.command_timeout = std::chrono::seconds(f.integer(key(s, "command_timeout")));
  c.session_timeout = std::chrono::seconds(f.integer(key(s, "session_timeout")));
  c.data_timeout = std::chrono::seconds(f.integer(key(s, "data_timeout")));
  c.min_data_rate = static_cast<std::size_t>(f.integer(key(s, "min_data_rate")));
  c.hard_error_limit = static_cast<std::size_t>(f.integer(key(s, "hard_error_limit")));
  c.relay_timeout = std::chrono::seconds(f.integer(key(s, "relay_timeout")));
  c.relay_idle = std::chrono::seconds(f.integer(key(s, "relay_idle_seconds")));
  c.relay_idle_max = static_cast<std::size_t>(f.integer(key(s, "relay_idle_max")));
  c.shutdown_grace = std::chrono::seconds(f.integer(key(s, "shutdown_grace")));
  c.max_message_size = static_cast<std::size_t>(f.integer(key(s, "max_message_size")));
  c.memory_spool = static_cast<std::size_t>(f.integer(key(s, "memory_spool")));
  c.spool_directory = f.string(key(s, "spool_directory"));
  c.xforward_hosts = address_list_or_throw(f.strings(key(s, "xforward_hosts")), s, "xforward_hosts");
  return c;
}

}  // namespace postseal::relay

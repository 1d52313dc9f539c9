// relay_config.hpp - settings of an SMTP relay daemon (`postseal signer`, `postseal verifier
// --proxy`): where it listens, where it relays, its deadlines and message limits, read from
// one section of postseal.toml ([signer], [proxy]) and overridden by the command line.
//
// Untrusted input: the config file and command line (local admin). Every number has bounds
// declared in relay_config_keys(); a bad value is a StartupError naming the key (and, for
// xforward_hosts, the entry: net/address_list.hpp syntax). Timeouts stay
// below Postfix's own (600 s smtp_data_done_timeout / smtpd_proxy_timeout 100 s for proxies).
#pragma once

#include "core/net/address_list.hpp"
#include "core/net/endpoint.hpp"
#include "core/util/config.hpp"

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::relay {

inline constexpr int kDefaultCommandTimeoutSeconds = 300;  // RFC 5321 4.5.3.2.7
inline constexpr int kDefaultSessionTimeoutSeconds = 3600;
// kDefaultDataTimeoutSeconds, kDefaultMinDataRate - the DATA phase of one message may last
// data_timeout seconds plus one second per min_data_rate octets received (Postfix's
// smtpd_min_data_rate, 500 octets/s), so a client trickling its message cannot hold a
// session slot for session_timeout.
inline constexpr int kDefaultDataTimeoutSeconds = 300;
inline constexpr int kDefaultMinDataRate = 500;
// kDefaultHardErrorLimit - error replies of our own (4xx/5xx to commands) before a session is
// closed with 421 (Postfix's smtpd_hard_error_limit default).
inline constexpr int kDefaultHardErrorLimit = 20;
inline constexpr int kDefaultShutdownGraceSeconds = 30;
inline constexpr std::size_t kDefaultMaxMessageSize = 100 * 1024 * 1024;
inline constexpr std::size_t kDefaultMemorySpool = 1024 * 1024;
// kDefaultRelayIdleSeconds, kMaxRelayIdleSeconds - how long a downstream connection is kept
// after its session ended, for the next session (core/relay/downstream_pool.hpp). The default
// stays below the 10 s of Postfix's smtpd_timeout under stress (default ${stress?{10}:{300}}s),
// so the reinjection smtpd rarely closes one first; one it did close is never used.
inline constexpr int kDefaultRelayIdleSeconds = 5;
inline constexpr int kMaxRelayIdleSeconds = 60;
// kDefaultRelayIdleMax, kMaxRelayIdleMax - how many such connections at most (each holds one
// descriptor here and one smtpd process downstream).
inline constexpr int kDefaultRelayIdleMax = 10;
inline constexpr int kMaxRelayIdleMax = 100;

// Defaults - what differs between the daemons built on the relay session.
struct Defaults {
  std::string_view listen;           // "127.0.0.1:10027"
  std::string_view relay;            // "127.0.0.1:10028"
  int relay_timeout_seconds = 300;   // below the client's own timeout
  std::int64_t max_relay_timeout_seconds = 590;
  int threads = 2;
  std::size_t max_connections = 100;
  int relay_idle_seconds = kDefaultRelayIdleSeconds;  // 0: a connection lives as long as its session
  bool lmtp_allowed = true;          // offer the `protocol` key
  bool own_process = true;           // offer `threads` and `user` (else the hosting daemon's apply)
  std::string_view listen_help;
  std::string_view relay_help;
};

struct RelayConfig {
  net::Endpoint listen;
  net::Endpoint relay;
  bool lmtp = false;                   // speak LMTP to our clients (per-recipient replies)
  std::string user;                    // drop to this user after binding and loading keys
  std::string hostname;                // greeting / EHLO name
  int threads = 2;
  std::size_t max_connections = 100;
  std::chrono::seconds command_timeout{kDefaultCommandTimeoutSeconds};
  std::chrono::seconds session_timeout{kDefaultSessionTimeoutSeconds};
  std::chrono::seconds data_timeout{kDefaultDataTimeoutSeconds};
  std::size_t min_data_rate = kDefaultMinDataRate;  // octets/s; 0: data_timeout in all
  std::size_t hard_error_limit = kDefaultHardErrorLimit;
  std::chrono::seconds relay_timeout{300};
  // relay_idle, relay_idle_max - downstream connections kept after their session ended, for
  // the next one (0: none; each session still keeps its own from message to message)
  std::chrono::seconds relay_idle{0};
  std::size_t relay_idle_max = kDefaultRelayIdleMax;
  std::chrono::seconds shutdown_grace{kDefaultShutdownGraceSeconds};
  std::size_t max_message_size = kDefaultMaxMessageSize;
  std::size_t memory_spool = kDefaultMemorySpool;
  std::string spool_directory = "/var/tmp";
  net::AddressList xforward_hosts;     // clients allowed to send XFORWARD (key default: loopback)
};

// relay_config_keys - the SECTION.* keys of a relay daemon (built once per section; the
// returned span stays valid for the program's life).
std::span<const config::Key> relay_config_keys(std::string_view section, const Defaults& defaults);
// load_relay_config - the section's settings (declared defaults when `file` is null).
RelayConfig load_relay_config(const config::File* file, std::string_view section, const Defaults& defaults);

}  // namespace postseal::relay

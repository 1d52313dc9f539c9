// filter_config.hpp - settings of `postseal signer`, from postseal.toml and the command line.
//
// Untrusted input: the config file and command line (local admin). Every number has bounds
// declared in filter_config_keys() (signer_command.cpp); command-line options override the
// file. Defaults: listen 127.0.0.1:10027, relay 127.0.0.1:10028, relay timeout 300 s (below
// Postfix's 600 s smtp_data_done_timeout).
#pragma once

#include "core/net/endpoint.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::signer {

inline constexpr const char* kDefaultListen = "127.0.0.1:10027";
inline constexpr const char* kDefaultRelay = "127.0.0.1:10028";
inline constexpr int kDefaultRelayTimeoutSeconds = 300;       // < Postfix's 600 s
inline constexpr int kDefaultCommandTimeoutSeconds = 300;     // RFC 5321 4.5.3.2.7
inline constexpr int kDefaultSessionTimeoutSeconds = 3600;
inline constexpr int kDefaultShutdownGraceSeconds = 30;
inline constexpr std::size_t kDefaultMaxConnections = 100;
inline constexpr std::size_t kDefaultMaxMessageSize = 100 * 1024 * 1024;
inline constexpr std::size_t kDefaultMemorySpool = 1024 * 1024;

// KeyOption - one `--key DOMAIN:SELECTOR:KEYFILE`.
struct KeyOption {
  std::string domain, selector, path;
};

struct FilterConfig {
  net::Endpoint listen;
  net::Endpoint relay;
  bool lmtp = false;                   // speak LMTP to our clients (per-recipient replies)
  std::string user;                    // drop to this user after binding and loading keys
  std::string hostname;                // greeting / EHLO name
  int threads = 2;
  std::size_t max_connections = kDefaultMaxConnections;
  std::chrono::seconds command_timeout{kDefaultCommandTimeoutSeconds};
  std::chrono::seconds session_timeout{kDefaultSessionTimeoutSeconds};
  std::chrono::seconds relay_timeout{kDefaultRelayTimeoutSeconds};
  std::chrono::seconds shutdown_grace{kDefaultShutdownGraceSeconds};
  std::size_t max_message_size = kDefaultMaxMessageSize;
  std::size_t memory_spool = kDefaultMemorySpool;
  std::string spool_directory = "/var/tmp";
  std::vector<std::string> xforward_hosts{"127.0.0.0/8", "::1"};
};

// load_filter_config - the file's [signer] section (or defaults when `file` is null).
FilterConfig load_filter_config(const config::File* file);
// parse_key_option - "example.com:s2026:/path/key"; throws StartupError (usage) when bad.
KeyOption parse_key_option(const std::string& text);
// host_allowed - whether a peer address matches one of the prefixes ("127.0.0.0/8", "::1").
bool host_allowed(const std::string& address, const std::vector<std::string>& prefixes);

}  // namespace postseal::signer

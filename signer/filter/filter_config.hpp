// filter_config.hpp - settings of `postseal signer`: the [signer] section's relay settings
// (core/relay/relay_config.hpp) and `--key DOMAIN:SELECTOR:KEYFILE`.
//
// Untrusted input: the config file and command line (local admin). Defaults: listen
// 127.0.0.1:10027, relay 127.0.0.1:10028, relay timeout 300 s (below Postfix's 600 s).
#pragma once

#include "core/relay/relay_config.hpp"

#include <string>

namespace postseal::signer {

inline constexpr const char* kDefaultListen = "127.0.0.1:10027";
inline constexpr const char* kDefaultRelay = "127.0.0.1:10028";
inline constexpr int kDefaultRelayTimeoutSeconds = 300;  // < Postfix's 600 s
inline constexpr std::size_t kDefaultMaxConnections = 100;

using FilterConfig = relay::RelayConfig;

// filter_defaults - the signer's relay defaults.
const relay::Defaults& filter_defaults();

// KeyOption - one `--key DOMAIN:SELECTOR:KEYFILE`.
struct KeyOption {
  std::string domain, selector, path;
};

// load_filter_config - the file's [signer] section (or defaults when `file` is null).
FilterConfig load_filter_config(const config::File* file);
// parse_key_option - "example.com:s2026:/path/key"; throws StartupError (usage) when bad.
KeyOption parse_key_option(const std::string& text);

}  // namespace postseal::signer

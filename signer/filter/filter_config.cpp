// filter_config.cpp - the signer's relay defaults, [signer] settings, --key parsing.
#include "signer/filter/filter_config.hpp"

#include "core/util/errors.hpp"

#include <fmt/format.h>

namespace postseal::signer {

const relay::Defaults& filter_defaults() {
  static const relay::Defaults d{
      .listen = kDefaultListen,
      .relay = kDefaultRelay,
      .relay_timeout_seconds = kDefaultRelayTimeoutSeconds,
      .max_relay_timeout_seconds = 590,
      .threads = 2,
      .max_connections = kDefaultMaxConnections,
      .lmtp_allowed = true,
      .listen_help = "where Postfix's dksign transport connects: HOST:PORT or unix:/path",
      .relay_help = "the reinjection smtpd (master.cf 127.0.0.1:10028 ... smtpd)",
  };
  return d;
}

FilterConfig load_filter_config(const config::File* file) {
  return relay::load_relay_config(file, "signer", filter_defaults());
}

KeyOption parse_key_option(const std::string& text) {
  auto first = text.find(':');
  auto second = first == std::string::npos ? std::string::npos : text.find(':', first + 1);
  if (second == std::string::npos || first == 0 || second == first + 1 || second + 1 == text.size())
    throw usage_error(fmt::format("--key {}: expected DOMAIN:SELECTOR:KEYFILE", text));
  return KeyOption{text.substr(0, first), text.substr(first + 1, second - first - 1), text.substr(second + 1)};
}

}  // namespace postseal::signer

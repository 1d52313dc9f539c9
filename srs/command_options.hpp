// command_options.hpp - what `postseal srs` and `postseal srsd` share: the [srs] config keys,
// the command-line options laid over the file, and their checks (separator, hash length, max
// age, listen addresses). Untrusted input: the command line and the config file (local
// admin); a bad value is a StartupError naming the option.
// The SRS domain is checked with the one host-name walker (core/util/hostname.hpp).
#pragma once

#include "core/net/daemon.hpp"
#include "core/net/endpoint.hpp"
#include "core/util/config.hpp"
#include "srs/codec.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace postseal::srs {

// Options - everything either command can be given; unset optionals fall back to the file.
struct Options {
  std::string config;
  std::string address;
  std::optional<std::string> domain, secrets_file, separator, socketmap, tcp_forward, tcp_reverse, user;
  std::optional<int> hash_length, max_age, threads;
  std::optional<std::int64_t> now;
  std::vector<std::string> local_domains;
  net::LogOptions log;
};

// load_config - -c, else /etc/postseal/postseal.toml when it exists, else the defaults.
config::File load_config(const Options& o);
// pick - the command-line value when given, else the file's (or its default).
std::string pick(const std::optional<std::string>& flag, const config::File& f, std::string_view key);
int pick(const std::optional<int>& flag, const config::File& f, std::string_view key);
// srs_domain - --domain, else srs.domain: "" when unset, else a host name (RFC 5321 4.1.2 LDH
// labels, a final dot dropped); anything else is a StartupError naming it.
std::string srs_domain(const Options& o, const config::File& f);
// srs_options - separator, hash length and max age, checked.
SrsOptions srs_options(const Options& o, const config::File& f);
// endpoint - a listener address; none for "" (off).
std::optional<net::Endpoint> endpoint(const std::string& text, std::string_view what);
// add_scheme_options - -c and the options both commands take.
void add_scheme_options(CLI::App* sub, Options& o);

}  // namespace postseal::srs

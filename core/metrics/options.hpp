// options.hpp - the [metrics] section of postseal.toml: where a daemon serves /metrics.
//
// metrics.listen = "ADDRESS:PORT" (an IPv4 literal, or [IPv6]:PORT); empty (the default):
// no HTTP listener and nothing counted. The daemons share one postseal.toml, so each serves
// on its own port from that one: signer PORT, verifier PORT+1, srsd PORT+2 (9151, 9152, 9153
// for the documented 127.0.0.1:9151). Read at start only (a reload that changes it says
// "restart to apply"). Untrusted input: the config value (local admin); a malformed one is a
// StartupError (exit 78) naming the key. The listener has no authentication: the man page
// says to keep it on loopback or behind a firewall.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::metrics {

struct Options {
  std::string listen;  // this daemon's "127.0.0.1:9151"; empty: off
};

// Daemon - who serves: the port offset from metrics.listen.
enum class Daemon { signer = 0, verifier = 1, srsd = 2 };
inline constexpr int kMaxPortOffset = 2;

// load_options - [metrics] of `file` (checked) for `daemon`; throws StartupError.
Options load_options(const config::File& file, Daemon daemon);

// check_listen - empty, or why `text` is not ADDRESS:PORT with PORT 1-(65535 - kMaxPortOffset).
std::string check_listen(const std::string& text);

// daemon_listen - `listen` with its port moved by the daemon's offset ("" stays "").
std::string daemon_listen(const std::string& listen, Daemon daemon);

// check_config - what load_options would refuse in `file` (check-config).
std::vector<std::string> check_config(const config::File& file);

// config_keys - metrics.listen.
std::span<const config::Key> config_keys();

}  // namespace postseal::metrics

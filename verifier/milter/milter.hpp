// milter.hpp - the libmilter front end of `postseal verifier --milter`: SPF (RFC 7208) of
// HELO and MAIL FROM through the shared decision core, every DKIM (RFC 6376, RFC 8463) and
// DomainKeys (RFC 4870) signature verified while the body streams, forged
// Authentication-Results claiming our authserv-id deleted (CVE-2022-48521), one A-R field
// (RFC 8601) and a Received-SPF field prepended, plus smf-spf's options (seed 003).
//
// libmilter speaks the protocol (its own threads, one per MTA connection); each connection's
// state is a Session in the context's private data. The decider, resolver and verifiers'
// DNS lookups run on the service's io_context: a callback hands its coroutine to the
// io_context and waits for it, so the decider and its cache are only touched by io threads.
// The Engine is written before smfi_main() starts and only read afterwards.
// TCP_NODELAY: libmilter opens and accepts the sockets itself and exposes no descriptor or
// option, so the connect callback sets TCP_NODELAY on every accepted (non-listening) TCP
// socket of this process whose local port is the milter port (idempotent; see nodelay.cpp).
// Untrusted input: everything the MTA relays (see session.hpp); the socket spec at start-up.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_verifier.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/milter/session.hpp"

#include <asio/io_context.hpp>

#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::milter {

// kDefaultTimeoutSeconds / kMaxTimeoutSeconds - libmilter's I/O timeout with the MTA.
inline constexpr int kDefaultTimeoutSeconds = 300;
inline constexpr int kMaxTimeoutSeconds = 3600;

// Engine - what the callbacks share (read-only once serving).
struct Engine {
  asio::io_context* io = nullptr;
  decision::Decider* decider = nullptr;
  dns::Resolver* resolver = nullptr;
  const Clock* clock = nullptr;
  dkim::VerifyOptions dkim;
  Policy policy;
  std::string authserv_id;
  int timeout_seconds = kDefaultTimeoutSeconds;
  unsigned short tcp_port = 0;  // milter TCP port (0 for unix sockets): TCP_NODELAY target
};

// libmilter_spec - "127.0.0.1:10041" / "inet:127.0.0.1:10041" / "inet:10041@127.0.0.1" /
// "inet6:..." / "unix:/path" -> libmilter's form; the TCP port (0 for unix) in `port`.
std::expected<std::string, std::string> libmilter_spec(std::string_view text, unsigned short& port);

// open - register the callbacks and open the socket (before privileges are dropped); 0 or -1.
// `engine` must outlive serve().
int open(const std::string& spec, Engine& engine);
// serve - smfi_main(): serve until stop(); libmilter's result (0 on a clean stop).
int serve();
// stop - ask serve() to return.
void stop();

// set_nodelay_on_port - TCP_NODELAY on this process's accepted TCP sockets on local `port`;
// returns how many were set.
int set_nodelay_on_port(unsigned short port);

// config_keys - milter.* (documented in conf/postseal.d/frontends.toml).
std::span<const config::Key> config_keys();
// policy_from_config - smf-spf's options from a loaded config file (errors name the key).
std::expected<Policy, std::string> policy_from_config(const config::File& file);

}  // namespace postseal::milter

// milter.hpp - the libmilter front end of `postseal verifier --milter`: SPF (RFC 7208) of
// HELO and MAIL FROM through the shared decision core, every DKIM (RFC 6376, RFC 8463) and
// DomainKeys (RFC 4870) signature verified while the body streams, forged
// Authentication-Results claiming our authserv-id deleted (CVE-2022-48521), one A-R field
// (RFC 8601) and a Received-SPF field prepended, plus smf-spf's options (docs/compat.md, seed 003);
// with greylist.enable, greylisting per recipient at RCPT (rcpt_greylist.hpp); with
// milter.mode = sign or sign+verify, internal mail DKIM-signed instead (signing.hpp).
//
// libmilter speaks the protocol (its own threads, one per MTA connection); each connection's
// state is a Session in the context's private data. The decider, resolver and verifiers'
// DNS lookups run on the service's io_context: a callback hands its coroutine to the
// io_context and waits for it, so the decider and its cache are only touched by io threads.
// Greylisting's check runs there too, waited for at most state.timeout_ms (rcpt_greylist.hpp).
// The Engine is written before smfi_main() starts and only read afterwards.
// TCP_NODELAY: libmilter opens and accepts the sockets itself and exposes no descriptor or
// option, so open() sets TCP_NODELAY on the listening socket once; Linux hands it on to every
// accepted socket (see nodelay.cpp). A unix socket is made with a restrictive umask, then given
// its owner (the user the daemon becomes), group and mode before privileges drop (socket.cpp).
// Limits: kMaxPacketOctets per milter packet (one header field), max_connections sessions at
// once (more: tempfail at connect, so Postfix answers 4xx and retries).
// Untrusted input: everything the MTA relays (see session.hpp); the socket spec at start-up.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/net/daemon.hpp"
#include "core/net/unix_socket.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_verifier.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/milter/session.hpp"

#include <asio/io_context.hpp>

#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config
namespace postseal::verifier {
struct InboundRules;
struct DmarcRecording;
class FailureSender;
}  // namespace postseal::verifier

namespace postseal::milter {

// kDefaultTimeoutSeconds / kMaxTimeoutSeconds - libmilter's I/O timeout with the MTA.
inline constexpr int kDefaultTimeoutSeconds = 300;
inline constexpr int kMaxTimeoutSeconds = 3600;

// kDefaultMaxConnections / kMaxMaxConnections - milter.max_connections.
inline constexpr int kDefaultMaxConnections = 512;
inline constexpr int kMaxMaxConnections = 10000;
// kMaxPacketOctets - the largest milter packet read: Postfix passes a header field of up to
// header_size_limit (default 102,400 octets) in one packet, above libmilter's 64 KiB default;
// libmilter accepts 64 KiB, 256 KiB or 1 MiB. The session's header caps still bound memory.
inline constexpr std::size_t kMaxPacketOctets = 256 * 1024;
// milter.socket_mode / milter.socket_group: the unix socket rule of core/net/unix_socket.hpp.
using net::kDefaultSocketGroup;
using net::kDefaultSocketMode;
using net::SocketOptions;

// Engine - what the callbacks share (read-only once serving). The rules (decision options,
// smf-spf Policy, DKIM options, authserv-id, DMARC, greylisting) are taken anew at each MAIL
// FROM and kept in the Session to the end of that transaction, so a SIGHUP reaches the next one.
struct Engine {
  asio::io_context* io = nullptr;
  const net::Reloadable<const verifier::InboundRules>* rules = nullptr;
  dns::Resolver* resolver = nullptr;
  const Clock* clock = nullptr;
  int timeout_seconds = kDefaultTimeoutSeconds;  // libmilter takes it once, at smfi_main()
  unsigned short tcp_port = 0;  // milter TCP port (0 for unix sockets): TCP_NODELAY target
  int max_connections = kDefaultMaxConnections;
  SocketOptions socket;         // unix sockets only
  verifier::DmarcRecording* dmarc_recording = nullptr;  // dmarc.report_record: counted for reports
  verifier::FailureSender* failure_sender = nullptr;    // dmarc.failure_reports: RFC 9991 reports
};

// libmilter_spec - "127.0.0.1:10041" / "inet:127.0.0.1:10041" / "inet:10041@127.0.0.1" /
// "inet6:..." / "unix:/path" -> libmilter's form; the TCP port (0 for unix) in `port`.
std::expected<std::string, std::string> libmilter_spec(std::string_view text, unsigned short& port);

// open - register the callbacks and open the socket (before privileges are dropped); the
// error says why not. `engine` must outlive serve().
std::expected<void, std::string> open(const std::string& spec, Engine& engine);
// serve - smfi_main(): serve until stop(); libmilter's result (0 on a clean stop).
int serve();
// stop - ask serve() to return.
void stop();

// pause_accepts_when_out_of_descriptors - from now on, libmilter's listener sleeps
// net::kAcceptPause after accept() fails for want of descriptors or memory, instead of
// spinning (accept_pause.cpp).
void pause_accepts_when_out_of_descriptors();

// set_nodelay_on_listener - TCP_NODELAY on this process's listening TCP socket(s) on local
// `port` (accepted sockets inherit it); one walk over /proc/self/fd at start-up, any fd number.
// Returns how many were set.
int set_nodelay_on_listener(unsigned short port);

// socket_path - the path of a "unix:/path" or "local:/path" spec, empty for TCP specs.
std::string socket_path(std::string_view spec);
// secure_socket - owner, group and mode of the socket (core/net/unix_socket.hpp).
using net::secure_socket;

// config_keys - milter.* (documented in conf/postseal.d/frontends.toml).
std::span<const config::Key> config_keys();
// PolicyOverrides - command-line values laid over the milter.* keys (unset: the file's).
struct PolicyOverrides {
  std::optional<bool> refuse_fail, tag_subject, add_header;
  std::optional<std::string> tag, quarantine_mailbox;
  std::optional<std::vector<std::string>> whitelist_ip, whitelist_ptr, whitelist_from, whitelist_to;
};
// policy_from_config - smf-spf's options from a loaded config file with `overrides` laid
// over it, every value checked the same way (errors name the key).
std::expected<Policy, std::string> policy_from_config(const config::File& file,
                                                      const PolicyOverrides& overrides = {});
// socket_options_from_config - milter.socket_mode / milter.socket_group (errors name the key);
// the owner is left for the caller (the daemon's user option).
std::expected<SocketOptions, std::string> socket_options_from_config(const config::File& file);

}  // namespace postseal::milter

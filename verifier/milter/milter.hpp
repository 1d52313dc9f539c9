// milter.hpp - the milter front end of `postseal verifier --milter`: SPF (RFC 7208) of
// HELO and MAIL FROM through the shared decision core, every DKIM (RFC 6376, RFC 8463) and
// DomainKeys (RFC 4870) signature verified while the body streams, forged
// Authentication-Results claiming our authserv-id deleted (CVE-2022-48521), one A-R field
// (RFC 8601) and a Received-SPF field prepended, plus smf-spf's options (docs/compat.md, seed 003);
// with greylist.enable, greylisting per recipient at RCPT (rcpt_greylist.hpp); with
// milter.mode = sign or sign+verify, internal mail DKIM-signed instead (signing.hpp).
//
// Our own server speaks the protocol (server.hpp, dialog.hpp, protocol.hpp;
// docs/milter-protocol.md): worker threads, each serving one MTA connection at a time; each
// connection's state is a Session its Context holds. A callback that needs the decider or the
// verifiers runs their coroutine to its end on its own worker thread (an io_context per
// thread); only DNS lookups go to the resolver's strand on the service's io_context and come
// back (the decider, the caches and the resolver are thread-safe); end of message runs DKIM,
// DomainKeys and DMARC as one coroutine (message_checks.hpp). Greylisting's check runs on the
// service's io_context, waited for at most state.timeout_ms (rcpt_greylist.hpp).
// The Engine is written before serve() starts and only read afterwards.
// Sockets: core/net's listener (TCP_NODELAY on accepted TCP sockets; a unix socket bound
// owner-only, then given its owner - the user the daemon becomes -, group and mode before
// privileges drop). Limits: kMaxPacketOctets per milter packet (one header field),
// max_connections sessions at once (more: tempfail at connect, so Postfix answers 4xx and
// retries), milter.timeout on every read and write.
// Untrusted input: everything the MTA relays (see session.hpp); the socket spec at start-up.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/net/daemon.hpp"
#include "core/net/unix_socket.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_verifier.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/milter/protocol.hpp"
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

// kDefaultTimeoutSeconds / kMaxTimeoutSeconds - the I/O timeout with the MTA (milter.timeout).
inline constexpr int kDefaultTimeoutSeconds = 300;
inline constexpr int kMaxTimeoutSeconds = 3600;

// kDefaultMaxConnections / kMaxMaxConnections - milter.max_connections.
inline constexpr int kDefaultMaxConnections = 512;
inline constexpr int kMaxMaxConnections = 10000;
// kMaxPacketOctets - the largest milter packet read (protocol.hpp): Postfix passes a header
// field of up to header_size_limit (default 102,400 octets) in one packet. The session's
// header caps still bound memory.
using protocol::kMaxPacketOctets;
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
  int timeout_seconds = kDefaultTimeoutSeconds;  // taken once, by open()
  int max_connections = kDefaultMaxConnections;
  SocketOptions socket;         // unix sockets only
  verifier::DmarcRecording* dmarc_recording = nullptr;  // dmarc.report_record: counted for reports
  verifier::FailureSender* failure_sender = nullptr;    // dmarc.failure_reports: RFC 9991 reports
};

// libmilter_spec - "127.0.0.1:10041" / "inet:127.0.0.1:10041" / "inet:10041@127.0.0.1" /
// "inet6:..." / "unix:/path" -> libmilter's form ("inet:PORT@HOST", "unix:/path"), which
// open() takes (a host must be an IP literal or "localhost"); the TCP port (0 for unix) in `port`.
std::expected<std::string, std::string> libmilter_spec(std::string_view text, unsigned short& port);

// open - make the server and open the socket (before privileges are dropped); the error says
// why not. `engine` must outlive serve().
std::expected<void, std::string> open(const std::string& spec, Engine& engine);
// serve - accept and serve until stop() (connections in progress go on); 0, or 1 when not open.
int serve();
// stop - ask serve() to return.
void stop();

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

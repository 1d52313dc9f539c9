// verify_step.hpp - the before-queue proxy filter's message step (Postfix SMTPD_PROXY_README):
// SPF of the client (XFORWARD ADDR, NAME, HELO) and MAIL FROM through the shared decision
// core (RFC 7208), every DKIM (RFC 6376, RFC 8463) and DomainKeys (RFC 4870) signature
// verified while the body streams, every Authentication-Results field claiming our
// authserv-id dropped (RFC 8601 5, CVE-2022-48521), one Authentication-Results and one
// Received-SPF field prepended; a reject or defer verdict refuses the message at end of DATA
// (550 5.7.23 / 451 4.4.3) so nothing is relayed.
//
// Untrusted input: the envelope and XFORWARD attributes (Postfix relays them from the SMTP
// client), the message, DNS answers. Limits: those of the relay session (header fields and
// octets, message size) and dkim::VerifyOptions::max_signatures. DomainKeys results are
// reported, never used for policy.
#pragma once

#include "core/relay/message_step.hpp"
#include "verifier/inbound_context.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::proxy {

// kMaxReplyTextOctets - untrusted text (sender, domain, DNS reason) kept in an end-of-DATA reply.
inline constexpr std::size_t kMaxReplyTextOctets = 400;
// kMaxClientNameOctets - XFORWARD NAME kept (RFC 1035 2.3.4: names are at most 255 octets).
inline constexpr std::size_t kMaxClientNameOctets = 255;

// Engine - what every message step shares (read-only once serving; used from the
// io_context thread that runs the sessions): the daemon's inbound context. Each message takes
// the context's rules when its step is made (end of header) and keeps them to its end.
struct Engine {
  const verifier::InboundContext* inbound = nullptr;
};

// verify_steps - the relay session's step factory for the proxy.
relay::StepFactory verify_steps(const Engine& engine);

// xforward_address - XFORWARD ADDR ("192.0.2.1", "IPv6:2001:db8::1") as an address; nullopt
// for "[UNAVAILABLE]", "[TEMPUNAVAIL]" or anything that is not an address.
std::optional<asio::ip::address> xforward_address(std::string_view text);
// xforward_name - XFORWARD NAME: the validated name, or "unknown" when Postfix had none.
std::string xforward_name(std::string_view text);
// defer_reply - a decision's DEFER_IF_PERMIT text as an end-of-DATA reply ("451 4.4.3 ...").
std::string defer_reply(std::string_view text);

}  // namespace postseal::proxy

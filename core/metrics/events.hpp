// events.hpp - what the front ends call when something happens: one function per event, each
// a no-op (one relaxed atomic load) until enable() (registry.hpp).
//
// The values passed are the code's own names (dkim::to_string, spf::to_string, a policy
// answer line, ...); each function maps them onto the fixed label values of families.hpp, and
// anything unknown counts as "other". Untrusted input: the domain of count_signed() (from the
// message's From field): only configured signing domains (set_signing_domains) get a series.
#pragma once

#include "core/metrics/registry.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::metrics {

// set_signing_domains - the signing table's domains (at start and on each reload).
void set_signing_domains(const std::vector<std::string>& domains);

// count_signed - one message through the signer or the signing milter; result: "signed",
// "unsigned" or "deferred".
void count_signed(std::string_view domain, std::string_view result);

// count_dkim / count_spf / count_dmarc - one verification result, in RFC 8601 spelling
// ("pass", "temperror", ...; case-insensitive).
void count_dkim(std::string_view result);
void count_spf(std::string_view result);
void count_dmarc(std::string_view result);

// count_policy_answer - one policy service answer, the whole "action=..." line(s).
void count_policy_answer(std::string_view answer);

// count_srs - one SRS map lookup: direction "forward" or "reverse"; result "rewritten",
// "not_rewritten", "not_srs", "bad_hash", "expired" or "malformed".
void count_srs(std::string_view direction, std::string_view result);

// count_relayed - one message at the end of DATA in a relay front end: server "signer" or
// "proxy"; result "relayed" (the next server took it), "refused" (we answered 5xx/4xx: a bad
// message, a policy verdict, a signing failure), "rejected" (the next server's 5xx) or
// "deferred" (its 4xx, or it could not be reached).
void count_relayed(std::string_view server, std::string_view result);

// count_greylist - one greylisting decision: "pass", "defer", "skip", "store error".
void count_greylist(std::string_view decision);

// count_dns_lookup - one lookup sent to libunbound: its rcode ("NOERROR", "NXDOMAIN",
// "SERVFAIL", "timeout") and how long it took.
void count_dns_lookup(std::string_view rcode, std::chrono::steady_clock::duration took);

// count_store_error - one state-store operation that gave no answer: backend "sqlite",
// "redis" or "memory"; error in state::to_string's spelling ("unavailable", "timeout", "bad
// reply", "bad input").
void count_store_error(std::string_view backend, std::string_view error);

// session_started / session_ended - a connection of listener `server` ("signer", "policy",
// "socketmap"...: names from the code, never from a peer) begins / ends.
void session_started(std::string_view server);
void session_ended(std::string_view server);

// policy_action_label - "dunno", "prepend", "defer_if_permit", "reject" (5xx), "defer" (4xx),
// else "other", for an answer "action=WORD ...".
std::string_view policy_action_label(std::string_view answer);

}  // namespace postseal::metrics

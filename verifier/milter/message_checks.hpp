// message_checks.hpp - the milter's DNS-bound checks at end of message in one coroutine:
// every DKIM signature (RFC 6376) and the DomainKeys signature (RFC 4870) finished, then
// DMARC (RFC 9989 5.3) evaluated on their results, when dmarc.enable is on and the header
// block was read whole.
//
// milter.cpp runs this coroutine once per message on the worker thread (run_here): DKIM,
// DomainKeys and DMARC share one run instead of one each (when each was handed to the io
// thread, the hand-offs cost more than DMARC's own work on cached DNS answers; issue 12:
// DMARC's extra milter CPU per message). The order and the inputs are those of separate
// runs: DMARC sees the DKIM results of the same message. Untrusted input: the session's header fields and body
// (bounded by session.hpp) and DNS answers, all parsed under core/; no limits of its own.
#pragma once

#include "core/dkim/verify_result.hpp"
#include "core/dmarc/evaluate.hpp"
#include "core/dns/resolver.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "verifier/milter/session.hpp"

#include <asio/awaitable.hpp>

#include <optional>
#include <vector>

namespace postseal::milter {

// MessageChecks - what end of message found out over DNS.
struct MessageChecks {
  std::vector<dkim::SignatureResult> dkim;         // one per DKIM-Signature; empty: none checked
  std::optional<domainkeys::DkResult> domainkeys;  // nullopt: no DomainKey-Signature
  std::optional<dmarc::Verdict> dmarc;             // nullopt: DMARC off or the header incomplete
};

// check_message - finish s.dkim and s.dk (those set) and evaluate DMARC with `dmarc` (null:
// off). `s` is read, and its verifiers finished, until the coroutine completes.
asio::awaitable<MessageChecks> check_message(Session& s, const verifier::DmarcCheck* dmarc,
                                             dns::Resolver& resolver);

// has_message_checks - whether check_message has anything to do for `s` (not run when not).
bool has_message_checks(const Session& s, const verifier::DmarcCheck* dmarc);

}  // namespace postseal::milter

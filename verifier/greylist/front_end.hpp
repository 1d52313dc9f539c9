// front_end.hpp - what the policy service and the milter share around Greylister::check at
// RCPT, so both greylist by one rule and log alike: the request built from a transaction and
// its SPF decision, and the one log line per greylisted recipient. Untrusted input: the
// client name, sender and recipient (made printable and truncated before they are logged).
#pragma once

#include "verifier/decision/decider.hpp"
#include "verifier/greylist/greylister.hpp"

#include <string>
#include <string_view>

namespace postseal::greylist {

// kMaxLoggedAddressOctets - the longest sender or recipient written into a log line.
inline constexpr std::size_t kMaxLoggedAddressOctets = 200;

// spf_pass_domain - the MAIL FROM domain when SPF passed for it (Request::spf_pass_domain),
// else empty. Points into `sender`.
std::string_view spf_pass_domain(const decision::Decision& d, std::string_view sender);

// describe - "greylist defer, 300 s left (new)" or "greylist pass, delayed 310 s (retry)" for
// a pass or a deferral; empty for a skip (not news) or a store error (the greylister logs an
// outage once).
std::string describe(const Outcome& o);

// log_outcome - "QUEUEID: greylist defer, 300 s left (new); client=NAME[IP] from=<S> to=<R>:
// ANSWER" when describe() has something to say. The policy service, which logs its SPF verdict
// for the same request, puts describe() into that one line instead.
void log_outcome(std::string_view queue_id, const Request& r, const Outcome& o,
                 std::string_view answer);

}  // namespace postseal::greylist

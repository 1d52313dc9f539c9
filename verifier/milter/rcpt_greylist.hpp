// rcpt_greylist.hpp - greylisting in the milter at RCPT TO, with postgrey's semantics
// (docs/compat.md, "postgrey 1.37"): each recipient asks the daemon's greylist::Service - the
// same Greylister::check the policy service calls, with the request and log line of
// greylist/front_end.hpp - after the SPF decision made at MAIL FROM. A first-seen triplet
// gets 450 4.7.1 (greylist.defer_text) for that recipient only; the other recipients of the
// transaction decide on their own, as postgrey does per RCPT. The first recipient of a message
// that passes after a delay has X-Greylist added once at end of message (greylist.add_header).
// verifier.test_only: a deferral is logged, not answered. A recipient SPF refuses (reject with
// milter.refuse_fail, or a temperror deferral) is answered so, not greylisted, as in the policy
// service; smf-spf's milter.whitelist_* keys exempt from SPF only, not from greylisting
// (greylist.skip_networks and the greylist whitelists do that).
//
// Threads: the milter calls back on its worker threads (server.hpp), while the policy service runs the check
// on the service's io_context. The milter posts the check to that io_context and waits for it
// at most state.timeout_ms (check_within); no answer by then and the recipient passes (fail
// open, as for a store error), logged once until the store answers in time again. A check
// still queued when its waiter gave up is dropped; one already running finishes on its io
// thread (each store call is bounded by state.timeout_ms too, core/state/options.hpp).
//
// Untrusted input: the client name, envelope sender and recipient the MTA relays (copied into
// the check's request; the key and whitelist code bound them, greylist/key.hpp).
#pragma once

#include "verifier/greylist/greylister.hpp"
#include "verifier/greylist/service.hpp"

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace postseal::milter {

// RcptGreylist - the milter's answer for one recipient after greylisting.
struct RcptGreylist {
  bool tempfail = false;    // answer `reply` to this recipient (SMFIS_TEMPFAIL)
  std::string reply;        // "450 4.7.1 Greylisted, try again in N seconds"
  bool add_header = false;  // X-Greylist (delayed outcome.seconds) at end of message
  std::string answer;       // what the log line says was answered
};

// rcpt_greylist - the answer for `outcome`: a deferral (unless `test_only`), X-Greylist for
// the first pass of a triplet when service.add_header and no other recipient of the message
// has planned one (`header_planned`), else the recipient goes on.
RcptGreylist rcpt_greylist(const greylist::Outcome& outcome, const greylist::Service& service,
                           bool test_only, bool header_planned);

// check_within - greylister.check(request) run on `io`, waited for at most `limit`; nullopt
// when it did not answer in time (the caller fails open). The request is copied.
std::optional<greylist::Outcome> check_within(asio::io_context& io,
                                              greylist::Greylister& greylister,
                                              const greylist::Request& request,
                                              std::chrono::milliseconds limit);

}  // namespace postseal::milter

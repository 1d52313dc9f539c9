// bounce.hpp - what `postseal dmarc bounce` does with one DSN of our report mail: suppress the
// addresses whose reports failed for good, leave every other address alone.
//
// RFC 3464 2.3.3 (Action) and RFC 3463 2 (Status class 5: permanent failure). A recipient
// with Action "failed" and a 5.x.x Status whose address got report mail from us within
// kSentRecentlyDays (sent_recently.hpp) is suppressed (suppression.hpp) for `suppress_days`
// (dmarc.bounce_suppress_days); the aggregate run and the failure reports then skip it. The
// address looked up is the Original-Recipient (RFC 3461 ORCPT: the address we handed to
// sendmail, when the reporting MTA kept it) when we sent to it, else the Final-Recipient. Not
// suppressed, said why: an address we sent nothing to lately (a forged or stray DSN), "delayed"
// or a 4.x.x Status (temporary: the MTA is still trying), "delivered", "relayed", "expanded",
// an address no report could go to. Untrusted input: the parsed DSN (dsn.hpp, bounded there).
// A store that fails stops the DSN's handling (the caller exits 75 and Postfix retries it).
#pragma once

#include "core/dmarc_report/dsn.hpp"
#include "core/state/store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace postseal::dmarc_report {

// BounceDecision - what became of one recipient of a DSN.
enum class BounceDecision {
  suppressed,    // failed, 5.x.x, and we sent it a report lately
  not_sent_to,   // failed, 5.x.x, but we sent it nothing lately
  temporary,     // delayed, or a 4.x.x Status
  not_failed,    // delivered, relayed, expanded (or failed with a 2.x.x Status)
  not_address,   // not an address reports go to (destination.hpp)
  store_failed,  // the state store did not answer
};

// BounceOutcome - one recipient's decision, with what a log line needs.
struct BounceOutcome {
  BounceDecision decision;
  std::string address;  // the address looked up (printable only after printable())
  std::string action;
  std::string status;
  std::string sent;     // what we had sent it ("aggregate report of 2026-12-06"), if anything
  std::string error;    // the store's error, for store_failed
};

// handle_bounce - decide (and suppress) every recipient of `dsn`; stops at the first store
// failure (its outcome is the last one).
std::vector<BounceOutcome> handle_bounce(state::Store& store, const Dsn& dsn,
                                         std::int64_t suppress_days);

// summarize - the counts of `outcomes` by decision, for the DSN's last log line ("1 suppressed,
// 1 temporary, 0 not sent to by us, 0 not failed, 0 not report addresses").
std::string summarize(const std::vector<BounceOutcome>& outcomes);

// describe - the log text of `outcome` ("rua@example.net: suppressed for 30 days (5.1.1,
// aggregate report of 2026-12-06 bounced)").
std::string describe(const BounceOutcome& outcome, std::int64_t suppress_days);

}  // namespace postseal::dmarc_report

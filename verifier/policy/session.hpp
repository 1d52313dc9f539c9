// session.hpp - one policy connection's state: answers requests through the decision core.
//
// Postfix SMTPD_POLICY_README: one `action=...` line and an empty line per request. State is
// per message (`instance`): the SPF decision of the first recipient is reused for the others,
// so the header is prepended once per message and a reject repeats for every recipient.
// Requests outside the RCPT/MAIL stages get DUNNO. One log line per request: the SPF verdict,
// greylisting's news for the recipient and the action answered. Untrusted input: the request attributes;
// the client address must parse as an IP address (else DUNNO and a warning). Every piece of
// text in an answer is single-line (the decision core makes it safe).
//
// Greylisting (when a greylist::Service is given), tumgreyspf's order: at RCPT, after the SPF
// decision. An SPF reject or defer is answered as before (greylisting is not consulted, nothing
// is recorded); otherwise each recipient is greylisted on its own (the per-instance SPF reuse
// does not apply to it): a deferral answers `DEFER_IF_PERMIT 4.7.1 Greylisted, try again in N
// seconds` in place of the SPF header (the retry brings the header); a store error answers
// what SPF answers (fail open). One action per request, so when a recipient passes greylisting
// for the first time and SPF also has a header to prepend, Received-SPF wins: it is the
// result other filters (SpamAssassin, Sieve rules) read, while X-Greylist is informational.
// X-Greylist is prepended when SPF has nothing to add to this request - for the second and
// later recipients of a message (the Received-SPF header went with the first), or when SPF
// adds no header - at most once per message (postgrey's rule). verifier.test_only applies:
// a deferral is logged, not answered.
#pragma once

#include "verifier/decision/decider.hpp"
#include "verifier/greylist/service.hpp"
#include "verifier/policy/request.hpp"

#include <asio/awaitable.hpp>

#include <string>

namespace postseal::policy {

class PolicySession {
 public:
  explicit PolicySession(decision::Decider& decider, greylist::Service* greylisting = nullptr)
      : decider_(decider), greylisting_(greylisting) {}

  // answer - "action=...\n\n" for one request.
  asio::awaitable<std::string> answer(const PolicyRequest& request);

 private:
  std::string action_for(const decision::Decision& d, bool repeat) const;
  // Greylisted - the action answered and, when greylisting had news (greylist::describe),
  // what it was, for the request's one log line.
  struct Greylisted {
    std::string action;
    std::string news;
    greylist::Request request{};
    greylist::Outcome outcome{};
  };
  Greylisted greylist_action(const PolicyRequest& r, std::string spf_action);

  decision::Decider& decider_;
  greylist::Service* greylisting_;
  std::string header_instance_;  // the message that got its X-Greylist header
  std::string instance_;
  bool have_decision_ = false;
  decision::Decision last_;
};

// to_transaction - the decision core's view of a request; nullopt if client_address is bad.
std::optional<decision::Transaction> to_transaction(const PolicyRequest& request);

}  // namespace postseal::policy

// session.hpp - one policy connection's state: answers requests through the decision core.
//
// Postfix SMTPD_POLICY_README: one `action=...` line and an empty line per request. State is
// per message (`instance`): the SPF decision of the first recipient is reused for the others,
// so the header is prepended once per message and a reject repeats for every recipient.
// Requests outside the RCPT/MAIL stages get DUNNO. Untrusted input: the request attributes;
// the client address must parse as an IP address (else DUNNO and a warning). Every piece of
// text in an answer is single-line (the decision core makes it safe).
#pragma once

#include "verifier/decision/decider.hpp"
#include "verifier/policy/request.hpp"

#include <asio/awaitable.hpp>

#include <string>

namespace postseal::policy {

class PolicySession {
 public:
  explicit PolicySession(decision::Decider& decider) : decider_(decider) {}

  // answer - "action=...\n\n" for one request.
  asio::awaitable<std::string> answer(const PolicyRequest& request);

 private:
  std::string action_for(const decision::Decision& d, bool repeat) const;

  decision::Decider& decider_;
  std::string instance_;
  bool have_decision_ = false;
  decision::Decision last_;
};

// to_transaction - the decision core's view of a request; nullopt if client_address is bad.
std::optional<decision::Transaction> to_transaction(const PolicyRequest& request);

}  // namespace postseal::policy

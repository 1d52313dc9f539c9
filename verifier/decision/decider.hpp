// decider.hpp - the inbound decision core: SPF of HELO and MAIL FROM -> accept, prepend,
// defer or reject, shared by the policy service, the proxy filter and the milter.
//
// Order (postfix-policyd-spf-perl): skips first (localhost always, SASL-authenticated clients
// unless skip_authenticated is off, skip_addresses, whitelist, trusted forwarders,
// domain_whitelist_ptr, domain_whitelist), then HELO, then
// MAIL FROM; a HELO reject or defer decides without checking MAIL FROM; a null sender is
// judged on HELO alone. The header reports the MAIL FROM result when the sender is not null,
// else the HELO result. Untrusted input: the transaction (client address, names, sender,
// HELO: from the SMTP client via Postfix) and everything from DNS; the outcome is a value,
// never an exception. Results are cached (ResultCache) by the injected Clock.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/util/clock.hpp"
#include "verifier/decision/options.hpp"
#include "verifier/decision/received_spf.hpp"
#include "verifier/decision/result_cache.hpp"
#include "verifier/spf/engine.hpp"
#include "verifier/spf/identity.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <functional>
#include <memory>
#include <string>

namespace postseal::decision {

// Transaction - what a front end knows about the message when it asks.
struct Transaction {
  asio::ip::address client_address;
  std::string client_name;  // Postfix's validated name, "unknown", or empty if not supplied
  std::string helo;
  std::string sender;       // empty: null sender
  std::string queue_id;     // for log lines
  std::string sasl_username;  // SASL login name; empty: not authenticated
};

// Verdict - what the front end should do.
enum class Verdict {
  prepend,          // accept, adding `header`
  reject,           // refuse: `reply` is "550 5.7.23 ..."
  defer_if_permit,  // temporary failure unless something else rejects: `reply` is the text
};
std::string_view to_string(Verdict v);

// IdentityCheck - one identity's evaluation.
struct IdentityCheck {
  bool checked = false;
  bool cached = false;
  spf::SpfOutcome outcome;
};

// Decision - the verdict and what led to it.
struct Decision {
  Verdict verdict = Verdict::prepend;
  std::string reply;    // reject: "550 5.7.23 ..."; defer_if_permit: the text
  std::string header;   // prepend: the whole field, one line, no CRLF
  std::string skipped;  // why SPF was not checked; empty when it was
  IdentityCheck helo;
  IdentityCheck mail_from;
};

// SpfChecker - one check_host() evaluation (injected: tests count or fake them).
using SpfChecker = std::function<asio::awaitable<spf::SpfOutcome>(const spf::SpfQuery&)>;
// engine_checker - `engine` over `resolver` with `options` (time cap, clock); both must
// outlive the checker.
SpfChecker engine_checker(spf::SpfEngine& engine, dns::Resolver& resolver, spf::SpfOptions options = {});

// kSkipLocalhost - the comment prepended for connections from localhost (perl daemon's text).
inline constexpr std::string_view kSkipLocalhost = "SPF skipped - localhost is always allowed.";
// kSkipAuthenticated - the same for SASL-authenticated clients (the login name is logged by
// the front end, never written into the message).
inline constexpr std::string_view kSkipAuthenticated = "SPF skipped - SASL authenticated client is always allowed.";

// kHiddenReceiver - receiver= of Received-SPF with hide_receiver (policyd-spf's text).
inline constexpr std::string_view kHiddenReceiver = "<UNKNOWN>";

class Decider {
 public:
  // resolver: used for domain_whitelist_ptr when Postfix did not supply a validated name.
  Decider(Options options, SpfChecker checker, dns::Resolver* resolver, const Clock& clock);

  asio::awaitable<Decision> decide(const Transaction& t);

  const Options& options() const { return options_; }
  ResultCache& cache() { return cache_; }

 private:
  asio::awaitable<std::string> skip_reason(const Transaction& t);
  asio::awaitable<IdentityCheck> check(std::string_view identity, const spf::SpfQuery& query);
  spf::SessionIdentities identities(const Transaction& t) const;
  SpfReport report(spf::Identity id, const Transaction& t, const spf::SpfOutcome& o) const;
  std::string header_for(spf::Identity id, const Transaction& t, const spf::SpfOutcome& o) const;
  std::string reason_text(const SpfReport& r, std::string_view rejectdefer) const;
  std::string reject_reply_text(const SpfReport& r) const;
  std::string defer_reply_text(const SpfReport& r) const;
  bool judge(RejectPolicy policy, const IdentityCheck& c, bool null_sender, spf::Identity id,
             const Transaction& t, Decision& d) const;

  Options options_;
  SpfChecker checker_;
  dns::Resolver* resolver_;
  ResultCache cache_;
};

}  // namespace postseal::decision

// sign_step.hpp - the per-message signing step: decide from the headers whether and with
// which keys to sign (signature_plan.hpp on the From mailbox: the first matching
// [[signer.sender]] row, else the From domain's row; with signer.multiple_signatures every
// matching row), feed the body to one DKIM signer per row, produce the fields to prepend (the
// most specific row's on top). A row whose signing fails is left out and logged, unless its
// require_signature makes the message tempfail; when every row fails the message passes
// unsigned.
//
// RFC 6376 5 (signer actions) through dkim::MessageSigner; docs/security.md 15 (ambiguous From ->
// unsigned or tempfail), 43 (runtime key failure -> 4xx when signing is required). Another
// signature type (DomainKeys, RFC 4870) is added here, beside the DKIM signer, without
// touching the session: for a domain with domainkeys = true the body is fed once to both and
// the DomainKey-Signature goes above the DKIM signatures (below them when domainkeys_headers
// = false: without h= it covers every field under it); a DomainKeys failure (sender rules)
// never blocks DKIM signing nor defers mail, it is only logged. Untrusted input: the message headers and body.
#pragma once

#include "core/mail/header.hpp"
#include "core/net/daemon.hpp"
#include "core/relay/message_step.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/domainkeys/dk_signer.hpp"
#include "signer/filter/signature_plan.hpp"
#include "signer/filter/signing_table.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::signer {

enum class SignDecision { sign, pass_unsigned, tempfail };

// kMustSignReply - the answer to mail that must be signed (require_signature, a From naming
// such a domain ambiguously, a key that fails) and cannot be now: the filter's and the milter's.
inline constexpr std::string_view kMustSignReply = "451 4.7.0 Message must be signed but cannot be, try again later";

class SignStep {
 public:
  // plan - choose from the headers (called when the header block ends).
  SignStep(std::shared_ptr<const SigningTable> table, const std::vector<mail::HeaderField>& headers,
           const Clock& clock);
  SignStep(const SignStep&) = delete;
  SignStep& operator=(const SignStep&) = delete;

  // body - body octets, CRLF, unstuffed, in any split.
  void body(std::string_view chunk);
  // finish - after the body: the fields to prepend (empty when not signing). May turn a
  // sign decision into pass_unsigned or tempfail (key failure).
  std::string finish(const std::vector<mail::HeaderField>& headers);

  SignDecision decision() const { return decision_; }
  // signing_domain - the d= of the first (most specific) row that applies, empty when none does.
  std::string_view signing_domain() const;
  // summary - the log text: "DKIM-Signature added (d=, s=, a=; d=, s=, a=...)", "passed
  // unsigned: why", "deferred: why"; then the rows that failed or the cap left out; for
  // DomainKeys domains followed by ", DomainKey-Signature added (d=, s=, c=)" or ", no
  // DomainKey-Signature: why".
  std::string summary() const;
  // opendkim_lines - OpenDKIM's line per signature added, "DKIM-Signature field added
  // (s=SELECTOR, d=DOMAIN)", so log parsers written for OpenDKIM (postfix_exporter's
  // dashboards) go on counting; empty when nothing was signed.
  std::vector<std::string> opendkim_lines() const;

 private:
  // Part - one planned row and its DKIM signer; keys emptied when its signing failed.
  struct Part {
    PlannedRow row;
    std::unique_ptr<dkim::MessageSigner> dkim;
  };
  void start_domainkeys(const std::vector<mail::HeaderField>& headers);
  std::string sign_parts(const std::vector<mail::HeaderField>& headers);
  std::string add_domainkeys(const std::vector<mail::HeaderField>& headers, std::string fields);

  std::shared_ptr<const SigningTable> table_;  // keeps the rows alive across a reload
  std::vector<Part> parts_;                    // most specific first
  std::size_t dropped_ = 0;                    // keys past kMaxSignaturesPerMessage
  std::vector<std::string> failures_;          // "signing for D failed: why" of rows left out
  const DomainPolicy* dk_policy_ = nullptr;    // the first planned row with domainkeys = true
  std::unique_ptr<domainkeys::DkSigner> dk_;
  std::string dk_summary_;  // "DomainKey-Signature added (...)" or "no DomainKey-Signature: why"
  SignDecision decision_ = SignDecision::pass_unsigned;
  std::string reason_;
};

// TableHolder - the signing table in use; SIGHUP swaps it while sessions keep theirs.
using TableHolder = net::Reloadable<const SigningTable>;

// count_signed - the message in the metrics (postseal_messages_signed_total): its signing
// domain, and "signed", "unsigned" or "deferred" (the filter's and the milter's).
void count_signed(const SignStep& step);

// signing_steps - the relay session's step factory for `postseal signer`: a SignStep per
// message; a tempfail decision refuses the message with 451 4.7.0.
relay::StepFactory signing_steps(const TableHolder& tables, const Clock& clock);

}  // namespace postseal::signer

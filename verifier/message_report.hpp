// message_report.hpp - the header fields an inbound front end (proxy filter, milter) adds to
// a verified message: one Authentication-Results (RFC 8601: spf= per checked identity, dkim=
// per signature, domainkeys=, dmarc= when enabled) and one Received-SPF (RFC 7208 9.1), from the decision core's
// SPF decision and the DKIM / DomainKeys results.
//
// Untrusted input: every value comes from the SMTP client, the message or DNS; the renderers
// under it (auth_results.hpp, decision/received_spf.hpp) make it printable, cut and quoted.
// Fields are folded with CRLF + TAB; a front end that hands values to an MTA over the milter
// protocol turns CRLF into LF itself.
#pragma once

#include "core/dkim/verify_result.hpp"
#include "core/dmarc/evaluate.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "verifier/auth_results.hpp"
#include "verifier/decision/decider.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::verifier {

// MessageReport - what was found out about one message.
struct MessageReport {
  bool decided = false;             // SPF was evaluated (or deliberately skipped) by the decider
  decision::Decision decision;
  std::string client_ip, sender, helo;
  std::vector<dkim::SignatureResult> dkim;
  std::optional<domainkeys::DkResult> domainkeys;
  std::string dkim_not_checked;     // why signatures were not verified (header limits), or empty
  std::optional<dmarc::Verdict> dmarc;  // DMARC (dmarc.enable), evaluated after SPF and DKIM
};

// spf_resinfo - the SPF results of a decision: smtp.mailfrom when MAIL FROM was checked,
// smtp.helo when HELO was.
std::vector<SpfResinfo> spf_resinfo(const decision::Decision& d, std::string_view sender, std::string_view helo);

// auth_results_value - the A-R field value after "Authentication-Results:" (leading space,
// CRLF-TAB folds, no final CRLF).
std::string auth_results_value(const MessageReport& report, std::string_view authserv_id);

// received_spf_value - " result (comment) key=value..." after "Received-SPF:", empty when
// SPF was not evaluated (skipped client, no decision).
std::string received_spf_value(const MessageReport& report, std::string_view receiver);

// kMaxLogValueOctets - a domain or skip reason in the per-message log line.
inline constexpr std::size_t kMaxLogValueOctets = 64;

// result_summary - every result for the per-message log line (after "QUEUEID: "), one word
// per result in RFC 8601 names: "spf=pass (mailfrom) spf=none (helo) dkim=pass (d=example.com)
// domainkeys=none"; "spf=skipped (why)" for a skipped client; values printable and cut.
std::string result_summary(const MessageReport& report);

}  // namespace postseal::verifier

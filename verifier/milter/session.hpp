// session.hpp - one milter connection's state and the pure steps of the milter front end
// (no I/O here, so unit tests drive it): header values from the MTA turned back into
// raw RFC 5322 fields, smf-spf style whitelists, the Authentication-Results (RFC 8601) and
// Received-SPF (RFC 7208 9.1) fields to add, and which forged A-R fields to delete.
//
// Untrusted input: everything the MTA relays from the SMTP client (client name, HELO,
// envelope, header fields, body) and DNS answers. Limits: kMaxHeaderFields fields and
// kMaxHeaderBlockBytes octets of header are collected per message (more: DKIM is not
// checked and the A-R says why); past those limits every field is still looked at for a
// forged Authentication-Results (only its occurrence number is kept, to delete it);
// smtp::kMaxRecipients recipients remembered (for quarantine), kMaxLoginOctets of the SASL login.
#pragma once

#include "core/mail/header.hpp"
#include "core/net/address_list.hpp"
#include "core/smtp/command.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dmarc/evaluate.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "verifier/auth_results.hpp"
#include "verifier/decision/decider.hpp"
#include "signer/filter/sign_step.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::verifier {
struct InboundRules;
struct DmarcCheck;
struct DmarcRecording;
class FailureSender;
}  // namespace postseal::verifier

namespace postseal::milter {

// kDefaultTag - what tag_subject puts in front of the Subject (smf-spf's default).
inline constexpr std::string_view kDefaultTag = "[SPF:fail]";
// kMaxTagOctets - the longest tag accepted.
inline constexpr std::size_t kMaxTagOctets = 64;
// kMaxAddressEntryOctets - the longest whitelist_from / whitelist_to entry (an address).
inline constexpr std::size_t kMaxAddressEntryOctets = 320;
// kMaxLoginOctets - the longest SASL login name ({auth_authen}) kept.
inline constexpr std::size_t kMaxLoginOctets = 320;

// Why a header block was not collected whole (Session::header_problem; the A-R says it, and
// signing.hpp answers with the content filter's reply for the same fault).
inline constexpr std::string_view kBadFieldName = "bad header field name";
inline constexpr std::string_view kBareCrInHeader = "bare CR in header";
inline constexpr std::string_view kTooManyFields = "too many header fields";
inline constexpr std::string_view kHeaderTooLarge = "header block too large";

// Policy - smf-spf's options (docs/compat.md, seed 003) on top of the shared decision options.
struct Policy {
  bool refuse_fail = true;    // reject (at RCPT) what the decider rejects; off: tag instead
  bool tag_subject = true;    // prefix the Subject of failing, accepted mail with `tag`
  std::string tag{kDefaultTag};
  bool add_header = true;     // add Received-SPF
  std::string quarantine;     // mailbox that receives failing mail instead of its recipients
  net::AddressList whitelist_ip;
  std::vector<std::string> whitelist_ptr;   // client host names (see host_listed)
  std::vector<std::string> whitelist_from;  // envelope senders (see address_listed)
  std::vector<std::string> whitelist_to;    // envelope recipients (see address_listed)
};

// Session - the private data of one milter connection.
struct Session {
  // connection
  std::optional<asio::ip::address> client;
  std::string client_name;  // validated name or "unknown"
  std::string helo;
  std::string daemon_name;  // {daemon_name} at connect (milter.sign_daemons)
  // message
  std::shared_ptr<const verifier::InboundRules> rules;  // taken at MAIL FROM (SIGHUP: the next one)
  bool client_whitelisted = false;  // whitelist_ip / whitelist_ptr of the rules
  std::string queue_id;
  std::string sasl_username;  // {auth_authen}: empty when the client did not authenticate
  std::string sender;
  bool sender_whitelisted = false;
  std::vector<std::string> recipients;  // accepted and not in whitelist_to: what quarantine moves
  std::optional<std::int64_t> greylist_delayed;  // seconds for X-Greylist (rcpt_greylist.hpp)
  bool decided = false;
  decision::Decision decision;
  std::vector<mail::HeaderField> fields;
  std::size_t header_octets = 0;
  std::string header_problem;  // why the header block was not collected whole
  int auth_results_seen = 0;   // Authentication-Results fields so far, stored or not
  std::vector<int> forged;     // their occurrence numbers (1-based) that claim our authserv-id
  std::optional<std::string> subject;  // the first Subject value, kept even past the limits
  std::optional<dkim::MessageVerifier> dkim;
  std::optional<domainkeys::DkVerifier> dk;
  // signing (signing.hpp): why the message is internal (then signed, not checked)
  std::optional<std::string> internal;
  std::unique_ptr<signer::SignStep> sign;

  void reset_message();
};

// strip_angle - "<a@b>" -> "a@b" (also without brackets; "<>" -> "").
std::string strip_angle(std::string_view arg);
// client_name_from - the connect packet's host name: "[192.0.2.1]" (no name) -> "unknown".
std::string client_name_from(std::string_view hostname);
// address_listed - whether `address` matches an entry of `list` (smf-spf's WhitelistFrom /
// WhitelistTo forms), case-insensitive, anchored at the '@' and at label boundaries rather
// than smf-spf's raw substring match (which lets "x@example.com.evil.test" in):
//   "user@domain" that address; "user@" that local part at any domain; "@domain" that domain
//   exactly; "domain" that domain or a subdomain; ".domain" a subdomain only.
bool address_listed(std::string_view address, const std::vector<std::string>& list);
// host_listed - whether the client host name matches an entry of `list` (WhitelistPTR):
// "host.example" that name or a subdomain; ".example" a subdomain only; "unknown" never.
bool host_listed(std::string_view name, const std::vector<std::string>& list);
// raw_field - "Name:" + value, bare LF in the value turned into CRLF (MTAs send LF folds).
// `leading_space`: the MTA kept the space after the colon (SMFIP_HDR_LEADSPC); else one is added.
mail::HeaderField raw_field(std::string_view name, std::string_view value, bool leading_space);
// add_field - collect one field within the limits; false once a limit is passed. Whatever
// the limits, the first Subject is noted in s.subject (tagging must not add a second one) and
// an Authentication-Results field claiming `authserv_id` in s.forged.
bool add_field(Session& s, mail::HeaderField field, std::string_view authserv_id);
// add_mta_field - one field as the MTA hands it over (name and value apart): the name must be
// a field name as a whole (no ':', CR, LF, controls), else s.header_problem; then raw_field +
// add_field. A name holding a colon would be split elsewhere once written as "Name:value", so
// checking the written field's name alone let a bare LF in (found by milter_packet_fuzz).
bool add_mta_field(Session& s, std::string_view name, std::string_view value, bool leading_space,
                   std::string_view authserv_id);
// forged_occurrences - s.forged highest first (deleting does not renumber the rest), as
// smfi_chgheader counts: the n-th Authentication-Results field.
std::vector<int> forged_occurrences(const Session& s);
// results_log_text - the A-R value (auth_results_value) as one log line without the
// authserv-id: "spf=pass smtp.mailfrom=...; dkim=pass header.d=...; domainkeys=none".
std::string results_log_text(std::string_view auth_results_value);
// spf_resinfo - the SPF results of the decision for Authentication-Results.
std::vector<verifier::SpfResinfo> spf_resinfo(const Session& s);
// auth_results_value - the A-R field value (after "Authentication-Results:"), folded with LF.
std::string auth_results_value(const Session& s, std::string_view authserv_id,
                               const std::vector<dkim::SignatureResult>& dkim,
                               const std::optional<domainkeys::DkResult>& dk,
                               const std::optional<dmarc::Verdict>& dmarc = std::nullopt);
// dmarc_message - what DMARC needs of the session's message (verifier/dmarc_check.hpp).
dmarc::Message dmarc_message(const Session& s, const std::vector<dkim::SignatureResult>& dkim);
// record_dmarc - count the message for DMARC aggregate reports (verifier/dmarc_record.hpp).
void record_dmarc(const Session& s, const std::vector<dkim::SignatureResult>& dkim,
                  const dmarc::Verdict& verdict, const verifier::DmarcCheck& check,
                  verifier::DmarcRecording& recording);
// submit_failure_reports - queue the message's DMARC failure reports, arrived at `now`
// (verifier/failure_sender.hpp; it never waits for them).
void submit_failure_reports(const Session& s, const std::vector<dkim::SignatureResult>& dkim,
                            const dmarc::Verdict& verdict, std::string_view authserv_id,
                            std::int64_t now, verifier::FailureSender& sender);
// received_spf_value - the Received-SPF value for the decision, empty when SPF was skipped.
std::string received_spf_value(const Session& s, std::string_view receiver);
// spf_flagged - whether accepted mail gets smf-spf's treatment (Subject tag, quarantine):
// the decider would reject it, or the reported SPF result (MAIL FROM, else HELO) is fail or
// softfail (docs/compat.md, seed 003: "at SPF SoftFail and Fail (if RefuseFail set to off)").
bool spf_flagged(const Session& s);
// SubjectEdit - how to tag the Subject: replace the first Subject field's value, or add one.
struct SubjectEdit {
  bool replace = false;
  std::string value;  // with its leading space, folds as LF (handed to the MTA)
};
// subject_edit - "Subject: TAG original" (or "Subject: TAG" when the message has none);
// `subject` is Session::subject (the value after the colon, CRLF folds).
SubjectEdit subject_edit(const std::optional<std::string>& subject, std::string_view tag);
// to_lf - CRLF -> LF (header values handed to the MTA).
std::string to_lf(std::string_view text);

}  // namespace postseal::milter

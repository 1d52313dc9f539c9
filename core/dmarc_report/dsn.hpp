// dsn.hpp - reading a delivery status notification (a bounce) of our report mail.
//
// RFC 6522 (the message is multipart/report; report-type=delivery-status), RFC 3464 2.1 (the
// message/delivery-status part: a group of per-message fields, then one group of
// per-recipient fields per recipient, groups separated by blank lines, fields in header
// syntax), 2.2 (per-message fields: Reporting-MTA), 2.3.1 (Original-Recipient) and 2.3.2
// (Final-Recipient): "address-type ; generic-address", 2.3.3 (Action: failed, delayed,
// delivered, relayed, expanded), 2.3.4 (Status: class "." subject "." detail, RFC 3463);
// RFC 6533 3 (message/global-delivery-status and its utf-8 address type, read the same way).
// MIME structure: core/mail/mime.hpp. The parser has no side effects; what is done with a
// DSN is bounce.hpp's job.
//
// Untrusted input: the whole message, from anyone who can mail dmarc.report_bounce_address.
// Lines end in CRLF (the caller turns bare LF into CRLF). Limits: kMaxDsnOctets in all;
// kMaxDsnLineOctets per line of the message header and of the status part (the returned
// message is not read); kMaxDsnHeaderFields in the message header and in each part header;
// kMaxDsnGroupFields per field group; kMaxDsnRecipients groups; an address longer than
// kMaxAddressOctets (destination.hpp) makes its group unusable; a recipient group without a
// usable Final-Recipient, Action or Status is skipped and counted, not an error.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

inline constexpr std::size_t kMaxDsnOctets = 10 * 1024 * 1024;  // 10 MiB, the message
inline constexpr std::size_t kMaxDsnLineOctets = 4096;
inline constexpr std::size_t kMaxDsnHeaderFields = 200;
inline constexpr std::size_t kMaxDsnGroupFields = 50;
inline constexpr std::size_t kMaxDsnRecipients = 100;

// DsnRecipient - one per-recipient group (RFC 3464 2.3), fields named as there.
struct DsnRecipient {
  std::string original_recipient;  // the address of Original-Recipient, "" when absent
  std::string final_recipient;     // the address of Final-Recipient
  std::string action;              // lower case: "failed", "delayed", ...
  std::string status;              // "5.1.1"
};

// Dsn - what a DSN says.
struct Dsn {
  std::string reporting_mta;  // the Reporting-MTA value (printable, shortened), "" when absent
  std::vector<DsnRecipient> recipients;
  std::size_t skipped = 0;    // recipient groups without a usable Final-Recipient/Action/Status
};

enum class DsnError {
  too_large,            // over kMaxDsnOctets
  no_header_end,        // no empty line after the header
  bad_header,           // a header (message or part) that does not parse or is over the limits
  line_too_long,        // a header or status part line over kMaxDsnLineOctets
  not_report,           // no Content-Type: multipart/report
  not_delivery_status,  // report-type is not delivery-status
  no_boundary,          // multipart without a (valid) boundary parameter
  bad_multipart,        // no delimiter line, or too many parts
  no_status_part,       // no message/delivery-status part
  encoded_status_part,  // a Content-Transfer-Encoding other than 7bit, 8bit or binary
  too_many_recipients,  // over kMaxDsnRecipients groups
  bad_status_group,     // a field group that does not parse or has over kMaxDsnGroupFields
};
std::string_view to_string(DsnError e);

// parse_dsn - the DSN of `message` (CRLF), or why it is not one we can read.
std::expected<Dsn, DsnError> parse_dsn(std::string_view message);

// status_class - the class digit of a Status value ('2', '4' or '5'), 0 when not a status.
char status_class(std::string_view status);

}  // namespace postseal::dmarc_report

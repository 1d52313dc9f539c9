// message.hpp - the mail that carries one aggregate report to one rua address.
//
// RFC 9990 3.3: an RFC 5322 message formatted per RFC 2045 with the report as an
// application/gzip attachment named by report_file_name(), the Subject of report_subject()
// and a short text/plain part; Auto-Submitted: auto-generated (RFC 3834) so responders do
// not answer it. Lines end in LF (it goes to sendmail, which makes CRLF). Input: our own
// values (addresses checked by destination.hpp, the submitter from config); the attachment
// is base64 in lines of kBase64LineOctets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kBase64LineOctets - RFC 2045 6.8: encoded lines of at most 76 characters.
inline constexpr std::size_t kBase64LineOctets = 76;

// ReportMail - what goes into the message.
struct ReportMail {
  std::string from;       // dmarc.report_email
  std::string to;         // the rua address
  std::string subject;    // report_subject()
  std::string report_id;  // for Message-ID
  std::string policy_domain;
  std::string file_name;  // report_file_name()
  std::string gzip;       // the attachment
  std::int64_t date = 0;  // seconds since the epoch (the injected clock)
};

// rfc5322_date - "Sun, 06 Dec 2026 22:15:00 +0000".
std::string rfc5322_date(std::int64_t epoch_seconds);

// report_message - the whole message, header and body.
std::string report_message(const ReportMail& mail);

}  // namespace postseal::dmarc_report

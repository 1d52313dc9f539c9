// message.cpp - the report mail (see message.hpp).
#include "core/dmarc_report/message.hpp"

#include "core/crypto/base64.hpp"
#include "core/dmarc_report/row.hpp"

#include <fmt/format.h>

#include <ctime>

namespace postseal::dmarc_report {

std::string rfc5322_date(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return text;
}

std::string report_message(const ReportMail& m) {
  const std::string boundary = "=_postseal_" + digest(m.report_id + m.to);
  std::string out;
  out += fmt::format("From: {}\n", m.from);
  out += fmt::format("To: {}\n", m.to);
  out += fmt::format("Date: {}\n", rfc5322_date(m.date));
  out += fmt::format("Subject: {}\n", m.subject);
  out += fmt::format("Message-ID: <{}.{}>\n", digest(m.report_id + m.to), m.report_id);
  out += "Auto-Submitted: auto-generated\n";
  out += "MIME-Version: 1.0\n";
  out += fmt::format("Content-Type: multipart/mixed; boundary=\"{}\"\n\n", boundary);
  out += "This is a DMARC aggregate report (RFC 9990) in MIME format.\n\n";
  out += fmt::format("--{}\nContent-Type: text/plain; charset=us-ascii\n\n", boundary);
  out += fmt::format("DMARC aggregate report for {}, Report-ID <{}>, in the attached file.\n\n",
                     m.policy_domain, m.report_id);
  out += fmt::format("--{}\nContent-Type: application/gzip; name=\"{}\"\n", boundary, m.file_name);
  out += fmt::format("Content-Disposition: attachment; filename=\"{}\"\n", m.file_name);
  out += "Content-Transfer-Encoding: base64\n\n";
  const std::string encoded = crypto::base64_encode(m.gzip);
  for (std::size_t i = 0; i < encoded.size(); i += kBase64LineOctets)
    out += std::string_view(encoded).substr(i, kBase64LineOctets), out += '\n';
  out += fmt::format("\n--{}--\n", boundary);
  return out;
}

}  // namespace postseal::dmarc_report

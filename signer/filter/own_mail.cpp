// own_mail.cpp - signing our own mail with the signing table (see own_mail.hpp).
#include "signer/filter/own_mail.hpp"

#include "core/mail/header.hpp"
#include "core/mail/line_ends.hpp"
#include "core/util/errors.hpp"

namespace postseal::signer {
namespace {

// to_lf - CRLF turned back into LF (the message goes to sendmail with LF line ends).
std::string to_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
  return out;
}

}  // namespace

OwnMailSignature sign_own_mail(std::shared_ptr<const SigningTable> table, std::string_view message,
                               const Clock& clock) {
  // bare LF to CRLF: the form DKIM hashes (RFC 6376 3.4)
  const std::string crlf = mail::to_crlf(message);
  const std::size_t end = crlf.find("\r\n\r\n");
  OwnMailSignature out;
  if (end == std::string::npos) {
    out.summary = "passed unsigned: no end of header block";
    return out;
  }
  auto headers = mail::parse_header_block(std::string_view(crlf).substr(0, end + 2));
  if (!headers) {
    out.summary = "passed unsigned: header block: " + std::string(mail::to_string(headers.error()));
    return out;
  }
  SignStep step(std::move(table), *headers, clock);
  step.body(std::string_view(crlf).substr(end + 4));
  out.fields = to_lf(step.finish(*headers));
  out.decision = step.decision();
  out.summary = step.summary();
  return out;
}

dmarc_report::SignMail report_mail_signer(const config::File& file, const std::string& domain,
                                          const Clock& clock) {
  auto table = build_signing_table(&file, {});
  if (!table) throw config_error(table.error());
  if ((*table)->lookup(domain) == nullptr) return {};
  return [table = *table, &clock](std::string_view message) {
    auto s = sign_own_mail(table, message, clock);
    return dmarc_report::MailSignature{std::move(s.fields), std::move(s.summary),
                                       s.decision == SignDecision::tempfail};
  };
}

}  // namespace postseal::signer

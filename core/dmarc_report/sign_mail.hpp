// sign_mail.hpp - DKIM-signing report mail: the hook the aggregate report run and the failure
// report sender share, so both apply one rule.
//
// RFC 9990 3.3 and RFC 9991 (report mail must pass DMARC with an aligned identifier): the
// domain of dmarc.report_email signs its report mail. The signing itself is injected (SignMail;
// `postseal dmarc report` and the verifier pass signer/filter/own_mail.hpp's
// report_mail_signer, the content filter's [[signer.domain]] table and code). Input: our own
// message; no untrusted text beyond what the report builders already bounded.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// MailSignature - what signing one report mail gave.
struct MailSignature {
  std::string fields;   // DKIM-Signature fields to prepend, LF line ends; "" = send unsigned
  std::string summary;  // "DKIM-Signature added (d=, s=, a=)" or why not
  bool defer = false;   // the domain requires a signature and none could be made: send later
};

// SignMail - signs one report mail; empty when no key signs the reporting domain.
using SignMail = std::function<MailSignature(std::string_view message)>;

// SignedMail - a report mail as handed to sendmail, and its signature's summary ("" unsigned).
struct SignedMail {
  std::string message;
  std::string signed_by;
};

// sign_mail - `message` with the fields `sign` gives prepended (as it is when `sign` is
// empty); the summary as the error when a required signature cannot be made now.
std::expected<SignedMail, std::string> sign_mail(const SignMail& sign, std::string message);

}  // namespace postseal::dmarc_report

// own_mail.hpp - DKIM-signing mail postseal writes itself (the DMARC aggregate report mail of
// `postseal dmarc report`, the failure reports of the verifier), with the content filter's
// [[signer.domain]] table and SignStep, so one copy of every signing rule applies (key choice by
// From domain, subdomains, h= and its oversigning, require_signature).
//
// RFC 6376 5 (signer actions); RFC 9990 3.3 and RFC 9991 (report mail must pass DMARC with an
// aligned identifier: the From domain signs it, docs/dmarc.md "Reporting"). Input: our own message
// (LF or CRLF line ends), no untrusted text; its header block is parsed by
// core/mail/header.hpp with that parser's limits.
#pragma once

#include "core/dmarc_report/sign_mail.hpp"
#include "core/util/clock.hpp"
#include "signer/filter/sign_step.hpp"
#include "signer/filter/signing_table.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::signer {

// OwnMailSignature - what signing one message gave.
struct OwnMailSignature {
  SignDecision decision = SignDecision::pass_unsigned;
  std::string fields;   // the DKIM-Signature fields to prepend, LF line ends ("" unless signed)
  std::string summary;  // SignStep::summary(): "DKIM-Signature added (d=, s=, a=)" or why not
};

// sign_own_mail - sign `message` (header block, empty line, body) as the content filter would.
OwnMailSignature sign_own_mail(std::shared_ptr<const SigningTable> table, std::string_view message,
                               const Clock& clock);

// report_mail_signer - the SignMail of report mail from `domain` (dmarc.report_email's):
// sign_own_mail with the [[signer.domain]] table of `file`; empty when no key signs `domain`
// (the caller says that its mail goes unsigned). Throws StartupError (78) when the table
// cannot be built, as the signer would. `clock` must outlive the result.
dmarc_report::SignMail report_mail_signer(const config::File& file, const std::string& domain,
                                          const Clock& clock);

}  // namespace postseal::signer

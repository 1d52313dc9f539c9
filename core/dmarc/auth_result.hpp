// auth_result.hpp - a DMARC verdict as text: an Authentication-Results resinfo and SMTP replies.
//
// RFC 8601 2.2 (resinfo: method=result, a comment, ptype.property=value), RFC 9989 9.2
// (dmarc result names), 7.2 (reject text naming DMARC: "550 5.7.1 Email rejected per DMARC
// policy for example.com"; a deferral is a 4xy reply). Untrusted input: none reaches the text
// unchecked: the Author Domain is a checked DNS name (evaluate.hpp) and the reason goes into
// a comment through dkim::comment_text(). Limits: the reason's length (kMaxReasonOctets).
#pragma once

#include "core/dmarc/evaluate.hpp"

#include <string>

namespace postseal::dmarc {

// format_result - "dmarc=fail (reason) header.from=example.com policy.dmarc=reject"; the
// comment only when the result is not pass, header.from only when there is an Author Domain,
// policy.dmarc only on fail.
std::string format_result(const Verdict& verdict);

// reject_reply - "550 5.7.1 Email rejected per DMARC policy for DOMAIN" (RFC 9989 7.2).
std::string reject_reply(const Verdict& verdict);
// defer_reply - "451 4.7.1 DMARC policy for DOMAIN could not be checked, try again later".
std::string defer_reply(const Verdict& verdict);

}  // namespace postseal::dmarc

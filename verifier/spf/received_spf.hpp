// received_spf.hpp - SPF results as header text: the Received-SPF field (RFC 7208 9.1, in
// the form the Postfix SPF policy daemons print) and the spf= clause of
// Authentication-Results (RFC 8601 2.7.2, smtp.mailfrom / smtp.helo).
//
// Every value comes from the peer or from DNS (untrusted): it goes through printable() (no
// CR, LF or other controls, bounded length), comments get their parentheses and backslashes
// quoted, and values that are not dot-atoms are written as quoted-strings.
#pragma once

#include "verifier/spf/identity.hpp"

#include <string>
#include <string_view>

namespace postseal::spf {

// Longest value copied from an untrusted source into a header field.
inline constexpr std::size_t kMaxHeaderValue = 256;

// received_spf - the whole field "Received-SPF: RESULT (COMMENT) key=value; ..." (unfolded).
std::string received_spf(const SpfCheck& check, std::string_view receiver);
// received_spf_value - the same without the "Received-SPF: " name.
std::string received_spf_value(const SpfCheck& check, std::string_view receiver);
// auth_results_clause - "spf=RESULT smtp.mailfrom=ADDR" or "spf=RESULT smtp.helo=NAME".
std::string auth_results_clause(const SpfCheck& check);
// explanation_text - the text to give an SMTP client for a fail: the exp= text or a default.
std::string explanation_text(const SpfCheck& check);

}  // namespace postseal::spf

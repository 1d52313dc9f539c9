// explanation.hpp - the text given to an SMTP client for an SPF fail (RFC 7208 6.2: the exp=
// text when the domain published one and it expanded cleanly, else a default).
//
// Untrusted input: the explanation (from DNS) and the domain; both go through printable()
// (no CR, LF or other controls) and are bounded. Header fields (Received-SPF, the spf= clause
// of Authentication-Results) are rendered by verifier/decision/received_spf.hpp and
// verifier/auth_results.hpp, one renderer for every command and front end.
#pragma once

#include "verifier/spf/identity.hpp"

#include <string>

namespace postseal::spf {

// kMaxHeaderValue - the longest domain copied into the default text.
inline constexpr std::size_t kMaxHeaderValue = 256;

// explanation_text - the exp= text, or "SPF fail: IP is not authorized to send for DOMAIN".
std::string explanation_text(const SpfCheck& check);

}  // namespace postseal::spf

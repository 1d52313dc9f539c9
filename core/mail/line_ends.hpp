// line_ends.hpp - a message's line ends made CRLF, the form RFC 5322 2.1 and the parsers here
// (header.hpp, mime.hpp) expect, for text that arrives with LF line ends (sendmail's input,
// Postfix's pipe(8) and local(8) deliveries).
//
// Input: any text; a CR already before an LF is kept. No limits: the caller bounds the text.
#pragma once

#include <string>
#include <string_view>

namespace postseal::mail {

// to_crlf - `text` with every LF not preceded by CR turned into CRLF.
std::string to_crlf(std::string_view text);

}  // namespace postseal::mail

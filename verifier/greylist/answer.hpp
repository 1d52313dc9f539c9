// answer.hpp - the text greylisting adds to an answer: the deferral reply and the X-Greylist
// header (postgrey's "X-Greylist: delayed %t seconds by postgrey-%v at %h; %d", with an RFC
// 5322 3.3 date in UTC). Untrusted input: none (the host is the configured authserv-id, the
// text is checked by check_defer_text at start-up).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postseal::greylist {

// kVersion - the postseal version named in X-Greylist (the project version in CMakeLists.txt).
extern const std::string_view kVersion;

// defer_reply - "4.7.1 " and `text` with %s replaced by `seconds`.
std::string defer_reply(std::string_view text, std::int64_t seconds);
// kXGreylist - the header field's name.
inline constexpr std::string_view kXGreylist = "X-Greylist";
// x_greylist_value - the field value after the colon: "delayed N seconds by postseal-VERSION at
// HOST; DATE" (no leading space, no CRLF).
std::string x_greylist_value(std::int64_t seconds, std::string_view host, std::int64_t now);
// x_greylist_header - the whole header field, one line, no CRLF.
std::string x_greylist_header(std::int64_t seconds, std::string_view host, std::int64_t now);
// rfc5322_date - "Sun, 06 Dec 2026 18:07:33 +0000" (RFC 5322 3.3, UTC).
std::string rfc5322_date(std::int64_t epoch_seconds);

}  // namespace postseal::greylist

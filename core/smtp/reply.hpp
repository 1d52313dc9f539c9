// reply.hpp - SMTP replies: build ours, parse the ones a server sends (RFC 5321 4.2, RFC 3463).
//
// Untrusted input: reply lines from the downstream server. Limits: kMaxReplyLines lines per
// reply (Postfix's smtpd_proxy caps stored multi-line text the same way), each line at most
// kMaxCommandLineOctets; a code must be three digits 2xx-5xx and the same on every line.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::smtp {

inline constexpr std::size_t kMaxReplyLines = 100;

struct Reply {
  int code = 0;                    // 250, 451, ...
  std::vector<std::string> lines;  // texts after "250-" / "250 "
  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  // text - the lines joined by "; ", printable, for logs and mirrored replies.
  std::string text() const;
  // wire - "250-a\r\n250 b\r\n".
  std::string wire() const;
};

Reply make_reply(int code, std::string_view text);

// ReplyLine - one parsed line of a (possibly multi-line) reply.
struct ReplyLine {
  int code = 0;
  bool last = true;  // "250 " rather than "250-"
  std::string text;
};
// parse_reply_line - "250-SIZE 1000" -> {250, false, "SIZE 1000"}; error: what is wrong.
std::expected<ReplyLine, std::string> parse_reply_line(std::string_view line);

// mirror - a downstream reply passed to our client: same code (a permanent code only if
// `allow_permanent`, else turned into 451), text made printable and prefixed.
Reply mirror(const Reply& downstream, bool allow_permanent);

}  // namespace postseal::smtp

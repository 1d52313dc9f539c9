// line_ends.cpp - bare LF to CRLF (see line_ends.hpp).
#include "core/mail/line_ends.hpp"

namespace postseal::mail {

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  char previous = 0;
  for (char c : text) {
    if (c == '\n' && previous != '\r') out += '\r';
    out += c;
    previous = c;
  }
  return out;
}

}  // namespace postseal::mail

// header_folder.cpp - folded header field writer (see header_folder.hpp).
#include "core/mail/header_folder.hpp"

namespace postseal::mail {

HeaderFolder::HeaderFolder(std::string_view name, std::string_view continuation)
    : continuation_(continuation) {
  append(name);
  append(":");
}

void HeaderFolder::append(std::string_view s) {
  out_ += s;
  column_ += s.size();
}

void HeaderFolder::break_line() {
  out_ += "\r\n";
  column_ = 0;
  append(continuation_);
}

void HeaderFolder::word(std::string_view w) {
  if (fits(1 + w.size())) {
    append(" ");
  } else {
    break_line();
  }
  append(w);
}

void HeaderFolder::piece(std::string_view p) {
  if (!fits(p.size())) break_line();
  append(p);
}

void HeaderFolder::fill(std::string_view text) {
  while (!text.empty()) {
    if (column_ >= kFoldColumns) break_line();
    std::size_t room = kFoldColumns - column_;
    append(text.substr(0, room));
    text.remove_prefix(std::min(room, text.size()));
  }
}

std::string HeaderFolder::finish() const { return out_ + "\r\n"; }

}  // namespace postseal::mail

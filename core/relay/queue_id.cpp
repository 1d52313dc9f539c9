// queue_id.cpp - Postfix's queue id from the first Received field, for log lines: the word
// after "id" in `by HOST (Postfix) with ESMTP id QUEUEID;` and in pickup's folded
// `by HOST (Postfix, from userid N)<CRLF><TAB>id QUEUEID;` (RFC 5321 section 4.4: the clauses
// are separated by folding white space, so any of SP, HTAB, CR, LF). Untrusted input: the
// field's value; the id must pass smtp::is_queue_id (6 to 32 letters and digits).
#include "core/relay/message_step.hpp"

#include "core/smtp/command.hpp"

namespace postseal::relay {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

// next_word - the next run of non-space characters of `v` (consumed), or empty at its end.
std::string_view next_word(std::string_view& v) {
  auto start = v.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return v = {}, std::string_view{};
  v.remove_prefix(start);
  auto word = v.substr(0, v.find_first_of(kSpace));
  v.remove_prefix(word.size());
  return word;
}

}  // namespace

std::string received_queue_id(const std::vector<mail::HeaderField>& headers) {
  for (const auto& f : headers) {
    if (!f.is("Received")) continue;
    std::string_view v = f.value();
    for (auto word = next_word(v); !word.empty(); word = next_word(v)) {
      if (word != "id") continue;
      auto id = next_word(v);
      id = id.substr(0, id.find(';'));
      return smtp::is_queue_id(id) ? std::string(id) : std::string{};
    }
    return {};
  }
  return {};
}

}  // namespace postseal::relay

// address.hpp - the one RFC 5322 mailbox parser: From, Sender and other address fields.
//
// RFC 5322 3.4 (mailbox, name-addr, angle-addr, group, comments, quoted strings, the obsolete
// route "<@a,@b:local@domain>"), 3.6.2 (From and Sender hold mailboxes, never a group; From
// may list several authors, Sender exactly one). Untrusted input: header field values. The
// parser has no side effects and returns values: a field may hold zero, one or several
// mailboxes and each caller decides what it accepts (the DKIM signer and DMARC want exactly
// one From with one mailbox, DomainKeys applies its Sender-else-From rule). Limits:
// kMaxMailboxesPerField mailboxes per field and kMaxCommentDepth nested comments; beyond them
// the field is refused as ambiguous. unquoted_local_part gives a local part in the form
// mailbox comparisons use (RFC 5322 3.4.1: a quoted-string and its dot-atom form, when one
// exists, name the same mailbox); the Mailbox keeps the local part as written.
#pragma once

#include "core/mail/header.hpp"

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::mail {

inline constexpr std::size_t kMaxMailboxesPerField = 100;
inline constexpr int kMaxCommentDepth = 16;

// Mailbox - an addr-spec split at its last "@"; domain lower-cased, no final dot.
struct Mailbox {
  std::string local_part;
  std::string domain;
  std::string address() const { return local_part + "@" + domain; }
};

// AddressList - the mailboxes of one field value, in order.
struct AddressList {
  std::vector<Mailbox> mailboxes;
  bool has_group = false;  // "name: a, b;" was used (an address-list, not a mailbox-list)
};

// parse_address_list - the mailboxes of a field value; unexpected (with the reason) when the
// value cannot be read or holds more than kMaxMailboxesPerField of them.
std::expected<AddressList, std::string> parse_address_list(std::string_view value);

// single_mailbox - the one mailbox of a From or Sender value; the error says why there is not
// exactly one ("2 mailboxes", "a group", or the parse error).
std::expected<Mailbox, std::string> single_mailbox(std::string_view value);

// unquoted_local_part - `local` (a Mailbox's local_part, or one written in a config) in its
// unquoted, unescaped form: the quotes of each quoted-string dropped, each quoted-pair's
// backslash removed and folding CRLFs inside quotes unfolded (RFC 5322 3.2.4, 3.4.1;
// RFC 5321 4.1.2), so "\"john\\ doe\"" -> "john doe" and "\"alice\"" -> "alice". The
// error says why it is not one: an unterminated quoted-string, or a backslash outside quotes.
std::expected<std::string, std::string> unquoted_local_part(std::string_view local);

// author_mailbox - RFC 5322 3.6.2 with RFC 6376 5.4 and RFC 7489 6.6.1: the one mailbox of
// the one From field of `fields`, or why the author is ambiguous or missing.
std::expected<Mailbox, std::string> author_mailbox(const std::vector<HeaderField>& fields);

}  // namespace postseal::mail

// address.hpp - the one RFC 5322 mailbox parser: From, Sender and other address fields.
//
// RFC 5322 3.4 (mailbox, name-addr, angle-addr, group, comments, quoted strings, the obsolete
// route "<@a,@b:local@domain>"), 3.6.2 (From and Sender hold mailboxes, never a group; From
// may list several authors, Sender exactly one). Untrusted input: header field values. The
// parser has no side effects and returns values: a field may hold zero, one or several
// mailboxes and each caller decides what it accepts (the DKIM signer and DMARC want exactly
// one From with one mailbox, DomainKeys applies its Sender-else-From rule). Limits:
// kMaxMailboxesPerField mailboxes per field and kMaxCommentDepth nested comments; beyond them
// the field is refused as ambiguous.
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

// author_mailbox - RFC 5322 3.6.2 with RFC 6376 5.4 and RFC 7489 6.6.1: the one mailbox of
// the one From field of `fields`, or why the author is ambiguous or missing.
std::expected<Mailbox, std::string> author_mailbox(const std::vector<HeaderField>& fields);

}  // namespace postseal::mail

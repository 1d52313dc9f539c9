// dk_address.hpp - the RFC 4870 sending address: Sender if present, else From.
//
// RFC 4870 3.3 (the signing address) and 3.6 (the verifier derives the same address), with
// RFC 5322 3.4 mailbox syntax: display names, angle addresses, comments, quoted strings and
// groups. Untrusted input: From and Sender field values. Limits: kMaxMailboxesPerField
// addresses per field, kMaxCommentDepth nested comments; beyond them the field is ambiguous.
// An address is "unambiguous" only when exactly one Sender field with one mailbox exists, or
// no Sender and exactly one From field with one mailbox.
#pragma once

#include "core/mail/header.hpp"

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::domainkeys {

inline constexpr std::size_t kMaxMailboxesPerField = 100;
inline constexpr int kMaxCommentDepth = 16;

// Mailbox - an addr-spec split at its last "@"; domain lower-cased, no final dot.
struct Mailbox {
  std::string local_part;
  std::string domain;
  std::string address() const { return local_part + "@" + domain; }
};

// SendingAddress - the address DomainKeys signs for and the field it came from.
struct SendingAddress {
  Mailbox mailbox;
  std::string field;  // "sender" or "from" (RFC 8601 header.sender / header.from)
};

// parse_mailboxes - the addr-specs of a From/Sender value; unexpected when unparseable.
std::expected<std::vector<Mailbox>, std::string> parse_mailboxes(std::string_view value);

// sending_address - apply the Sender-else-From rule to `fields`; the error says why not.
std::expected<SendingAddress, std::string> sending_address(
    const std::vector<const mail::HeaderField*>& fields);

// domain_covers - true when `domain` equals `signing_domain` or is a subdomain of it.
bool domain_covers(std::string_view signing_domain, std::string_view domain);

}  // namespace postseal::domainkeys

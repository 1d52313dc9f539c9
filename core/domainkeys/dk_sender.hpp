// dk_sender.hpp - the RFC 4870 sending address: Sender if present, else From.
//
// RFC 4870 3.3 (the signing address) and 3.6 (the verifier derives the same address); the
// mailboxes come from the one RFC 5322 parser (core/mail/address.hpp). Untrusted input: From
// and Sender fields. An address is "unambiguous" only when exactly one Sender field with one
// mailbox exists, or no Sender and exactly one From field with one mailbox.
#pragma once

#include "core/mail/address.hpp"
#include "core/mail/header.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::domainkeys {

// SendingAddress - the address DomainKeys signs for and the field it came from.
struct SendingAddress {
  mail::Mailbox mailbox;
  std::string field;  // "sender" or "from" (RFC 8601 header.sender / header.from)
};

// sending_address - apply the Sender-else-From rule to `fields`; the error says why not.
std::expected<SendingAddress, std::string> sending_address(
    const std::vector<const mail::HeaderField*>& fields);

// domain_covers - true when `domain` equals `signing_domain` or is a subdomain of it.
bool domain_covers(std::string_view signing_domain, std::string_view domain);

}  // namespace postseal::domainkeys

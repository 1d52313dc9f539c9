// from_domain.hpp - the signing domain: the domain of the one address in the one From field
// (RFC 6376 5.4 must sign From; RFC 5322 3.6.2; docs/security.md 15: never sign an ambiguous From).
//
// Untrusted input: the message's header fields, read by the one mailbox parser
// (core/mail/address.hpp). Returns the domain lower-cased, or why the message cannot be
// attributed: no From, several From fields, several addresses (or a group), or no valid
// domain. Limits: a domain is at most kMaxDomainOctets (RFC 1035 2.3.4).
#pragma once

#include "core/mail/address.hpp"
#include "core/mail/header.hpp"
#include "core/util/hostname.hpp"

#include <cstddef>
#include <expected>
#include <string>
#include <vector>

namespace postseal::signer {

std::expected<std::string, std::string> from_domain(const std::vector<mail::HeaderField>& headers);

// from_mailbox - the same choice with the local part kept ([[signer.sender]] rows match on it).
std::expected<mail::Mailbox, std::string> from_mailbox(const std::vector<mail::HeaderField>& headers);

}  // namespace postseal::signer

// dns_check.hpp - compare a published DKIM key record with the local private key.
//
// RFC 6376 3.6.1 (key record tags v, k, p; p= empty means revoked), 3.6.2.2 (TXT strings are
// joined), RFC 8463 4 (k=ed25519). Untrusted input: DNS answers; the record text (at most
// kMaxCheckedRecordBytes) is read by the one tag-list parser (core/mail/tag_list.hpp, with its
// own tag limit) only far enough to compare, and is passed through printable() before it is
// shown.
#pragma once

#include "core/crypto/private_key.hpp"
#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace postseal::keys {

inline constexpr std::size_t kMaxCheckedRecordBytes = 16 * 1024;

enum class CheckStatus { ok, missing, revoked, mismatch, wrong_type, bad_record, dns_error };
std::string_view to_string(CheckStatus s);

// KeyCheck - what was found at one SELECTOR._domainkey.DOMAIN.
struct KeyCheck {
  std::string name;
  CheckStatus status = CheckStatus::ok;
  std::string detail;  // what is wrong and what to do, printable
};

// compare_record - the pure part: an answer for `name` against the local key.
KeyCheck compare_record(std::string name, const dns::Answer& answer, const crypto::PrivateKey& key);
// check_key - look the record up and compare it.
asio::awaitable<KeyCheck> check_key(dns::Resolver& resolver, std::string domain, std::string selector,
                                    std::shared_ptr<const crypto::PrivateKey> key);

}  // namespace postseal::keys

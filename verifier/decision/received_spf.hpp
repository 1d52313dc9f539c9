// received_spf.hpp - the Received-SPF header field and the texts of SPF replies.
//
// RFC 7208 9.1 (Received-SPF: result, comment, key=value pairs client-ip, envelope-from,
// helo, receiver, identity, mechanism/problem), in the form postfix-policyd-spf-perl prints
// (docs/compat.md, seed 000). Untrusted input: the sender and HELO (from the SMTP client) and the mechanism,
// explanation and reason (from DNS). Every such value is made printable and cut
// (kMaxFieldValueOctets), comments lose their parentheses and backslashes, values that are
// not dot-atoms are quoted, so nothing can end the field or add another.
#pragma once

#include "verifier/spf/identity.hpp"
#include "verifier/spf/spf.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace postseal::decision {

// kMaxFieldValueOctets - one untrusted value (sender, helo, reason) in a header or reply.
inline constexpr std::size_t kMaxFieldValueOctets = 200;

// SpfReport - everything a Received-SPF field says.
struct SpfReport {
  spf::Identity identity = spf::Identity::mailfrom;
  spf::SpfOutcome outcome;
  std::string client_ip;
  std::string sender;    // envelope-from (empty for null sender)
  std::string helo;
  std::string receiver;
};

// received_spf_value - the field body after "Received-SPF: " (one line).
std::string received_spf_value(const SpfReport& report);
// received_spf_field - "Received-SPF: " + received_spf_value().
std::string received_spf_field(const SpfReport& report);

// comment_safe - untrusted text for inside an RFC 5322 comment.
std::string comment_safe(std::string_view text, std::size_t limit = kMaxFieldValueOctets);
// kv_value - a dot-atom as is, anything else as a quoted-string (RFC 5322 3.2.3/3.2.4).
std::string kv_value(std::string_view text, std::size_t limit = kMaxFieldValueOctets);

// reject_text - "5.7.23 SPF fail: ..." style reply text (code added by the caller).
std::string reject_text(const SpfReport& report);
// defer_text - the text after DEFER_IF_PERMIT for a temperror.
std::string defer_text(const SpfReport& report);

}  // namespace postseal::decision

// identity.hpp - the two SPF identities of an SMTP session (RFC 7208 2.3, 2.4) and the
// check_host() inputs for each.
//
// The HELO identity is checked as postmaster@HELO; the MAIL FROM identity as the sender, or,
// for a null MAIL FROM, as postmaster@HELO (the HELO identity). The order of the checks and
// what each result means is decided in one place, verifier/decision/decider.hpp; each
// identity keeps its own result there so a HELO pass never hides a MAIL FROM fail
// (docs/security.md 33). Input: the client IP, HELO name and MAIL FROM address as given by
// the peer (untrusted).
#pragma once

#include "verifier/spf/spf.hpp"

#include <string>
#include <string_view>

namespace postseal::spf {

// Identity - which identity a result is about (RFC 7208 9.1 "identity").
enum class Identity { helo, mailfrom };
std::string_view to_string(Identity identity);  // "helo", "mailfrom" (RFC 7208 9.1)

// SpfCheck - one identity's query and outcome.
struct SpfCheck {
  Identity identity = Identity::mailfrom;
  SpfQuery query;
  SpfOutcome outcome;
};

// SessionIdentities - what the SMTP client said, and who we are.
struct SessionIdentities {
  std::string helo;       // as given
  std::string mail_from;  // as given; empty for <>
  asio::ip::address ip;
  std::string receiver;
};

// helo_query - check_host() for postmaster@HELO with the HELO as the domain.
SpfQuery helo_query(const SessionIdentities& s);
// mailfrom_query - check_host() for MAIL FROM; the HELO query for the null sender.
SpfQuery mailfrom_query(const SessionIdentities& s);

}  // namespace postseal::spf

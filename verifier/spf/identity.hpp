// identity.hpp - the two SPF identities of an SMTP session (RFC 7208 2.3, 2.4).
//
// HELO is checked first (when it is a domain name), then MAIL FROM; a null MAIL FROM uses
// postmaster@HELO, i.e. the HELO identity's result. Each identity keeps its own result so a
// HELO pass never hides a MAIL FROM fail (SECURITY 33). Input: the client IP, HELO name and
// MAIL FROM address as given by the peer (untrusted).
#pragma once

#include "verifier/spf/engine.hpp"

#include <optional>
#include <string>

namespace postseal::spf {

enum class Identity { helo, mailfrom };
std::string_view to_string(Identity identity);  // "helo", "mailfrom" (RFC 7208 9.1)

// SpfCheck - one identity's query and outcome.
struct SpfCheck {
  Identity identity = Identity::mailfrom;
  SpfQuery query;
  SpfOutcome outcome;
  bool null_sender = false;  // MAIL FROM was <>: the result is the HELO identity's
};

struct SessionIdentities {
  std::string helo;       // as given
  std::string mail_from;  // as given; empty for <>
  asio::ip::address ip;
  std::string receiver;
};

struct SessionChecks {
  std::optional<SpfCheck> helo;  // absent if HELO is not a domain name
  SpfCheck mailfrom;             // always present: for <> it repeats the HELO check
};

// helo_query / mailfrom_query - the check_host() inputs for each identity.
SpfQuery helo_query(const SessionIdentities& s);
SpfQuery mailfrom_query(const SessionIdentities& s);

asio::awaitable<SessionChecks> check_session(SpfEngine& engine, dns::Resolver& resolver,
                                             const SessionIdentities& session,
                                             const SpfOptions& options);

}  // namespace postseal::spf

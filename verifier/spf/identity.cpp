// identity.cpp - the check_host() inputs of HELO and MAIL FROM (RFC 7208 2.3, 2.4; see
// identity.hpp).
#include "verifier/spf/identity.hpp"

namespace postseal::spf {

std::string_view to_string(Identity identity) {
  return identity == Identity::helo ? "helo" : "mailfrom";
}

SpfQuery helo_query(const SessionIdentities& s) {
  SpfQuery q;
  q.ip = s.ip;
  q.helo = s.helo;
  q.receiver = s.receiver;
  q.sender = "postmaster@" + s.helo;
  q.domain = s.helo;
  return q;
}

SpfQuery mailfrom_query(const SessionIdentities& s) {
  if (s.mail_from.empty()) return helo_query(s);
  SpfQuery q;
  q.ip = s.ip;
  q.helo = s.helo;
  q.receiver = s.receiver;
  q.sender = s.mail_from;
  q.domain = std::string(sender_domain(s.mail_from));
  return q;
}

}  // namespace postseal::spf

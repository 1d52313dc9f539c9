// identity.cpp - HELO then MAIL FROM (RFC 7208 2.3, 2.4; see identity.hpp).
#include "verifier/spf/identity.hpp"

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

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

asio::awaitable<SessionChecks> check_session(SpfEngine& engine, dns::Resolver& resolver,
                                             const SessionIdentities& session,
                                             const SpfOptions& options) {
  SessionChecks out;
  if (valid_domain(session.helo)) {
    SpfCheck helo;
    helo.identity = Identity::helo;
    helo.query = helo_query(session);
    helo.outcome = co_await engine.check_host(resolver, helo.query, options);
    out.helo = std::move(helo);
  }
  out.mailfrom.query = mailfrom_query(session);
  if (session.mail_from.empty()) {
    out.mailfrom.identity = Identity::helo;
    out.mailfrom.null_sender = true;
    if (out.helo) {
      out.mailfrom.outcome = out.helo->outcome;
      co_return out;
    }
  }
  out.mailfrom.outcome = co_await engine.check_host(resolver, out.mailfrom.query, options);
  co_return out;
}

}  // namespace postseal::spf

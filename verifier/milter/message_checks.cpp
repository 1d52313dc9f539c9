// message_checks.cpp - DKIM, DomainKeys and DMARC at end of message (see message_checks.hpp).
#include "verifier/milter/message_checks.hpp"

#include "verifier/dmarc_check.hpp"

namespace postseal::milter {
namespace {

// dmarc_applies - DMARC is on and the header block was read whole (its From fields are known).
bool dmarc_applies(const Session& s, const verifier::DmarcCheck* dmarc) {
  return dmarc != nullptr && s.header_problem.empty();
}

}  // namespace

bool has_message_checks(const Session& s, const verifier::DmarcCheck* dmarc) {
  return s.dkim || s.dk || dmarc_applies(s, dmarc);
}

asio::awaitable<MessageChecks> check_message(Session& s, const verifier::DmarcCheck* dmarc,
                                             dns::Resolver& resolver) {
  MessageChecks out;
  if (s.dkim) out.dkim = co_await s.dkim->finish(resolver);
  if (s.dk) out.domainkeys = co_await s.dk->finish(resolver);
  if (dmarc_applies(s, dmarc))
    out.dmarc = co_await verifier::evaluate_dmarc(*dmarc, resolver, dmarc_message(s, out.dkim));
  co_return out;
}

}  // namespace postseal::milter

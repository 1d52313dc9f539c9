// signing.cpp - the signer's events: messages signed per configured domain (see events.hpp).
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

namespace postseal::metrics {

void set_signing_domains(const std::vector<std::string>& domains) {
  // kept even while counting is off, so a later enable() (tests) sees the configured list
  families().messages_signed.set_domains(domains);
}

void count_signed(std::string_view domain, std::string_view result) {
  if (!enabled()) return;
  families().messages_signed.add(domain, result);
}

}  // namespace postseal::metrics

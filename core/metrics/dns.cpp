// dns.cpp - DNS lookups per rcode and their latency (see events.hpp). Counted where a lookup
// goes to libunbound (core/dns/unbound_resolver.cpp), so answers from postseal's own answer
// cache are not lookups here.
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

namespace postseal::metrics {
namespace {

std::string_view rcode_label(std::string_view rcode) {
  if (rcode == "NOERROR") return "noerror";
  if (rcode == "NXDOMAIN") return "nxdomain";
  if (rcode == "SERVFAIL") return "servfail";
  if (rcode == "timeout") return "timeout";
  return kOther;
}

}  // namespace

void count_dns_lookup(std::string_view rcode, std::chrono::steady_clock::duration took) {
  if (!enabled()) return;
  auto& f = families();
  f.dns_lookups.add({rcode_label(rcode)});
  f.dns_seconds->Observe(std::chrono::duration<double>(took).count());
}

}  // namespace postseal::metrics

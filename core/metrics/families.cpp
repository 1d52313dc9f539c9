// families.cpp - the metric catalogue (see families.hpp).
#include "core/metrics/families.hpp"

#include "core/metrics/registry.hpp"

namespace postseal::metrics {
namespace {

// kDnsBuckets - lookup latency buckets (seconds): a cache hit in the resolver's own cache is
// well under 1 ms, a far server 100-300 ms, dns.timeout_ms is 5 s by default.
const prometheus::Histogram::BucketBoundaries kDnsBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                          0.25,  0.5,    1,     2.5,  5,     10};

prometheus::Histogram* dns_histogram() {
  auto& family = prometheus::BuildHistogram()
                     .Name("postseal_dns_lookup_seconds")
                     .Help("Time DNS lookups sent to the resolver took, answered or not")
                     .Register(registry());
  return &family.Add({}, kDnsBuckets);
}

// kStageBuckets - stage duration buckets (seconds): an SRS lookup or a cached SPF answer takes
// microseconds, an RSA-2048 signature about a millisecond, a stage waiting for DNS up to
// dns.timeout_ms (5 s), the relay up to its downstream timeout (minutes).
const prometheus::Histogram::BucketBoundaries kStageBuckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};

std::array<prometheus::Histogram*, kStages.size()> stage_histograms() {
  auto& family = prometheus::BuildHistogram()
                     .Name("postseal_stage_duration_seconds")
                     .Help("Time each processing stage of a message or request took (waits "
                           "for DNS and servers included), per stage")
                     .Register(registry());
  std::array<prometheus::Histogram*, kStages.size()> out{};
  for (auto stage : kStages)
    out[static_cast<std::size_t>(stage)] =
        &family.Add({{"stage", std::string(to_string(stage))}}, kStageBuckets);
  return out;
}

}  // namespace

Families::Families()
    : messages_signed(registry(), "postseal_messages_signed_total",
                      "Messages the signer or signing milter handled, per configured signing domain (else other) "
                      "and result",
                      {"signed", "unsigned", "deferred"}),
      dkim_results(registry(), "postseal_dkim_results_total", "DKIM signatures verified, per result (RFC 8601)",
                   {{"result", {"pass", "fail", "neutral", "policy", "permerror", "temperror", "none"}}}),
      spf_results(registry(), "postseal_spf_results_total", "SPF identities checked (HELO and MAIL FROM), per result",
                  {{"result", {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}}}),
      dmarc_results(registry(), "postseal_dmarc_results_total", "DMARC verdicts of received messages, per result",
                    {{"result", {"pass", "fail", "none", "temperror", "permerror"}}}),
      policy_answers(registry(), "postseal_policy_answers_total",
                     "Answers of the policy service, per action (reject: a 5xx code, defer: a 4xx code)",
                     {{"action", {"dunno", "prepend", "defer_if_permit", "reject", "defer"}}}),
      srs(registry(), "postseal_srs_total", "SRS map lookups, per direction and result",
          {{"direction", {"forward", "reverse"}},
           {"result", {"rewritten", "not_rewritten", "not_srs", "bad_hash", "expired", "malformed"}}}),
      greylist(registry(), "postseal_greylist_total", "Greylisting decisions, per decision",
               {{"decision", {"pass", "defer", "skip", "store_error"}}}),
      messages_relayed(registry(), "postseal_messages_relayed_total",
                       "Messages at the end of DATA in the signing filter and the before-queue proxy, per outcome",
                       {{"server", {"signer", "proxy"}}, {"result", {"relayed", "refused", "rejected", "deferred"}}}),
      dns_lookups(registry(), "postseal_dns_lookups_total",
                  "DNS lookups sent to the resolver, per result (SERVFAIL and timeout are temporary failures)",
                  {{"result", {"noerror", "nxdomain", "servfail", "timeout"}}}),
      dns_seconds(dns_histogram()),
      sessions_in_flight(&prometheus::BuildGauge()
                              .Name("postseal_sessions_in_flight")
                              .Help("Client connections being served now, per listener")
                              .Register(registry())),
      store_errors(registry(), "postseal_store_errors_total",
                   "State store operations that gave no answer (the caller failed open), per "
                   "backend and error",
                   {{"backend", {"sqlite", "redis", "memory"}},
                    {"error", {"unavailable", "timeout", "bad_reply", "bad_input"}}}),
      stage_seconds(stage_histograms()) {}

Families& families() {
  static auto* f = new Families();  // leaked on purpose, like the registry
  return *f;
}

}  // namespace postseal::metrics

// families.hpp - the catalogue: every metric postseal exports, its name, help, labels and the
// values each label may take (man/postseal.toml.5 [metrics] lists them for administrators).
//
// Names follow the Prometheus conventions (docs/metrics.md): postseal_ prefix, counters end in
// _total, durations in _seconds. Labels are fixed lists (counter_grid.hpp) or the configured
// signing domains (domain_counters.hpp), so no message or peer can add a series. Untrusted
// input: none here (events.hpp maps what happens to these labels).
#pragma once

#include "core/metrics/counter_grid.hpp"
#include "core/metrics/domain_counters.hpp"
#include "core/metrics/stage.hpp"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <array>

namespace postseal::metrics {

struct Families {
  Families();
  DomainCounters messages_signed;   // postseal_messages_signed_total{domain,result}
  CounterGrid dkim_results;         // postseal_dkim_results_total{result}
  CounterGrid spf_results;          // postseal_spf_results_total{result}
  CounterGrid dmarc_results;        // postseal_dmarc_results_total{result}
  CounterGrid policy_answers;       // postseal_policy_answers_total{action}
  CounterGrid srs;                  // postseal_srs_total{direction,result}
  CounterGrid greylist;             // postseal_greylist_total{decision}
  CounterGrid messages_relayed;     // postseal_messages_relayed_total{server,result}
  CounterGrid dns_lookups;          // postseal_dns_lookups_total{result}
  prometheus::Histogram* dns_seconds;                       // postseal_dns_lookup_seconds
  prometheus::Family<prometheus::Gauge>* sessions_in_flight;  // {server}
  CounterGrid store_errors;  // postseal_store_errors_total{backend,error}
  // postseal_stage_duration_seconds{stage}, indexed by Stage
  std::array<prometheus::Histogram*, kStages.size()> stage_seconds;
};

// families - the process's families, registered in registry() on first use.
Families& families();

// register_build_info - postseal_build_info{version="0.1.0"} 1.
void register_build_info();

}  // namespace postseal::metrics

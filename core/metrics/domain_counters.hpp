// domain_counters.hpp - a counter family labelled {domain, result} whose domain label is one
// of the configured signing domains, else "other".
//
// Untrusted input: the domain handed to add() (derived from a message's From field); only a
// domain named by set_domains() gets its own series, so 100,000 distinct From domains add no
// series. Limits: (configured domains ever set + 1) x results series; set_domains() is called
// at start and on each reload, and a domain dropped by a reload keeps its (frozen) series.
#pragma once

#include "core/metrics/counter_grid.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace postseal::metrics {

class DomainCounters {
 public:
  DomainCounters(prometheus::Registry& registry, std::string_view name, std::string_view help,
                 std::vector<std::string_view> results);
  DomainCounters(const DomainCounters&) = delete;
  DomainCounters& operator=(const DomainCounters&) = delete;

  // set_domains - the configured signing domains (lower case); replaces the previous list.
  void set_domains(const std::vector<std::string>& domains);
  // add - one event; a domain not configured counts as "other", a result not listed as "other".
  void add(std::string_view domain, std::string_view result, double amount = 1.0);
  double value(std::string_view domain, std::string_view result) const;
  std::size_t series() const;

 private:
  using Row = std::vector<prometheus::Counter*>;  // one counter per result
  Row make_row(const std::string& domain);
  const Row& row_of(std::string_view domain) const;  // caller holds mutex_
  std::size_t result_index(std::string_view result) const;

  prometheus::Family<prometheus::Counter>* family_;
  std::vector<std::string> results_;  // "other" last
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Row> rows_;  // configured domains
  Row other_;
};

}  // namespace postseal::metrics

// domain_counters.cpp - {domain, result} counters bounded by the configured domains (see
// domain_counters.hpp).
#include "core/metrics/domain_counters.hpp"

#include <algorithm>
#include <mutex>

namespace postseal::metrics {

DomainCounters::DomainCounters(prometheus::Registry& registry, std::string_view name, std::string_view help,
                               std::vector<std::string_view> results)
    : family_(&prometheus::BuildCounter().Name(std::string(name)).Help(std::string(help)).Register(registry)),
      results_(results.begin(), results.end()) {
  if (std::find(results_.begin(), results_.end(), kOther) == results_.end()) results_.emplace_back(kOther);
  other_ = make_row(std::string(kOther));
}

DomainCounters::Row DomainCounters::make_row(const std::string& domain) {
  Row row;
  for (const auto& r : results_) row.push_back(&family_->Add({{"domain", domain}, {"result", r}}));
  return row;
}

void DomainCounters::set_domains(const std::vector<std::string>& domains) {
  std::unordered_map<std::string, Row> rows;
  for (const auto& d : domains) {
    if (d == kOther || rows.contains(d)) continue;
    rows.emplace(d, make_row(d));  // Family::Add returns the existing series for known labels
  }
  std::unique_lock lock(mutex_);
  rows_ = std::move(rows);
}

std::size_t DomainCounters::result_index(std::string_view result) const {
  auto it = std::find(results_.begin(), results_.end(), result);
  return it == results_.end() ? results_.size() - 1 : static_cast<std::size_t>(it - results_.begin());
}

const DomainCounters::Row& DomainCounters::row_of(std::string_view domain) const {
  auto it = rows_.find(std::string(domain));
  return it == rows_.end() ? other_ : it->second;
}

void DomainCounters::add(std::string_view domain, std::string_view result, double amount) {
  std::shared_lock lock(mutex_);
  row_of(domain)[result_index(result)]->Increment(amount);
}

double DomainCounters::value(std::string_view domain, std::string_view result) const {
  std::shared_lock lock(mutex_);
  return row_of(domain)[result_index(result)]->Value();
}

std::size_t DomainCounters::series() const {
  // the family's own count: what a scrape would show
  const auto collected = family_->Collect();
  return collected.empty() ? 0 : collected.front().metric.size();
}

}  // namespace postseal::metrics

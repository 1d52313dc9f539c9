// counter_grid.hpp - a counter family whose label values are fixed lists: one series per
// combination, all made up front, so the label set is bounded by construction.
//
// Untrusted input: the label values handed to add() (results, actions, directions that may
// come from a peer); any value not in its label's list counts under "other", so no input adds
// a series. Limits: the product of the lists' sizes (each plus "other") series per family.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::metrics {

// kOther - the label value of everything outside a fixed list (and of unconfigured domains).
inline constexpr std::string_view kOther = "other";

// LabelValues - one label and the values it may take ("other" is added).
struct LabelValues {
  std::string_view name;
  std::vector<std::string_view> values;
};

class CounterGrid {
 public:
  CounterGrid(prometheus::Registry& registry, std::string_view name, std::string_view help,
              std::vector<LabelValues> labels);
  CounterGrid(const CounterGrid&) = delete;
  CounterGrid& operator=(const CounterGrid&) = delete;

  // add - one event with one value per label, in the constructor's label order.
  void add(std::initializer_list<std::string_view> values, double amount = 1.0);
  // value - the series' count now (tests).
  double value(std::initializer_list<std::string_view> values) const;
  std::size_t series() const { return counters_.size(); }

 private:
  std::size_t index_of(std::initializer_list<std::string_view> values) const;

  std::vector<std::vector<std::string>> values_;  // per label, "other" last
  std::vector<prometheus::Counter*> counters_;    // row-major over values_
};

}  // namespace postseal::metrics

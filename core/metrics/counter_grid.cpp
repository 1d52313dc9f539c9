// counter_grid.cpp - fixed-label counter families (see counter_grid.hpp).
#include "core/metrics/counter_grid.hpp"

#include <algorithm>

namespace postseal::metrics {
namespace {

// with_other - the label's values and "other", each once.
std::vector<std::string> with_other(const LabelValues& label) {
  std::vector<std::string> out(label.values.begin(), label.values.end());
  if (std::find(out.begin(), out.end(), kOther) == out.end()) out.emplace_back(kOther);
  return out;
}

// make_series - every combination of `values`, registered in `family`, row-major.
void make_series(prometheus::Family<prometheus::Counter>& family, const std::vector<LabelValues>& labels,
                 const std::vector<std::vector<std::string>>& values, std::size_t depth,
                 prometheus::Labels& current, std::vector<prometheus::Counter*>& out) {
  if (depth == labels.size()) {
    out.push_back(&family.Add(current));
    return;
  }
  for (const auto& v : values[depth]) {
    current[std::string(labels[depth].name)] = v;
    make_series(family, labels, values, depth + 1, current, out);
  }
}

}  // namespace

CounterGrid::CounterGrid(prometheus::Registry& registry, std::string_view name, std::string_view help,
                         std::vector<LabelValues> labels) {
  auto& family = prometheus::BuildCounter().Name(std::string(name)).Help(std::string(help)).Register(registry);
  for (const auto& l : labels) values_.push_back(with_other(l));
  prometheus::Labels current;
  make_series(family, labels, values_, 0, current, counters_);
}

std::size_t CounterGrid::index_of(std::initializer_list<std::string_view> values) const {
  std::size_t index = 0;
  std::size_t label = 0;
  for (auto value : values) {
    if (label == values_.size()) break;
    const auto& list = values_[label];
    auto it = std::find(list.begin(), list.end(), value);
    std::size_t pos = it == list.end() ? list.size() - 1 : static_cast<std::size_t>(it - list.begin());
    index = index * list.size() + pos;
    ++label;
  }
  for (; label < values_.size(); ++label) index = index * values_[label].size() + values_[label].size() - 1;
  return index;
}

void CounterGrid::add(std::initializer_list<std::string_view> values, double amount) {
  counters_[index_of(values)]->Increment(amount);
}

double CounterGrid::value(std::initializer_list<std::string_view> values) const {
  return counters_[index_of(values)]->Value();
}

}  // namespace postseal::metrics

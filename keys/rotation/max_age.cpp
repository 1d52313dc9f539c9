// max_age.cpp - the keys.max_age rule (see max_age.hpp).
#include "keys/rotation/max_age.hpp"

#include "keys/rotation/active_keys.hpp"

#include <algorithm>
#include <limits>

namespace postseal::rotation {
namespace {

// plus - t + seconds (both non-negative), saturated at the largest time.
std::int64_t plus(std::int64_t t, std::int64_t seconds) {
  constexpr auto kLast = std::numeric_limits<std::int64_t>::max();
  return t > kLast - seconds ? kLast : t + seconds;
}

}  // namespace

bool has_successor(const std::vector<Record>& records, const Record& active) {
  return std::any_of(records.begin(), records.end(), [&](const Record& r) {
    return r.d == active.d && r.a == active.a &&
           (r.state == State::pending || r.state == State::published);
  });
}

std::optional<std::int64_t> successor_due_at(const Record& r, const Timing& timing) {
  if (timing.max_age == 0) return std::nullopt;
  return plus(r.created, std::max<std::int64_t>(timing.max_age - timing.publish_lead, 0));
}

std::optional<std::int64_t> age_limit_at(const Record& r, const Timing& timing) {
  if (timing.max_age == 0) return std::nullopt;
  return plus(r.created, timing.max_age);
}

std::vector<Record> due_by_age(const std::vector<Record>& records, std::int64_t now,
                               const Timing& timing) {
  std::vector<Record> out;
  for (const auto& r : active_keys(records)) {
    const auto due = successor_due_at(r, timing);  // nullopt: max_age 0
    if (due && now >= *due && !has_successor(records, r)) out.push_back(r);
  }
  return out;
}

}  // namespace postseal::rotation

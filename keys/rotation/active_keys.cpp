// active_keys.cpp - pick the signing key per domain and algorithm (see active_keys.hpp).
#include "keys/rotation/active_keys.hpp"

#include <algorithm>
#include <tuple>

namespace postseal::rotation {

std::vector<Record> active_keys(const std::vector<Record>& records) {
  std::vector<Record> out;
  for (const auto& r : records) {
    if (r.state != State::active) continue;
    auto same = std::find_if(out.begin(), out.end(), [&](const Record& o) { return o.d == r.d && o.a == r.a; });
    if (same == out.end()) out.push_back(r);
    else if (std::tie(r.since, r.s) > std::tie(same->since, same->s)) *same = r;
  }
  return out;
}

}  // namespace postseal::rotation

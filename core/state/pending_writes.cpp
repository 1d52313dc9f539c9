// pending_writes.cpp - PendingWrites (see pending_writes.hpp).
#include "core/state/pending_writes.hpp"

#include <algorithm>

namespace postseal::state {

const PendingWrite* PendingWrites::find(std::string_view key) const {
  auto it = writes_.find(key);
  return it == writes_.end() ? nullptr : &it->second;
}

void PendingWrites::add(std::string_view key, std::string_view value, std::int64_t expires,
                        bool claim) {
  auto it = writes_.find(key);
  if (it == writes_.end()) it = writes_.emplace(std::string(key), PendingWrite{}).first;
  PendingWrite& w = it->second;
  w.key = it->first;
  w.value.assign(value);
  w.expires = expires;
  w.claim = claim;
  w.serial = ++serial_;
}

std::vector<PendingWrite> PendingWrites::batch() const {
  std::vector<PendingWrite> out;
  out.reserve(std::min(writes_.size(), kMaxBatchWrites));
  for (const auto& [key, w] : writes_) {
    if (out.size() >= kMaxBatchWrites) break;
    out.push_back(w);
  }
  return out;
}

void PendingWrites::settle(const std::vector<PendingWrite>& batch) {
  for (const auto& done : batch) {
    auto it = writes_.find(std::string_view(done.key));
    if (it != writes_.end() && it->second.serial == done.serial) writes_.erase(it);
  }
}

}  // namespace postseal::state

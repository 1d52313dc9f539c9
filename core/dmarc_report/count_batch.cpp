// count_batch.cpp - message counts added up in memory (see count_batch.hpp).
#include "core/dmarc_report/count_batch.hpp"

#include <algorithm>

namespace postseal::dmarc_report {

bool CountBatch::add(const std::string& key, std::int64_t ttl) {
  std::lock_guard lock(mutex_);
  auto it = rows_.find(key);
  if (it == rows_.end()) return false;
  if (it->second.messages++ == 0) pending_.push_back(&*it);
  it->second.ttl = std::max(it->second.ttl, ttl);
  return true;
}

void CountBatch::learn(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (rows_.size() >= max_known_) forget_settled();
  if (rows_.size() < max_known_) rows_.try_emplace(key);
}

std::vector<PendingCount> CountBatch::take() {
  std::lock_guard lock(mutex_);
  std::vector<PendingCount> out;
  out.reserve(pending_.size());
  for (auto* row : pending_) {
    out.push_back({row->first, row->second.messages, row->second.ttl});
    row->second = Slot{};
  }
  pending_.clear();
  return out;
}

std::size_t CountBatch::known() const {
  std::lock_guard lock(mutex_);
  return rows_.size();
}

// forget_settled - drop the rows with nothing pending (the pointers in pending_ stay valid:
// erase invalidates only the erased elements).
void CountBatch::forget_settled() {
  std::erase_if(rows_, [](const auto& row) { return row.second.messages == 0; });
}

}  // namespace postseal::dmarc_report

// memory_zone.cpp - in-memory zone resolver (see memory_zone.hpp).
#include "core/dns/memory_zone.hpp"

#include "core/util/text.hpp"

namespace postseal::dns {

std::string MemoryZone::key(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return to_lower(name);
}

void MemoryZone::add(std::string_view name, Record record) {
  records_[key(name)].push_back(std::move(record));
}

void MemoryZone::add_timeout(std::string_view name) { timeouts_.insert(key(name)); }

Answer MemoryZone::answer(std::string_view name, RrType type) const {
  {
    std::lock_guard lock(log_mutex_);
    if (queries_.size() < kMaxQueryLog) queries_.emplace_back(key(name), type);
  }
  std::string current = key(name);
  for (int link = 0; link <= kMaxCnameChain; ++link) {
    Answer out;
    auto it = records_.find(current);
    const Record* cname = nullptr;
    if (it != records_.end()) {
      for (const auto& r : it->second) {
        if (r.type == type) out.records.push_back(r);
        if (r.type == RrType::cname) cname = &r;
      }
    }
    if (!out.records.empty()) return out;
    if (cname != nullptr && type != RrType::cname) {
      current = key(cname->name);
      continue;
    }
    if (timeouts_.contains(current)) return Answer{Rcode::timeout, {}};
    if (it == records_.end()) return Answer{Rcode::nxdomain, {}};
    return out;  // NODATA
  }
  return Answer{Rcode::servfail, {}};
}

asio::awaitable<Answer> MemoryZone::lookup(std::string name, RrType type) {
  co_return answer(name, type);
}

std::vector<std::pair<std::string, RrType>> MemoryZone::queries() const {
  std::lock_guard lock(log_mutex_);
  return queries_;
}

void MemoryZone::clear_queries() {
  std::lock_guard lock(log_mutex_);
  queries_.clear();
}

}  // namespace postseal::dns

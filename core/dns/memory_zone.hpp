// memory_zone.hpp - an in-memory DNS zone: the Resolver of tests and of --dns-zone.
//
// Records are added by code or by the zone-file reader (zone_file.hpp). A name marked with
// add_timeout() answers Rcode::timeout for every type it has no records of (the RFC 7208
// suite's TIMEOUT entries). A name with records of other types only answers NODATA; an unknown
// name answers NXDOMAIN. CNAME chains are followed (at most kMaxCnameChain links). Every lookup
// is recorded so tests can count queries: the first kMaxQueryLog of them (a daemon run with
// --dns-zone answers forever, so the log must not grow with it). Not thread-safe for writes;
// reads may be concurrent once populated, except the query log, which is guarded.
#pragma once

#include "core/dns/resolver.hpp"

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace postseal::dns {

// kMaxCnameChain - CNAME links followed before answering SERVFAIL (loop guard).
inline constexpr int kMaxCnameChain = 8;

class MemoryZone final : public Resolver {
 public:
  void add(std::string_view name, Record record);
  void add_timeout(std::string_view name);
  // answer - synchronous form of lookup(), for code that is not a coroutine.
  Answer answer(std::string_view name, RrType type) const;
  asio::awaitable<Answer> lookup(std::string name, RrType type) override;

  // kMaxQueryLog - queries recorded at most (until clear_queries()).
  static constexpr std::size_t kMaxQueryLog = 100000;
  std::vector<std::pair<std::string, RrType>> queries() const;
  void clear_queries();

 private:
  static std::string key(std::string_view name);
  std::map<std::string, std::vector<Record>> records_;
  std::set<std::string> timeouts_;
  mutable std::mutex log_mutex_;
  mutable std::vector<std::pair<std::string, RrType>> queries_;
};

}  // namespace postseal::dns

// pending_writes.hpp - the writes SqliteStore answered but has not committed yet (group
// commit, sqlite_store.hpp): an overlay that reads of this process consult before the file,
// and the batches the upkeep thread commits.
//
// Not thread-safe: the store's mutex guards it. Each write carries a serial, so that one
// rewritten while its batch was being committed stays for the next batch. Untrusted input:
// keys and values, already checked against store.hpp's limits. Limits: kMaxPendingWrites
// entries (the store writes synchronously beyond it) and kMaxBatchWrites per batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace postseal::state {

// kMaxPendingWrites - overlay entries; a batched write beyond them is made synchronously.
inline constexpr std::size_t kMaxPendingWrites = 8192;
// kMaxBatchWrites - writes committed in one transaction.
inline constexpr std::size_t kMaxBatchWrites = 1024;

// PendingWrite - one write not yet in the file. `claim`: insert unless a live row is there
// (put_if_absent); else replace (put).
struct PendingWrite {
  std::string key;
  std::string value;
  std::int64_t expires = 0;
  bool claim = false;
  std::uint64_t serial = 0;
};

// PendingWrites - see above.
class PendingWrites {
 public:
  // find - the pending write of `key`, or null.
  const PendingWrite* find(std::string_view key) const;
  // add - record a write of `key` (replacing a pending one); a later put keeps replacing.
  void add(std::string_view key, std::string_view value, std::int64_t expires, bool claim);
  // batch - copies of at most kMaxBatchWrites pending writes, to commit.
  std::vector<PendingWrite> batch() const;
  // settle - forget the writes of `batch` now committed (not those rewritten since).
  void settle(const std::vector<PendingWrite>& batch);
  std::size_t size() const { return writes_.size(); }
  bool full() const { return writes_.size() >= kMaxPendingWrites; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, PendingWrite, Hash, std::equal_to<>> writes_;
  std::uint64_t serial_ = 0;
};

}  // namespace postseal::state

// count_batch.hpp - message counts of report rows this process has already seen in the store,
// added up in memory and written together (Recorder's batched mode, recorder.hpp).
//
// A busy MX sees the same few rows (source IP, From domain, results) all day: after a row's
// first message has gone through the store (its counter exists), the next ones only need
// `counter += n`, and one increment per row and flush interval does what one per message did.
// Not written yet at any moment: the messages counted since the last flush (a crash loses
// them; the report of that day is short by as many). Thread-safe (one mutex).
// Untrusted input: none (keys are built by keys::count from checked names). Limits:
// max_known rows remembered; when full, every row with nothing pending is forgotten (its next
// message goes through the store again and is remembered anew), so memory stays bounded
// whatever the traffic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace postseal::dmarc_report {

// kMaxKnownRows - rows a recorder remembers (about 200 octets each).
inline constexpr std::size_t kMaxKnownRows = 16384;

// PendingCount - messages counted for one row's counter and not written yet.
struct PendingCount {
  std::string key;  // keys::count(...)
  std::int64_t messages = 0;
  std::int64_t ttl = 0;  // the longest TTL asked for since the last write
};

// CountBatch - see above.
class CountBatch {
 public:
  explicit CountBatch(std::size_t max_known = kMaxKnownRows) : max_known_(max_known) {}

  // add - one more message for the counter `key`, if this process knows it exists;
  // false when it does not (the caller goes to the store).
  bool add(const std::string& key, std::int64_t ttl);
  // learn - the counter `key` exists in the store (this process just incremented it).
  void learn(const std::string& key);
  // take - every pending count, now no longer pending.
  std::vector<PendingCount> take();
  // known - rows remembered (tests).
  std::size_t known() const;

 private:
  struct Slot {
    std::int64_t messages = 0;
    std::int64_t ttl = 0;
  };
  void forget_settled();

  const std::size_t max_known_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Slot> rows_;
  // pending_ - the rows with messages > 0, as pointers (an insert's rehash moves no element,
  // but invalidates iterators).
  std::vector<std::unordered_map<std::string, Slot>::value_type*> pending_;
};

}  // namespace postseal::dmarc_report

// record_store.hpp - rotation records in the state store (core/state/store.hpp), so hosts
// sharing one Redis see the same states and their signers switch together.
//
// Keys: record.hpp's kRecordPrefix + "DOMAIN:SELECTOR", no expiry (the embedded backends evict
// entries without expiry last, and only past state.max_entries: docs/key-rotation.md).
// Untrusted input: stored values (parse_record); a record that does not parse is reported by
// its store key and skipped, never used. Limits: kMaxRotationRecords per read. Claims
// (kClaimPrefix + "DOMAIN:SELECTOR", kClaimSeconds) let one host of several sharing the store
// make a key's successor by age (tick.hpp) while the others skip it.
#pragma once

#include "core/state/store.hpp"
#include "keys/rotation/record.hpp"

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::rotation {

// kMaxRotationRecords - records read at once (a few per domain and year).
inline constexpr std::size_t kMaxRotationRecords = 10000;
// kClaimPrefix - tick's claims to make a successor; outside kRecordPrefix, so never a record.
inline constexpr std::string_view kClaimPrefix = "keys.rotation-claim:";
// kClaimSeconds - a claim's life: far longer than making a key takes.
inline constexpr std::int64_t kClaimSeconds = 3600;

// Loaded - the records read, and one problem line per stored value that did not parse.
struct Loaded {
  std::vector<Record> records;
  std::vector<std::string> problems;
};

class RecordStore {
 public:
  explicit RecordStore(state::Store& store) : store_(store) {}
  // all / domain - every record, or one domain's, sorted by domain, then creation, selector.
  std::expected<Loaded, std::string> all();
  std::expected<Loaded, std::string> domain(std::string_view domain);
  // save - write one record (replacing the stored one of its domain and selector).
  std::expected<void, std::string> save(const Record& r);
  // claim - true when this call is the first, within kClaimSeconds, to claim the successor of
  // `r` (state::Store::put_if_absent: first writer wins across hosts); release - drop it.
  std::expected<bool, std::string> claim(const Record& r);
  std::expected<void, std::string> release(const Record& r);

 private:
  std::expected<Loaded, std::string> scan(const std::string& prefix);
  state::Store& store_;
};

}  // namespace postseal::rotation

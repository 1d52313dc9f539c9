// record_store.hpp - rotation records in the state store (core/state/store.hpp), so hosts
// sharing one Redis see the same states and their signers switch together.
//
// Keys: record.hpp's kRecordPrefix + "DOMAIN:SELECTOR", no expiry (the embedded backends evict
// entries without expiry last, and only past state.max_entries: docs/key-rotation.md).
// Untrusted input: stored values (parse_record); a record that does not parse is reported by
// its store key and skipped, never used. Limits: kMaxRotationRecords per read.
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

 private:
  std::expected<Loaded, std::string> scan(const std::string& prefix);
  state::Store& store_;
};

}  // namespace postseal::rotation

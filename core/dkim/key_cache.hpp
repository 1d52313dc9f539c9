// key_cache.hpp - parsed DKIM key records, kept so a key is decoded once, not per message.
//
// RFC 6376 3.6.2 leaves caching to DNS; this cache sits above it and saves the base64 and DER
// decoding (and the EVP_PKEY set-up) for records seen before. Keyed by the record text, so a
// changed record is a new entry and a stale one simply ages out. Bounded LRU: at most
// kDefaultKeyCacheEntries entries unless told otherwise (kMaxKeyCacheEntries at most).
// Thread-safe. Untrusted input: record text from DNS (bounded by kMaxKeyRecordOctets).
#pragma once

#include "core/dkim/key_record.hpp"

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postseal::dkim {

inline constexpr std::size_t kDefaultKeyCacheEntries = 1000;
inline constexpr std::size_t kMaxKeyCacheEntries = 1000000;

using ParsedKey = std::expected<KeyRecord, KeyRecordError>;

class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity = kDefaultKeyCacheEntries);
  // get - the parsed record for `text`, parsing and caching it on a miss.
  std::shared_ptr<const ParsedKey> get(std::string_view text);
  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  std::size_t parses() const;  // how many records were actually parsed (misses)
  // shared - the process-wide cache used when VerifyOptions names none.
  static KeyCache& shared();

 private:
  struct Entry {
    std::string text;
    std::shared_ptr<const ParsedKey> parsed;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  std::size_t parses_ = 0;
};

}  // namespace postseal::dkim

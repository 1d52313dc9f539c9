// checks.hpp - what every backend checks before it touches its storage (store.hpp limits).
//
// Untrusted input: keys, values and prefixes handed to a Store (built by postseal from
// request attributes, still bounded here), integer values read back for increment().
// Limits: kMaxKeyOctets, kMaxValueOctets, kMaxTtlSeconds (longer TTLs are clamped), and the
// canonical decimal form of a counter (what Redis INCRBY accepts: no sign '+', no leading
// zero, no blank), so every backend refuses the same values.
#pragma once

#include "core/state/store.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace postseal::state {

// check_key - bad_input for an empty key or one over kMaxKeyOctets.
Result<void> check_key(std::string_view key);
// check_value - bad_input for a value over kMaxValueOctets.
Result<void> check_value(std::string_view value);
// check_prefix - bad_input for a scan/count prefix over kMaxKeyOctets (empty is all keys).
Result<void> check_prefix(std::string_view prefix);
// expiry_at - the absolute expiry of an entry written at `now` with `ttl_seconds` (0: none).
std::int64_t expiry_at(std::int64_t now, std::int64_t ttl_seconds);
// is_live - an entry expiring at `expires` is still there at `now`.
inline bool is_live(std::int64_t expires, std::int64_t now) {
  return expires == 0 || expires > now;
}
// parse_counter - the integer a counter's value holds, nullopt if not canonical decimal.
std::optional<std::int64_t> parse_counter(std::string_view value);
// add_counter - `value` + `by`, or bad_input when `value` is not a counter or it overflows.
Result<std::int64_t> add_counter(std::optional<std::string_view> value, std::int64_t by);

}  // namespace postseal::state

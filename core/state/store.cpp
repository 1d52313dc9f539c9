// store.cpp - StoreError names and the checks every backend shares (store.hpp, checks.hpp).
#include "core/state/store.hpp"

#include "core/state/checks.hpp"

#include <charconv>
#include <string>

namespace postseal::state {

std::string_view to_string(StoreError e) {
  switch (e) {
    case StoreError::unavailable: return "unavailable";
    case StoreError::timeout: return "timeout";
    case StoreError::bad_reply: return "bad reply";
    case StoreError::bad_input: return "bad input";
  }
  return "unknown";
}

Result<void> check_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyOctets) return std::unexpected(StoreError::bad_input);
  return {};
}

Result<void> check_value(std::string_view value) {
  if (value.size() > kMaxValueOctets) return std::unexpected(StoreError::bad_input);
  return {};
}

Result<void> check_prefix(std::string_view prefix) {
  if (prefix.size() > kMaxKeyOctets) return std::unexpected(StoreError::bad_input);
  return {};
}

Result<Claim> Store::put_if_absent_or_get(std::string_view key, std::string_view value,
                                          std::int64_t ttl_seconds) {
  auto set = put_if_absent(key, value, ttl_seconds);
  if (!set) return std::unexpected(set.error());
  if (*set) return Claim{true, std::nullopt};
  auto existing = get(key);
  if (!existing) return std::unexpected(existing.error());
  return Claim{false, std::move(*existing)};
}

std::int64_t expiry_at(std::int64_t now, std::int64_t ttl_seconds) {
  if (ttl_seconds <= 0) return 0;
  if (ttl_seconds > kMaxTtlSeconds) ttl_seconds = kMaxTtlSeconds;
  return now + ttl_seconds;
}

std::optional<std::int64_t> parse_counter(std::string_view value) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
  if (std::to_string(n) != value) return std::nullopt;  // "+1", "01", "-0"
  return n;
}

Result<std::int64_t> add_counter(std::optional<std::string_view> value, std::int64_t by) {
  std::int64_t n = 0;
  if (value) {
    auto parsed = parse_counter(*value);
    if (!parsed) return std::unexpected(StoreError::bad_input);
    n = *parsed;
  }
  std::int64_t sum = 0;
  if (__builtin_add_overflow(n, by, &sum)) return std::unexpected(StoreError::bad_input);
  return sum;
}

}  // namespace postseal::state

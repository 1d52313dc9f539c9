// counting_store.cpp - CountingStore (see counting_store.hpp).
#include "core/state/counting_store.hpp"

#include "core/metrics/events.hpp"

namespace postseal::state {

template <typename T>
Result<T> CountingStore::counted(Result<T> result) const {
  if (!result) metrics::count_store_error(backend_, to_string(result.error()));
  return result;
}

Result<std::optional<std::string>> CountingStore::get(std::string_view key) {
  return counted(inner_->get(key));
}

Result<void> CountingStore::put(std::string_view key, std::string_view value,
                                std::int64_t ttl_seconds) {
  return counted(inner_->put(key, value, ttl_seconds));
}

Result<bool> CountingStore::put_if_absent(std::string_view key, std::string_view value,
                                          std::int64_t ttl_seconds) {
  return counted(inner_->put_if_absent(key, value, ttl_seconds));
}

Result<Claim> CountingStore::put_if_absent_or_get(std::string_view key, std::string_view value,
                                                  std::int64_t ttl_seconds) {
  return counted(inner_->put_if_absent_or_get(key, value, ttl_seconds));
}

Result<Claim> CountingStore::put_if_absent_or_get_batched(std::string_view key,
                                                          std::string_view value,
                                                          std::int64_t ttl_seconds) {
  return counted(inner_->put_if_absent_or_get_batched(key, value, ttl_seconds));
}

Result<void> CountingStore::put_batched(std::string_view key, std::string_view value,
                                        std::int64_t ttl_seconds) {
  return counted(inner_->put_batched(key, value, ttl_seconds));
}

Result<std::int64_t> CountingStore::increment(std::string_view key, std::int64_t by,
                                              std::int64_t ttl_seconds) {
  return counted(inner_->increment(key, by, ttl_seconds));
}

Result<bool> CountingStore::erase(std::string_view key) { return counted(inner_->erase(key)); }

Result<std::vector<std::pair<std::string, std::string>>> CountingStore::scan(
    std::string_view prefix, std::size_t limit) {
  return counted(inner_->scan(prefix, limit));
}

Result<std::size_t> CountingStore::count(std::string_view prefix) {
  return counted(inner_->count(prefix));
}

Result<std::size_t> CountingStore::expire() { return counted(inner_->expire()); }

}  // namespace postseal::state

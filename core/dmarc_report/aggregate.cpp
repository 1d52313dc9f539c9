// aggregate.cpp - report data of one period (see aggregate.hpp).
#include "core/dmarc_report/aggregate.hpp"

#include "core/dmarc_report/store_keys.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace postseal::dmarc_report {
namespace {

// positive - a stored counter's value, or 0 when it is not a positive integer.
std::int64_t positive(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size() && v > 0 ? v : 0;
}

// suffix_after - the part of `key` after `prefix`.
std::string_view suffix_after(const std::string& key, const std::string& prefix) {
  return std::string_view(key).substr(std::min(prefix.size(), key.size()));
}

}  // namespace

state::Result<std::vector<PolicyPublished>> published_policies(state::Store& store,
                                                               const Period& period,
                                                               std::size_t max_domains) {
  auto prefix = keys::policy_prefix(period);
  auto entries = store.scan(prefix, std::min(max_domains, state::kMaxScanEntries));
  if (!entries) return std::unexpected(entries.error());
  std::vector<PolicyPublished> out;
  for (const auto& [key, value] : *entries) {
    auto policy = decode_policy(value);
    if (policy && policy->domain == suffix_after(key, prefix)) out.push_back(std::move(*policy));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.domain < b.domain; });
  return out;
}

state::Result<DomainData> domain_data(state::Store& store, const Period& period,
                                      const PolicyPublished& policy, std::size_t max_rows) {
  DomainData data{policy, {}, 0, 0, 0};
  const std::size_t limit = std::min(max_rows, state::kMaxScanEntries);
  const auto count_prefix = keys::count_prefix(period, policy.domain);
  auto counts = store.scan(count_prefix, limit);
  if (!counts) return std::unexpected(counts.error());
  std::unordered_map<std::string, std::int64_t> by_digest;
  by_digest.reserve(counts->size());
  for (const auto& [key, value] : *counts)
    by_digest.emplace(suffix_after(key, count_prefix), positive(value));
  counts->clear();
  counts->shrink_to_fit();
  const auto row_prefix = keys::row_prefix(period, policy.domain);
  auto rows = store.scan(row_prefix, limit);
  if (!rows) return std::unexpected(rows.error());
  data.rows.reserve(rows->size());
  for (auto& [key, value] : *rows) {
    auto d = suffix_after(key, row_prefix);
    auto count = by_digest.find(std::string(d));
    if (count == by_digest.end() || count->second <= 0 || !decode_row(value) ||
        digest(value) != d) {
      ++data.unreadable;
      continue;
    }
    data.messages += count->second;
    data.rows.push_back(CountedRow{std::move(value), count->second});
  }
  rows->clear();
  rows->shrink_to_fit();
  std::sort(data.rows.begin(), data.rows.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.encoded < b.encoded;
  });
  if (auto dropped = store.get(keys::dropped(period, policy.domain)); !dropped) {
    return std::unexpected(dropped.error());
  } else if (*dropped) {
    data.dropped = positive(**dropped);
  }
  return data;
}

}  // namespace postseal::dmarc_report

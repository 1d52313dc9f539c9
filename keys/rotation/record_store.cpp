// record_store.cpp - read and write rotation records (see record_store.hpp).
#include "keys/rotation/record_store.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace postseal::rotation {

std::expected<Loaded, std::string> RecordStore::scan(const std::string& prefix) {
  auto entries = store_.scan(prefix, kMaxRotationRecords);
  if (!entries)
    return std::unexpected(fmt::format("state store {}: {}", store_.name(), to_string(entries.error())));
  Loaded out;
  for (const auto& [key, value] : *entries) {
    auto r = parse_record(value);
    if (!r) out.problems.push_back(fmt::format("{}: unusable rotation record: {}", printable(key, 120), r.error()));
    else if (store_key(*r) != key) out.problems.push_back(fmt::format("{}: record names {}", printable(key, 120), store_key(*r)));
    else out.records.push_back(std::move(*r));
  }
  std::sort(out.records.begin(), out.records.end(), [](const Record& a, const Record& b) {
    return std::tie(a.d, a.created, a.s) < std::tie(b.d, b.created, b.s);
  });
  return out;
}

std::expected<Loaded, std::string> RecordStore::all() { return scan(std::string(kRecordPrefix)); }

std::expected<Loaded, std::string> RecordStore::domain(std::string_view domain) {
  return scan(domain_prefix(domain));
}

std::expected<void, std::string> RecordStore::save(const Record& r) {
  if (auto put = store_.put(store_key(r), format_record(r), 0); !put)
    return std::unexpected(fmt::format("state store {}: {}", store_.name(), to_string(put.error())));
  return {};
}

namespace {

std::string claim_key(const Record& r) { return fmt::format("{}{}:{}", kClaimPrefix, r.d, r.s); }

}  // namespace

std::expected<bool, std::string> RecordStore::claim(const Record& r) {
  auto put = store_.put_if_absent(claim_key(r), "1", kClaimSeconds);
  if (!put)
    return std::unexpected(
        fmt::format("state store {}: {}", store_.name(), to_string(put.error())));
  return *put;
}

std::expected<void, std::string> RecordStore::release(const Record& r) {
  if (auto erased = store_.erase(claim_key(r)); !erased)
    return std::unexpected(
        fmt::format("state store {}: {}", store_.name(), to_string(erased.error())));
  return {};
}

}  // namespace postseal::rotation

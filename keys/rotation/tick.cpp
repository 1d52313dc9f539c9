// tick.cpp - rotate by age, then advance every domain's records and save the changes (see
// tick.hpp).
#include "keys/rotation/tick.hpp"

#include "keys/rotation/max_age.hpp"

#include <fmt/format.h>

namespace postseal::rotation {
namespace {

// rotate_by_age - a successor for each active key due by keys.max_age that this tick claims
// first (hosts sharing the store tick about the same time); a failure is a problem line, the
// claim is released, and the next tick tries again.
std::expected<void, std::string> rotate_by_age(RecordStore& store, std::int64_t now,
                                               const Timing& timing,
                                               const MakeSuccessor& make_successor,
                                               TickResult& out) {
  auto loaded = store.all();
  if (!loaded) return std::unexpected(loaded.error());
  for (const auto& old : due_by_age(loaded->records, now, timing)) {
    auto claimed = store.claim(old);
    if (!claimed) return std::unexpected(claimed.error());
    if (!*claimed) continue;  // another host is making it now
    auto made = make_successor(old.d, old.a);
    if (!made) {
      out.problems.push_back(fmt::format("rotate: {}: {} key {}: {}", old.d,
                                         crypto::to_string(old.a), old.s, made.error()));
      if (auto released = store.release(old); !released) out.problems.push_back(released.error());
    } else if (!made->empty()) {
      out.rotated.push_back(AgeRotation{old, std::move(*made)});
    }
  }
  return {};
}

// advance_domain - one domain's records: advance, then write back those that changed.
void advance_domain(RecordStore& store, std::vector<Record> records, std::int64_t now, const Timing& timing,
                    const Lookup& lookup, TickResult& out) {
  const std::vector<Record> before = records;
  for (auto& e : advance(records, now, timing, lookup)) {
    out.signing_changed = out.signing_changed || e.change == Change::activated;
    out.events.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < records.size(); ++i)
    if (records[i] != before[i])
      if (auto saved = store.save(records[i]); !saved) out.problems.push_back(saved.error());
}

}  // namespace

std::expected<TickResult, std::string> tick(RecordStore& store, std::int64_t now,
                                            const Timing& timing, const Lookup& lookup,
                                            const MakeSuccessor& make_successor) {
  TickResult out;
  if (make_successor)
    if (auto rotated = rotate_by_age(store, now, timing, make_successor, out); !rotated)
      return std::unexpected(rotated.error());
  auto loaded = store.all();
  if (!loaded) return std::unexpected(loaded.error());
  out.problems.insert(out.problems.end(), loaded->problems.begin(), loaded->problems.end());
  auto& all = loaded->records;  // sorted by domain
  for (std::size_t begin = 0; begin < all.size();) {
    std::size_t end = begin;
    while (end < all.size() && all[end].d == all[begin].d) ++end;
    advance_domain(store, {all.begin() + begin, all.begin() + end}, now, timing, lookup, out);
    begin = end;
  }
  return out;
}

}  // namespace postseal::rotation

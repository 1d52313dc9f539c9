// tick.cpp - advance every domain's records and save the changes (see tick.hpp).
#include "keys/rotation/tick.hpp"

namespace postseal::rotation {
namespace {

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

std::expected<TickResult, std::string> tick(RecordStore& store, std::int64_t now, const Timing& timing,
                                            const Lookup& lookup) {
  auto loaded = store.all();
  if (!loaded) return std::unexpected(loaded.error());
  TickResult out;
  out.problems = std::move(loaded->problems);
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

// tick.hpp - one `postseal keys tick` over the store: every domain's records advanced by
// transitions.hpp, each changed record written back (a host that ticks at the same time
// computes the same states from the same DNS, so the writes agree).
// Untrusted input: stored records (record_store.hpp) and DNS (through the Lookup).
#pragma once

#include "keys/rotation/record_store.hpp"
#include "keys/rotation/transitions.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace postseal::rotation {

struct TickResult {
  std::vector<Event> events;
  std::vector<std::string> problems;  // unusable stored records, failed writes
  bool signing_changed = false;       // a key became active: the signer must reload
};

// tick - advance and save; an error only when the store cannot be read at all.
std::expected<TickResult, std::string> tick(RecordStore& store, std::int64_t now, const Timing& timing,
                                            const Lookup& lookup);

}  // namespace postseal::rotation

// tick.hpp - one `postseal keys tick` over the store: first, with keys.max_age, a successor for
// each active key that reached max_age - publish_lead (max_age.hpp), made by the caller as
// `postseal keys rotate` makes keys; then every domain's records advanced by transitions.hpp,
// each changed record written back (a host that ticks at the same time computes the same
// states from the same DNS, so the writes agree; a successor is made only by the host that
// claims it first, record_store.hpp). A successor made here is pending when the
// states advance, so the same tick looks its record up and asks keys.dns_hook to publish it.
// Untrusted input: stored records (record_store.hpp) and DNS (through the Lookup).
#pragma once

#include "keys/rotation/record_store.hpp"
#include "keys/rotation/transitions.hpp"

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

namespace postseal::rotation {

// MakeSuccessor - make and record (pending) the next key of one domain and algorithm, as
// `postseal keys rotate` does (keys/rotate_keys.hpp); the records it saved, none when the
// domain is not signed any more (then nothing is made), or why it failed.
using MakeSuccessor = std::function<std::expected<std::vector<Record>, std::string>(
    const std::string& domain, crypto::KeyType a)>;

// AgeRotation - successors made because `old`, the active key, reached keys.max_age - publish_lead.
struct AgeRotation {
  Record old;
  std::vector<Record> made;
};

struct TickResult {
  std::vector<AgeRotation> rotated;  // by keys.max_age, before the states advanced
  std::vector<Event> events;
  std::vector<std::string> problems;  // unusable stored records, failed writes, failed successors
  bool signing_changed = false;       // a key became active: the signer must reload
};

// tick - rotate by age (only with a `make_successor`), advance and save; an error only when
// the store cannot be read at all.
std::expected<TickResult, std::string> tick(RecordStore& store, std::int64_t now,
                                            const Timing& timing, const Lookup& lookup,
                                            const MakeSuccessor& make_successor = {});

}  // namespace postseal::rotation

// max_age.hpp - keys.max_age: which active keys `postseal keys tick` replaces by age, and the
// dates status and postseal_key_retire_seconds show (docs/key-rotation.md). Pure: records,
// "now" and the timing in.
//
// The active key of a domain and algorithm (active_keys.hpp's pick) whose age, now minus
// `created`, is at least max_age - publish_lead is due for a successor, unless the domain
// already has a pending or published key of that algorithm (made by rotate or by an earlier
// tick), so a second tick makes none. The successor is then published and becomes active
// publish_lead after its record is seen: at about max_age. max_age 0: never due.
// Untrusted input: none beyond the parsed records (a `created` in the future only delays; the
// dates saturate instead of overflowing).
#pragma once

#include "keys/rotation/record.hpp"
#include "keys/rotation/transitions.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace postseal::rotation {

// successor_due_at - when tick makes the successor of active key `r`: created + max_age -
// publish_lead; nullopt when max_age is 0.
std::optional<std::int64_t> successor_due_at(const Record& r, const Timing& timing);
// age_limit_at - created + max_age, when `r` is due to stop signing; nullopt when max_age is 0.
std::optional<std::int64_t> age_limit_at(const Record& r, const Timing& timing);
// has_successor - `records` hold a pending or published key of `active`'s domain and algorithm.
bool has_successor(const std::vector<Record>& records, const Record& active);
// due_by_age - the active keys among `records` (any domains) whose successor is to be made now.
std::vector<Record> due_by_age(const std::vector<Record>& records, std::int64_t now,
                               const Timing& timing);

}  // namespace postseal::rotation

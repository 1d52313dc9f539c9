// transitions.hpp - the key rotation state machine, pure: records, "now" and what DNS shows in,
// the next states out (docs/key-rotation.md).
//
// pending -> published: the record at SELECTOR._domainkey.DOMAIN is seen and carries this key
// (RFC 6376 3.6.1, 3.6.2.2). published -> active: publish_lead seconds later, if it is still
// seen (else back to pending); the domain's previously active key of the same algorithm then
// becomes retiring (it no longer signs; its record stays). retiring -> revoked: retire_after
// seconds later (its record is to become an empty p=, RFC 6376 3.6.1). A record moves at
// most one state per tick, so a key is never active before it was seen published and the
// lead time passed. Untrusted input: DNS answers, already judged by the Lookup; times from
// the store (a `since` in the future only delays).
#pragma once

#include "keys/rotation/record.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace postseal::rotation {

inline constexpr std::int64_t kDefaultPublishLead = 2 * 86400;
inline constexpr std::int64_t kDefaultRetireAfter = 7 * 86400;
// kDefaultMaxAge - keys.max_age: M3AAWG's "a new selector at least every six months".
inline constexpr std::int64_t kDefaultMaxAge = 180 * 86400;

// Timing - keys.publish_lead, keys.retire_after and keys.max_age (0: no age limit), in
// seconds. max_age is not a transition: `keys tick` makes successors by it (max_age.hpp).
struct Timing {
  std::int64_t publish_lead = kDefaultPublishLead;
  std::int64_t retire_after = kDefaultRetireAfter;
  std::int64_t max_age = kDefaultMaxAge;
};

// Seen - what DNS shows at a record's name, compared with the record's key.
enum class Seen { match, missing, other };
struct Sighting {
  Seen seen = Seen::missing;
  std::string detail;  // printable: what was found instead, or the DNS error
};
// Lookup - looks a record up (keys/dns_check.hpp in production, a table in tests).
using Lookup = std::function<Sighting(const Record&)>;

enum class Change { published, activated, retired, revoked, withdrawn, waiting };
std::string_view to_string(Change c);

// Event - what a tick did to (or found for) one record; `record` is the record after it.
struct Event {
  Change change;
  Record record;
  std::string detail;
};

// advance - one tick over the records of one domain, changed in place; the events in order.
std::vector<Event> advance(std::vector<Record>& records, std::int64_t now, const Timing& timing,
                           const Lookup& lookup);

}  // namespace postseal::rotation

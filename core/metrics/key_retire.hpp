// key_retire.hpp - postseal_key_retire_seconds{domain,selector}: for each retiring key of a
// configured signing domain (docs/key-rotation.md: it no longer signs, its record stays
// published for keys.retire_after), the seconds left until `postseal keys tick` revokes it;
// for each active key that signs, with keys.max_age > 0, the seconds left until it reaches
// that age (created + max_age: its successor takes over about then). Computed at each scrape
// from the clock (system, or a test's). At or below 0 a retiring key is revoked by the next
// tick; well below 0 says the tick timer has not run (or an active key's successor was never
// published). Pending, published and revoked keys have no series, nor active keys with
// keys.max_age = 0.
//
// Untrusted input: none (the records come from the [state] store through
// keys/rotation/record.hpp's parser, and only domains of the signing table are kept by the
// caller). Limits: one series per retiring or signing key; set_retiring_keys() replaces the list
// (start and each reload of the signer or signing milter), so a revoked key's series goes with it.
#pragma once

#include "core/util/clock.hpp"

#include <prometheus/collectable.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace postseal::metrics {

struct RetiringKey {
  std::string domain, selector;
  std::int64_t revoke_at = 0;  // seconds since the epoch: entered retiring + retire_after, or
                               // (active) created + max_age
};

// set_retiring_keys - the retiring keys, and the active keys with an age limit, now.
void set_retiring_keys(std::vector<RetiringKey> keys);

// set_key_retire_clock - the clock scrapes subtract from; nullptr (the start): the system
// clock. Tests set a FixedClock and reset it before it goes away.
void set_key_retire_clock(const Clock* clock);

// key_retire_collectable - the collectable the exposer serves beside the registry.
std::shared_ptr<prometheus::Collectable> key_retire_collectable();

}  // namespace postseal::metrics

// key_retire.hpp - postseal_key_retire_seconds{domain,selector}: for each retiring key of a
// configured signing domain (docs/key-rotation.md: it no longer signs, its record stays
// published for keys.retire_after), the seconds left until `postseal keys tick` revokes it,
// computed at each scrape from the clock (system, or a test's). At or below 0 the next tick revokes
// it; well below 0 says the tick timer has not run. Active, pending, published and revoked keys
// have no series: postseal has no maximum key age, so an active key has no date to count to.
//
// Untrusted input: none (the records come from the [state] store through
// keys/rotation/record.hpp's parser, and only domains of the signing table are kept by the
// caller). Limits: one series per retiring key; set_retiring_keys() replaces the list (start
// and each reload of the signer or signing milter), so a revoked key's series goes with it.
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
  std::int64_t revoke_at = 0;  // seconds since the epoch: when it entered retiring + retire_after
};

// set_retiring_keys - the retiring keys now.
void set_retiring_keys(std::vector<RetiringKey> keys);

// set_key_retire_clock - the clock scrapes subtract from; nullptr (the start): the system
// clock. Tests set a FixedClock and reset it before it goes away.
void set_key_retire_clock(const Clock* clock);

// key_retire_collectable - the collectable the exposer serves beside the registry.
std::shared_ptr<prometheus::Collectable> key_retire_collectable();

}  // namespace postseal::metrics

// store_factory.hpp - the Store the [state] keys name (options.hpp).
//
// "sqlite" opens (and checks) the file at once: a problem is a StartupError naming it;
// "redis" connects lazily (a Redis down at start is an outage, not a start-up error: callers
// fail open); "memory" is process-local. Limits: those of each backend.
#pragma once

#include "core/state/options.hpp"
#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <memory>

namespace postseal::state {

// open_store - the configured backend, its failures counted (counting_store.hpp); `clock`
// must outlive it. Throws StartupError.
std::unique_ptr<Store> open_store(const Options& options, const Clock& clock);

}  // namespace postseal::state

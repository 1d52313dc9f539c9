// registry.hpp - the daemon's one Prometheus registry (prometheus-cpp) and the switch that
// says whether anything is counted.
//
// Every counter of postseal lives in registry() (families.hpp names them). Counting is off
// until enable(): a daemon whose [metrics] listen is empty (the default) never enables it, so
// each count_*() of events.hpp costs one relaxed atomic load on the hot paths. enable() is
// called by start_exposer() (exposer.hpp) and by tests. Untrusted input: none here.
#pragma once

#include <prometheus/registry.h>

#include <atomic>

namespace postseal::metrics {

namespace detail {
inline std::atomic<bool> g_enabled{false};
}  // namespace detail

// enabled - true once enable() was called in this process.
inline bool enabled() { return detail::g_enabled.load(std::memory_order_relaxed); }

// enable - start counting: registers every family (at zero) and postseal_build_info.
void enable();

// registry - the process's registry (created on first use, never destroyed).
prometheus::Registry& registry();

}  // namespace postseal::metrics

// registry.cpp - the process registry and the counting switch (see registry.hpp).
#include "core/metrics/registry.hpp"

#include "core/metrics/families.hpp"

namespace postseal::metrics {

prometheus::Registry& registry() {
  // leaked on purpose: counters are touched by threads that may outlive main()'s locals
  static auto* r = new prometheus::Registry();
  return *r;
}

void enable() {
  families();  // every family registered, so a scrape shows each series from the start
  register_build_info();
  detail::g_enabled.store(true, std::memory_order_relaxed);
}

}  // namespace postseal::metrics

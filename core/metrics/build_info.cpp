// build_info.cpp - postseal_build_info{version} 1: which build a scrape came from.
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

#include <prometheus/gauge.h>

#ifndef POSTSEAL_VERSION
#define POSTSEAL_VERSION "unknown"
#endif

namespace postseal::metrics {

void register_build_info() {
  auto& family = prometheus::BuildGauge()
                     .Name("postseal_build_info")
                     .Help("Always 1; the version label names the postseal build")
                     .Register(registry());
  family.Add({{"version", POSTSEAL_VERSION}}).Set(1);
}

}  // namespace postseal::metrics

// exposer.cpp - the /metrics HTTP endpoint (see exposer.hpp).
#include "core/metrics/exposer.hpp"

#include "core/metrics/key_age.hpp"
#include "core/metrics/key_retire.hpp"
#include "core/metrics/registry.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"

#include <fmt/format.h>
#include <prometheus/exposer.h>

#include <memory>

namespace postseal::metrics {
namespace {

// kServerThreads - civetweb threads answering scrapes.
constexpr std::size_t kServerThreads = 2;

// shared_registry - the process registry as the weak_ptr the Exposer wants (it never owns it).
std::shared_ptr<prometheus::Registry> shared_registry() {
  static std::shared_ptr<prometheus::Registry> r(&registry(), [](prometheus::Registry*) {});
  return r;
}

}  // namespace

Endpoint::Endpoint(std::unique_ptr<prometheus::Exposer> exposer) : exposer_(std::move(exposer)) {}
Endpoint::~Endpoint() = default;

int Endpoint::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

std::unique_ptr<Endpoint> start_exposer(const Options& options, std::string_view daemon) {
  if (options.listen.empty()) return nullptr;
  enable();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(options.listen, kServerThreads);
  } catch (const std::exception& e) {
    throw config_error(fmt::format("metrics.listen {}: cannot listen: {}", options.listen, e.what()));
  }
  exposer->RegisterCollectable(shared_registry());
  exposer->RegisterCollectable(key_age_collectable());
  exposer->RegisterCollectable(key_retire_collectable());
  auto endpoint = std::make_unique<Endpoint>(std::move(exposer));
  log::info("{}: metrics on http://{}/metrics", daemon, options.listen);
  return endpoint;
}

}  // namespace postseal::metrics

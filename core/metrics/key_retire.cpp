// key_retire.cpp - time left to each retiring key (and active key with keys.max_age),
// computed at scrape time (see key_retire.hpp).
#include "core/metrics/key_retire.hpp"

#include <prometheus/metric_family.h>

#include <mutex>

namespace postseal::metrics {
namespace {

class RetireTimes final : public prometheus::Collectable {
 public:
  void set(std::vector<RetiringKey> keys) {
    std::lock_guard lock(mutex_);
    keys_ = std::move(keys);
  }
  void set_clock(const Clock* clock) {
    std::lock_guard lock(mutex_);
    clock_ = clock ? clock : &system_clock_;
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family{
        "postseal_key_retire_seconds",
        "Seconds until each retiring signing key is revoked by the keys tick "
        "(keys.retire_after after it stopped signing; 0 or less: at the next tick), and until each "
        "active key reaches keys.max_age (its successor takes over about then)",
        prometheus::MetricType::Gauge,
        {}};
    std::lock_guard lock(mutex_);
    const std::int64_t now = clock_->now();
    for (const auto& k : keys_) {
      prometheus::ClientMetric m;
      m.label = {{"domain", k.domain}, {"selector", k.selector}};
      m.gauge.value = static_cast<double>(k.revoke_at - now);
      family.metric.push_back(std::move(m));
    }
    return {std::move(family)};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<RetiringKey> keys_;
  const SystemClock system_clock_;
  const Clock* clock_ = &system_clock_;
};

std::shared_ptr<RetireTimes>& instance() {
  static auto* times = new std::shared_ptr<RetireTimes>(std::make_shared<RetireTimes>());
  return *times;
}

}  // namespace

void set_retiring_keys(std::vector<RetiringKey> keys) { instance()->set(std::move(keys)); }

void set_key_retire_clock(const Clock* clock) { instance()->set_clock(clock); }

std::shared_ptr<prometheus::Collectable> key_retire_collectable() { return instance(); }

}  // namespace postseal::metrics

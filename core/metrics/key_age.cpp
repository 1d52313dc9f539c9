// key_age.cpp - key ages computed at scrape time (see key_age.hpp).
#include "core/metrics/key_age.hpp"

#include <prometheus/metric_family.h>

#include <sys/stat.h>

#include <chrono>
#include <mutex>

namespace postseal::metrics {
namespace {

struct KeyMtime {
  std::string domain, selector;
  std::int64_t mtime = 0;  // seconds since the epoch
};

class KeyAges final : public prometheus::Collectable {
 public:
  void set(std::vector<KeyMtime> keys) {
    std::lock_guard lock(mutex_);
    keys_ = std::move(keys);
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family{"postseal_key_age_seconds",
                                    "Age of each signing key in use, from its key file's modification time",
                                    prometheus::MetricType::Gauge,
                                    {}};
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    std::lock_guard lock(mutex_);
    for (const auto& k : keys_) {
      prometheus::ClientMetric m;
      m.label = {{"domain", k.domain}, {"selector", k.selector}};
      m.gauge.value = static_cast<double>(now - k.mtime);
      family.metric.push_back(std::move(m));
    }
    return {std::move(family)};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<KeyMtime> keys_;
};

std::shared_ptr<KeyAges>& instance() {
  static auto* ages = new std::shared_ptr<KeyAges>(std::make_shared<KeyAges>());
  return *ages;
}

}  // namespace

void set_key_files(const std::vector<KeyFile>& keys) {
  std::vector<KeyMtime> out;
  for (const auto& k : keys) {
    struct stat st{};
    if (::stat(k.path.c_str(), &st) != 0) continue;
    out.push_back({k.domain, k.selector, static_cast<std::int64_t>(st.st_mtime)});
  }
  instance()->set(std::move(out));
}

std::shared_ptr<prometheus::Collectable> key_age_collectable() { return instance(); }

}  // namespace postseal::metrics

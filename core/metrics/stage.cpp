// stage.cpp - stage durations and the timers' clock (see stage.hpp).
#include "core/metrics/stage.hpp"

#include "core/metrics/families.hpp"

#include <atomic>

namespace postseal::metrics {
namespace {

std::chrono::steady_clock::time_point steady_now() { return std::chrono::steady_clock::now(); }

std::atomic<MonotonicNow> g_now{&steady_now};

// kStages lists each Stage at its own index: families().stage_seconds is indexed by Stage.
constexpr bool stages_in_order() {
  for (std::size_t i = 0; i < kStages.size(); ++i)
    if (static_cast<std::size_t>(kStages[i]) != i) return false;
  return true;
}
static_assert(stages_in_order());

}  // namespace

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::spf: return "spf";
    case Stage::dkim_verify: return "dkim_verify";
    case Stage::dmarc: return "dmarc";
    case Stage::greylist: return "greylist";
    case Stage::dkim_sign: return "dkim_sign";
    case Stage::relay: return "relay";
    case Stage::srs: return "srs";
    case Stage::policy_request: return "policy_request";
  }
  return kOther;
}

void set_stage_clock(MonotonicNow now) {
  g_now.store(now ? now : &steady_now, std::memory_order_relaxed);
}

std::chrono::steady_clock::time_point stage_now() {
  return g_now.load(std::memory_order_relaxed)();
}

void observe_stage(Stage stage, std::chrono::steady_clock::duration took) {
  if (!enabled()) return;
  families().stage_seconds[static_cast<std::size_t>(stage)]->Observe(
      std::chrono::duration<double>(took).count());
}

}  // namespace postseal::metrics

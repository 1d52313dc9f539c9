// stage.hpp - postseal_stage_duration_seconds{stage}: how long each processing stage a
// message or request goes through took, timed in the step code every front end shares (the
// SPF decision, DKIM verification, DMARC evaluation, greylisting, DKIM signing, the relay to
// the reinjection or after-proxy server, SRS lookups, whole policy requests).
//
// A StageTimer reads a monotonic clock when it is made and when it goes out of scope, only
// while counting is on (registry.hpp): with [metrics] listen empty it costs one relaxed
// atomic load. The clock is steady_clock::now, or what a test set with set_stage_clock.
// Durations are wall time, awaits included: a stage that waits for DNS or for the next
// server counts the wait. Untrusted input: none (stages are the code's own). Limits: one
// histogram series per Stage, all made up front (docs/metrics.md says what each covers).
#pragma once

#include "core/metrics/registry.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace postseal::metrics {

enum class Stage { spf, dkim_verify, dmarc, greylist, dkim_sign, relay, srs, policy_request };
inline constexpr std::array kStages{Stage::spf,      Stage::dkim_verify,   Stage::dmarc,
                                    Stage::greylist, Stage::dkim_sign,     Stage::relay,
                                    Stage::srs,      Stage::policy_request};

// to_string - the stage's label value ("spf", "dkim_verify", ...).
std::string_view to_string(Stage stage);

// MonotonicNow - where stage timers take the time.
using MonotonicNow = std::chrono::steady_clock::time_point (*)();

// set_stage_clock - the timers' clock from now on; nullptr: steady_clock::now again (tests).
void set_stage_clock(MonotonicNow now);
// stage_now - the timers' clock.
std::chrono::steady_clock::time_point stage_now();

// observe_stage - one run of `stage` that took `took`.
void observe_stage(Stage stage, std::chrono::steady_clock::duration took);

// StageTimer - times its own scope as one run of a stage.
class StageTimer {
 public:
  explicit StageTimer(Stage stage) : stage_(stage), on_(enabled()) {
    if (on_) start_ = stage_now();
  }
  ~StageTimer() {
    if (on_) observe_stage(stage_, stage_now() - start_);
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  Stage stage_;
  bool on_;
  std::chrono::steady_clock::time_point start_{};
};

}  // namespace postseal::metrics

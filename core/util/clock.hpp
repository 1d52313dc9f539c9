// clock.hpp - the injected clock.
//
// Signing timestamps (DKIM t=/x=), SRS day stamps, signature expiry checks and cache TTLs all
// take "now" from a Clock, so test vectors replay exactly. Production uses SystemClock; tests
// use FixedClock. Seconds since the Unix epoch, UTC, as int64_t (no 2038 overflow).
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace postseal {

// Clock - where "now" comes from.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now() const = 0;
};

// SystemClock - the real wall clock.
class SystemClock final : public Clock {
 public:
  std::int64_t now() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
};

// FixedClock - a clock that says what the test tells it.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t t) : t_(t) {}
  std::int64_t now() const override { return t_.load(); }
  void set(std::int64_t t) { t_.store(t); }
  void advance(std::int64_t seconds) { t_.fetch_add(seconds); }

 private:
  std::atomic<std::int64_t> t_;
};

}  // namespace postseal

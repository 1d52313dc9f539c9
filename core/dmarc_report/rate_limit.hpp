// rate_limit.hpp - how many DMARC failure reports may go out: per ruf address and in all,
// per clock hour, counted in the state store.
//
// RFC 9991 7 asks reporters to limit failure reports (a flood of spoofed mail must not make
// us flood the Domain Owner, or be used to flood a third party). Counted with the store's
// atomic increment (core/state/store.hpp), so several MX hosts sharing one Redis share the
// limit; with SQLite it is per host, with state.backend = "memory" per process and bounded
// by state.max_entries. Keys: store_keys.hpp (dmarc:f:...), expiring after kWindowSeconds
// twice. A store that fails refuses the report (fail closed: a report lost, never a flood).
// Untrusted input: the ruf address (from DNS, checked by destination.hpp; hashed into the key).
// Limits: dmarc.failure_report_rate per address and hour, dmarc.failure_report_global_rate.
#pragma once

#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <cstdint>
#include <string_view>

namespace postseal::dmarc_report {

// kWindowSeconds - the counting window: one clock hour.
inline constexpr std::int64_t kWindowSeconds = 3600;

// RateDecision - whether one report may be sent now.
enum class RateDecision { allowed, address_limit, global_limit, store_failed };
std::string_view to_string(RateDecision d);

// RateLimits - reports per window.
struct RateLimits {
  std::int64_t per_address = 10;
  std::int64_t global = 100;
};

// FailureRateLimiter - counts into `store` on `clock`, both outliving it.
class FailureRateLimiter {
 public:
  FailureRateLimiter(state::Store& store, const Clock& clock, RateLimits limits)
      : store_(store), clock_(clock), limits_(limits) {}

  // admit - count one report to `address` and say whether it may go: the address's count
  // first (a refused address does not use up the global count), then the global one.
  RateDecision admit(std::string_view address);

 private:
  state::Store& store_;
  const Clock& clock_;
  RateLimits limits_;
};

}  // namespace postseal::dmarc_report

// rate_limit.cpp - failure report counting (see rate_limit.hpp).
#include "core/dmarc_report/rate_limit.hpp"

#include "core/dmarc_report/store_keys.hpp"
#include "core/util/text.hpp"

namespace postseal::dmarc_report {

std::string_view to_string(RateDecision d) {
  switch (d) {
    case RateDecision::allowed: return "allowed";
    case RateDecision::address_limit: return "rate limit";
    case RateDecision::global_limit: return "global rate limit";
    case RateDecision::store_failed: return "state store failed";
  }
  return "?";
}

RateDecision FailureRateLimiter::admit(std::string_view address) {
  const std::int64_t hour = clock_.now() / kWindowSeconds;
  const std::int64_t ttl = 2 * kWindowSeconds;
  auto mine = store_.increment(keys::failures_sent(hour, to_lower(address)), 1, ttl);
  if (!mine) return RateDecision::store_failed;
  if (*mine > limits_.per_address) return RateDecision::address_limit;
  auto all = store_.increment(keys::failures_sent_all(hour), 1, ttl);
  if (!all) return RateDecision::store_failed;
  if (*all > limits_.global) return RateDecision::global_limit;
  return RateDecision::allowed;
}

}  // namespace postseal::dmarc_report

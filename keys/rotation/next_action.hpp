// next_action.hpp - what `postseal keys status` says an administrator (or the next tick) does
// next for one record, and the age column. Pure: times and the timing are passed in.
// Untrusted input: none (records are parsed and validated by record.hpp).
#pragma once

#include "keys/rotation/record.hpp"
#include "keys/rotation/transitions.hpp"

#include <cstdint>
#include <string>

namespace postseal::rotation {

// next_action - one line: publish the record, wait until a date, signing (and, with
// keys.max_age, from when tick makes its successor, or that one is `successor_made`), keep
// published until a date, publish an empty p= (or: done by keys.dns_hook).
std::string next_action(const Record& r, const Timing& timing, bool dns_hook,
                        bool successor_made = false);
// revoked_value - the TXT value that revokes a key (RFC 6376 3.6.1: empty p=).
std::string revoked_value(const Record& r);
// format_age - "3d", "5h", "12m", "40s".
std::string format_age(std::int64_t seconds);
// format_days - "180 days", "1 day" (whole days, rounded down).
std::string format_days(std::int64_t seconds);
// format_time - "2026-12-08 22:10 UTC".
std::string format_time(std::int64_t t);

}  // namespace postseal::rotation

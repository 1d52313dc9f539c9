// next_action.cpp - the status column texts (see next_action.hpp).
#include "keys/rotation/next_action.hpp"

#include "keys/rotation/max_age.hpp"

#include <fmt/format.h>

#include <ctime>

namespace postseal::rotation {

std::string format_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm day{};
  if (gmtime_r(&tt, &day) == nullptr) return std::to_string(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", day.tm_year + 1900, day.tm_mon + 1, day.tm_mday,
                     day.tm_hour, day.tm_min);
}

std::string format_age(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds >= 86400) return fmt::format("{}d", seconds / 86400);
  if (seconds >= 3600) return fmt::format("{}h", seconds / 3600);
  if (seconds >= 60) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

std::string format_days(std::int64_t seconds) {
  const std::int64_t days = seconds < 0 ? 0 : seconds / 86400;
  return fmt::format("{} day{}", days, days == 1 ? "" : "s");
}

std::string revoked_value(const Record& r) { return fmt::format("v=DKIM1; k={}; p=", crypto::to_string(r.a)); }

std::string next_action(const Record& r, const Timing& timing, bool dns_hook, bool successor_made) {
  switch (r.state) {
    case State::pending:
      return dns_hook ? fmt::format("keys.dns_hook publishes {} TXT; tick checks DNS", record_name(r))
                      : fmt::format("publish {} TXT \"{}\"; tick checks DNS", record_name(r), r.txt);
    case State::published:
      return fmt::format("signs from the first tick after {}", format_time(r.since + timing.publish_lead));
    case State::active:
      if (successor_made) return "signing until its successor (below) is active";
      if (auto due = successor_due_at(r, timing))
        return fmt::format("signing; tick makes its successor from {} (keys.max_age {})",
                           format_time(*due), format_days(timing.max_age));
      return "signing";
    case State::retiring:
      return fmt::format("keep the record published; revoked from the first tick after {}",
                         format_time(r.since + timing.retire_after));
    case State::revoked:
      return dns_hook ? fmt::format("keys.dns_hook set {} to \"{}\"; remove {} when no mail signed with it is "
                                    "in transit",
                                    record_name(r), revoked_value(r), r.file)
                      : fmt::format("publish {} TXT \"{}\" (empty p=), then remove {}", record_name(r),
                                    revoked_value(r), r.file);
  }
  return {};
}

}  // namespace postseal::rotation

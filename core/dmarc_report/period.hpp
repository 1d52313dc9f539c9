// period.hpp - the reporting period of an aggregate report: one UTC day.
//
// RFC 9990 2.1 date_range (begin and end in seconds since the epoch, UTC); 3.1 recommends
// day boundaries. The period's text form "YYYY-MM-DD" names it in store keys and on the
// command line (--period). Untrusted input: the command-line text, parsed strictly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// Period - one UTC day, by its number of days since 1970-01-01.
struct Period {
  std::int64_t day = 0;

  std::int64_t begin() const { return day * kSecondsPerDay; }
  std::int64_t end() const { return begin() + kSecondsPerDay - 1; }  // last second, inclusive
  std::string text() const;                                          // "2026-12-06"
  bool operator==(const Period&) const = default;
};

// period_of - the day holding `epoch_seconds`.
Period period_of(std::int64_t epoch_seconds);

// parse_period - "YYYY-MM-DD" (a real date, year 1970..9999), else nullopt.
std::optional<Period> parse_period(std::string_view text);

}  // namespace postseal::dmarc_report

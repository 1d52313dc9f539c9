// period.cpp - UTC days as reporting periods (see period.hpp).
#include "core/dmarc_report/period.hpp"

#include <fmt/format.h>

#include <ctime>

namespace postseal::dmarc_report {
namespace {

// digits - the decimal value of `text` (digits only), else -1.
int digits(std::string_view text) {
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string Period::text() const {
  std::time_t t = static_cast<std::time_t>(begin());
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

Period period_of(std::int64_t epoch_seconds) {
  std::int64_t day = epoch_seconds / kSecondsPerDay;
  if (epoch_seconds < 0 && epoch_seconds % kSecondsPerDay != 0) --day;
  return Period{day};
}

std::optional<Period> parse_period(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = digits(text.substr(0, 4)), month = digits(text.substr(5, 2)),
      mday = digits(text.substr(8, 2));
  if (year < 1970 || month < 1 || month > 12 || mday < 1 || mday > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = mday;
  Period p = period_of(static_cast<std::int64_t>(timegm(&tm)));
  if (p.text() != text) return std::nullopt;  // 2026-02-30 and the like
  return p;
}

}  // namespace postseal::dmarc_report

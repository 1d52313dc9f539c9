// answer.cpp - deferral text and X-Greylist header (see answer.hpp).
#include "verifier/greylist/answer.hpp"

#include <fmt/format.h>

#include <ctime>

namespace postseal::greylist {

const std::string_view kVersion = POSTSEAL_VERSION;

std::string defer_reply(std::string_view text, std::int64_t seconds) {
  std::string out = "4.7.1 ";
  auto at = text.find("%s");
  if (at == std::string_view::npos) return out.append(text);
  out.append(text.substr(0, at));
  out += std::to_string(seconds);
  out.append(text.substr(at + 2));
  return out;
}

std::string rfc5322_date(std::int64_t epoch_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[tm.tm_wday % 7], tm.tm_mday,
                     kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string x_greylist_value(std::int64_t seconds, std::string_view host, std::int64_t now) {
  return fmt::format("delayed {} seconds by postseal-{} at {}; {}", seconds, kVersion, host,
                     rfc5322_date(now));
}

std::string x_greylist_header(std::int64_t seconds, std::string_view host, std::int64_t now) {
  return fmt::format("{}: {}", kXGreylist, x_greylist_value(seconds, host, now));
}

}  // namespace postseal::greylist

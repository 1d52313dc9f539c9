// at_time.cpp - parse_at (see at_time.hpp).
#include "keys/at_time.hpp"

#include <charconv>
#include <ctime>

namespace postseal::keys {
namespace {

// kMaxOffsetSeconds - the furthest "+N" reaches: 100 years.
constexpr std::int64_t kMaxOffsetSeconds = 36500LL * 86400;

constexpr const char* kForms =
    "expected +N followed by s, m, h or d, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)";

// number - the digits of text[pos, pos + n) as an integer, or -1.
int number(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::expected<std::int64_t, std::string> offset(std::string_view text, std::int64_t now) {
  const std::string_view digits = text.substr(1, text.size() - 2);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || n < 0)
    return std::unexpected(std::string(kForms));
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::unexpected(std::string(kForms));
  }
  if (n > kMaxOffsetSeconds / unit) return std::unexpected("more than 36500 days ahead");
  return now + n * unit;
}

std::expected<std::int64_t, std::string> date(std::string_view text) {
  const bool with_time = text.size() == 20;
  if (text.size() != 10 && !with_time) return std::unexpected(std::string(kForms));
  if (text[4] != '-' || text[7] != '-') return std::unexpected(std::string(kForms));
  if (with_time && (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z'))
    return std::unexpected(std::string(kForms));
  std::tm tm{};
  const int y = number(text, 0, 4), mo = number(text, 5, 2), d = number(text, 8, 2);
  const int h = with_time ? number(text, 11, 2) : 0, mi = with_time ? number(text, 14, 2) : 0,
            s = with_time ? number(text, 17, 2) : 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      s < 0 || s > 59)
    return std::unexpected(std::string(kForms));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::int64_t t = ::timegm(&tm);
  // timegm normalises 2027-02-30 to March 2: a day the month does not have is refused
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::unexpected("no such day");
  return t;
}

}  // namespace

std::expected<std::int64_t, std::string> parse_at(std::string_view text, std::int64_t now) {
  if (text.size() >= 3 && text.front() == '+') return offset(text, now);
  return date(text);
}

}  // namespace postseal::keys

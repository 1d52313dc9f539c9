// at_time_test.cpp - `postseal keys ... --at WHEN`: the forms taken and the ones refused.
#include "keys/at_time.hpp"

#include <gtest/gtest.h>

namespace postseal::keys {
namespace {

constexpr std::int64_t kNow = 1'796'000'000;  // 2026-11-30

TEST(AtTime, OffsetsCountFromNow) {
  EXPECT_EQ(parse_at("+0d", kNow), kNow);
  EXPECT_EQ(parse_at("+30s", kNow), kNow + 30);
  EXPECT_EQ(parse_at("+5m", kNow), kNow + 300);
  EXPECT_EQ(parse_at("+2h", kNow), kNow + 7200);
  EXPECT_EQ(parse_at("+3d", kNow), kNow + 3 * 86400);
  EXPECT_EQ(parse_at("+36500d", kNow), kNow + 36500LL * 86400);
}

TEST(AtTime, DatesAreUtc) {
  EXPECT_EQ(parse_at("2027-01-10", kNow), 1'799'539'200);
  EXPECT_EQ(parse_at("2027-01-10T12:30:05Z", kNow), 1'799'539'200 + 12 * 3600 + 30 * 60 + 5);
  EXPECT_EQ(parse_at("2028-02-29", kNow), 1'835'395'200);  // a leap day
  EXPECT_EQ(parse_at("1970-01-01", kNow), 0);
}

TEST(AtTime, OtherTextIsRefusedWithTheForms) {
  for (const char* bad : {"",
                          "+",
                          "+d",
                          "+3",
                          "+3w",
                          "+-3d",
                          "+3.5d",
                          "+36501d",
                          "+99999999999999999999d",
                          "tomorrow",
                          "2027-1-10",
                          "2027/01/10",
                          "2027-13-01",
                          "2027-00-10",
                          "2027-02-30",
                          "2027-01-10T25:00:00Z",
                          "2027-01-10T12:00:00",
                          "2027-01-10 12:00:00Z",
                          "1969-12-31",
                          "2027-01-10T12:60:00Z"}) {
    auto r = parse_at(bad, kNow);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_NE(parse_at("soon", kNow).error().find("YYYY-MM-DD"), std::string::npos);
}

}  // namespace
}  // namespace postseal::keys

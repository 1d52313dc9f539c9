// codec_test.cpp - SrsCodec beyond the vectors: error classes, length limits (> 64-octet local
// part, kMaxAddressOctets, a 1,000-char stamp), wrap, rotation, options, constant-time compare.
#include "srs/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace postseal::srs {
namespace {

constexpr std::int64_t kNow = 1700000000;  // day 19675, stamp G3
constexpr std::int64_t kDay = 86400;

struct Fixture {
  FixedClock clock{kNow};
  SrsCodec codec;
  explicit Fixture(std::vector<std::string> secrets = {"tops3cr3t"}, SrsOptions o = {})
      : codec(o, secrets, clock) {}
};

TEST(SrsCodec, RoundTripsOrdinaryAndSrs1) {
  Fixture f;
  for (const char* sender : {"alice@example.com", "a=b+c@example.org", "x@[192.0.2.1]"}) {
    auto fwd = f.codec.forward(sender, "fwd.example");
    ASSERT_TRUE(fwd) << sender;
    EXPECT_TRUE(fwd->starts_with("SRS0=")) << *fwd;
    auto back = f.codec.reverse(*fwd);
    ASSERT_TRUE(back) << *fwd;
    EXPECT_EQ(*back, sender);
  }
  auto srs1 = f.codec.forward("SRS0=AbCd=G3=orig.example=bob@first.example", "fwd.example");
  ASSERT_TRUE(srs1);
  EXPECT_TRUE(srs1->starts_with("SRS1="));
  EXPECT_EQ(f.codec.reverse(*srs1).value_or(""), "SRS0=AbCd=G3=orig.example=bob@first.example");
}

TEST(SrsCodec, ErrorClasses) {
  Fixture f;
  struct Case {
    std::string in;
    bool forward;
    SrsError want;
  };
  const Case cases[] = {
      {"nodomain", true, SrsError::no_at},
      {"", true, SrsError::no_at},
      {"@example.com", true, SrsError::no_at},
      {"user@", true, SrsError::no_at},
      {"SRS0=PGkz=G3=example.com=alice", false, SrsError::no_at},
      {"alice@example.com", false, SrsError::not_srs},
      {"SRS0=PGkz=G3=example.com@fwd.example", false, SrsError::not_srs},
      {"SRS0=PGkz@fwd.example", false, SrsError::not_srs},
      {"SRS0=PGkz=G3==alice@fwd.example", false, SrsError::not_srs},
      {"SRS0@fwd.example", false, SrsError::not_srs},
      {"SRS1=Z057=first.example@fwd.example", false, SrsError::not_srs},
      {"SRS1=Z057=first.example=x@fwd.example", false, SrsError::not_srs},
      {"SRS2=PGkz=G3=example.com=alice@fwd.example", false, SrsError::not_srs},
      {"SRS0=PGkz=G3=example.com=bob@fwd.example", false, SrsError::bad_hash},
      {"SRS0=PGk=G3=example.com=alice@fwd.example", false, SrsError::bad_hash},
      {"SRS0==G3=example.com=alice@fwd.example", false, SrsError::bad_hash},
      {"SRS0=PGkzM2fmPGkzM2fmPGkzM2fmPGkz=G3=example.com=alice@fwd.example", false, SrsError::bad_hash},
  };
  for (const auto& c : cases) {
    auto r = c.forward ? f.codec.forward(c.in, "fwd.example") : f.codec.reverse(c.in);
    ASSERT_FALSE(r) << c.in << " -> " << *r;
    EXPECT_EQ(r.error().error, c.want) << c.in << ": " << r.error().reason;
    EXPECT_FALSE(r.error().reason.empty());
  }
}

TEST(SrsCodec, LocalPartOver64OctetsIsProducedUpToTheAddressLimit) {
  Fixture f;
  // 52-octet sender -> 65-octet SRS local part: produced (vector F08, as every peer does)
  const std::string long_local(52 - 12, 'u');
  auto r = f.codec.forward(long_local + "@example.com", "fwd.example");
  ASSERT_TRUE(r);
  EXPECT_GT(r->find('@'), kMaxLocalPartOctets);
  EXPECT_TRUE(f.codec.reverse(*r));
  // a result over kMaxAddressOctets is refused: Postfix keeps the original sender
  const std::string domain = std::string(230, 'd') + ".example";
  auto too_long = f.codec.forward("alice@" + domain, "fwd.example");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().error, SrsError::too_long);
  // the largest input that still fits is accepted
  const std::string sender = "a@" + std::string(254 - 2 - 40, 'd');
  auto fits = f.codec.forward(sender, "f.x");
  ASSERT_TRUE(fits) << fits.error().reason;
  EXPECT_LE(fits->size(), kMaxAddressOctets);
}

TEST(SrsCodec, AddressLimitHoldsOnInput) {
  Fixture f;
  const std::string at_limit = std::string(kMaxAddressOctets - 12, 'a') + "@example.com";
  ASSERT_EQ(at_limit.size(), kMaxAddressOctets);
  EXPECT_NE(f.codec.reverse(at_limit).error().error, SrsError::too_long);
  EXPECT_EQ(f.codec.reverse("x" + at_limit).error().error, SrsError::too_long);
  EXPECT_EQ(f.codec.forward("x" + at_limit, "fwd.example").error().error, SrsError::too_long);
}

TEST(SrsCodec, ThousandCharStampIsRefusedQuickly) {
  Fixture f;
  const std::string attack = "SRS0=PGkz=" + std::string(1000, 'A') + "=example.com=alice@fwd.example";
  const std::string normal = "SRS0=PGkz=G2=example.com=alice@fwd.example";  // bad hash, normal size
  // the fastest of several rounds of each: a round the scheduler interrupted (a loaded CI
  // machine) does not count against either side
  auto fastest = [&f](const std::string& address) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int round = 0; round < 9; ++round) {
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < 500; ++i) EXPECT_FALSE(f.codec.reverse(address));
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return best;
  };
  auto attack_time = fastest(attack);
  auto normal_time = fastest(normal);
  EXPECT_EQ(f.codec.reverse(attack).error().error, SrsError::too_long);
  // refused before any hashing: no slower than rejecting an ordinary forged address
  EXPECT_LT(attack_time, normal_time * 2);
}

TEST(SrsCodec, StampWrapsEvery1024DaysAndExpiresAfterMaxAge) {
  SrsOptions o;
  o.max_age = 3;
  Fixture f({"k"}, o);
  auto srs = f.codec.forward("alice@example.com", "fwd.example");
  ASSERT_TRUE(srs);
  struct Case { std::int64_t days; bool valid; };
  for (auto c : {Case{0, true}, Case{3, true}, Case{4, false}, Case{-1, false}, Case{1024, true},
                 Case{1027, true}, Case{1028, false}}) {
    f.clock.set(kNow + c.days * kDay);
    auto r = f.codec.reverse(*srs);
    EXPECT_EQ(static_cast<bool>(r), c.valid) << "day +" << c.days;
    if (!c.valid) {
      EXPECT_EQ(r.error().error, SrsError::expired) << c.days;
    }
  }
}

TEST(SrsCodec, FirstSecretSignsAllVerify) {
  FixedClock clock(kNow);
  SrsCodec old_codec({}, {"old"}, clock), rotated({}, {"new", "old"}, clock), dropped({}, {"new"}, clock);
  auto by_old = old_codec.forward("alice@example.com", "fwd.example");
  auto by_new = rotated.forward("alice@example.com", "fwd.example");
  ASSERT_TRUE(by_old && by_new);
  EXPECT_NE(*by_old, *by_new);
  EXPECT_EQ(*by_new, *dropped.forward("alice@example.com", "fwd.example"));
  EXPECT_TRUE(rotated.reverse(*by_old));
  EXPECT_TRUE(rotated.reverse(*by_new));
  EXPECT_EQ(dropped.reverse(*by_old).error().error, SrsError::bad_hash);
}

TEST(SrsCodec, HashCompareIsCaseInsensitiveAndWholeLength) {
  EXPECT_TRUE(constant_time_iequals("PGkz", "pgKZ"));
  EXPECT_FALSE(constant_time_iequals("PGkz", "PGk"));
  EXPECT_FALSE(constant_time_iequals("PGkz", "PGk+"));
  EXPECT_FALSE(constant_time_iequals("a@", "A`"));  // '@'/'`' are not a case pair
  EXPECT_TRUE(constant_time_iequals("", ""));
}

TEST(SrsCodec, StampCoding) {
  EXPECT_EQ(encode_stamp(kNow), "G3");
  EXPECT_EQ(decode_stamp("G3"), 219);
  EXPECT_EQ(decode_stamp("g3"), 219);
  EXPECT_EQ(decode_stamp("77"), 1023);
  EXPECT_EQ(decode_stamp("AA"), 0);
  for (const char* bad : {"G1", "G", "G33", "", "G8", "@3"}) EXPECT_EQ(decode_stamp(bad), -1) << bad;
  EXPECT_EQ(encode_stamp(0), "AA");
  EXPECT_EQ(encode_stamp(1024 * kDay), "AA");
  EXPECT_EQ(encode_stamp(-1), "77");  // before 1970: day -1 wraps to slot 1023
}

TEST(SrsCodec, OptionsAreChecked) {
  struct Case { SrsOptions o; bool ok; };
  const Case cases[] = {
      {{'=', 4, 21}, true},  {{'+', 1, 1}, true},   {{'-', 27, 1000}, true},
      {{'.', 4, 21}, false}, {{'=', 0, 21}, false}, {{'=', 28, 21}, false},
      {{'=', 4, 0}, false},  {{'=', 4, 1001}, false},
  };
  for (const auto& c : cases) EXPECT_EQ(static_cast<bool>(check_options(c.o)), c.ok);
}

TEST(SrsCodec, ControlCharactersAreRefused) {
  using namespace std::string_literals;
  Fixture f;
  for (const auto& bad : {"a\0b@example.org"s, "a\rb@example.org"s, "a@example.org\n"s,
                          "a\x7f@example.org"s}) {
    auto fwd = f.codec.forward(bad, "fwd.example");
    ASSERT_FALSE(fwd) << *fwd;
    EXPECT_EQ(fwd.error().error, SrsError::control);
    auto good = f.codec.forward("alice@example.org", "fwd.example");
    ASSERT_TRUE(good);
    std::string forged = *good;
    const char control = *std::find_if(bad.begin(), bad.end(),
                                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    forged.insert(forged.find('@'), 1, control);
    auto rev = f.codec.reverse(forged);
    ASSERT_FALSE(rev);
    EXPECT_EQ(rev.error().error, SrsError::control);
  }
}

TEST(SrsCodec, ErrorNames) {
  EXPECT_EQ(error_name(SrsError::not_srs), "not SRS");
  EXPECT_EQ(error_name(SrsError::bad_hash), "bad hash");
  EXPECT_EQ(error_name(SrsError::expired), "expired");
  EXPECT_EQ(error_name(SrsError::no_at), "no @");
  EXPECT_EQ(error_name(SrsError::control), "control character");
}

}  // namespace
}  // namespace postseal::srs

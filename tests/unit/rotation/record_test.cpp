// record_test.cpp - keys/rotation/record.hpp: the stored form round-trips; a stored value from a
// shared store that is malformed or hostile is refused with the reason, never half-read.
#include "keys/rotation/record.hpp"

#include <gtest/gtest.h>

namespace postseal::rotation {
namespace {

Record sample() {
  return Record{"example.com", "rsa202612", crypto::KeyType::rsa, State::published, 1700000000, 1700003600,
                "/etc/postseal/keys/rsa202612.private", "v=DKIM1; k=rsa; p=MIIB"};
}

TEST(RotationRecord, RoundTrips) {
  for (auto state : {State::pending, State::published, State::active, State::retiring, State::revoked}) {
    Record r = sample();
    r.state = state;
    r.a = crypto::KeyType::ed25519;
    auto back = parse_record(format_record(r));
    ASSERT_TRUE(back.has_value()) << back.error();
    EXPECT_EQ(*back, r);
  }
}

TEST(RotationRecord, Names) {
  EXPECT_EQ(store_key(sample()), "keys.rotation:example.com:rsa202612");
  EXPECT_EQ(domain_prefix("example.com"), "keys.rotation:example.com:");
  EXPECT_EQ(record_name(sample()), "rsa202612._domainkey.example.com");
}

TEST(RotationRecord, RefusesHostileValues) {
  const std::string good = format_record(sample());
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  struct {
    std::string name, text, want;
  } cases[] = {
      {"domain with space", replace("d=example.com", "d=exa mple.com"), "d:"},
      {"domain with slash", replace("d=example.com", "d=../../etc"), "d:"},
      {"domain label leading hyphen", replace("d=example.com", "d=-bad.example.com"), "d:"},
      {"selector with semicolon", replace("s=rsa202612", "s=a;b"), "s:"},
      {"unknown algorithm", replace("a=rsa", "a=dsa"), "a:"},
      {"unknown state", replace("state=published", "state=live"), "state:"},
      {"leading zero time", replace("created=1700000000", "created=01700000000"), "created:"},
      {"negative time", replace("since=1700003600", "since=-5"), "since:"},
      {"overflowing time", replace("since=1700003600", "since=99999999999999999999"), "since:"},
      {"relative file", replace("file=/etc", "file=etc"), "file:"},
      {"control character", replace("txt=v=DKIM1", "txt=v=\rDKIM1"), "control"},
      {"unknown field", good + "x=1\n", "unknown field"},
      {"field twice", good + "d=example.org\n", "twice"},
      {"field missing", replace("txt=v=DKIM1; k=rsa; p=MIIB\n", ""), "missing"},
      {"no final newline", good.substr(0, good.size() - 1), "newline"},
      {"line without =", good + "junk\n", "'='"},
      {"too long", good + "txt=" + std::string(kMaxRecordOctets, 'A') + "\n", "too long"},
      {"empty", "", "newline"},
  };
  for (const auto& c : cases) {
    auto got = parse_record(c.text);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_NE(got.error().find(c.want), std::string::npos) << c.name << ": " << got.error();
  }
}

TEST(RotationRecord, StatesAndAlgorithmsByName) {
  EXPECT_EQ(to_string(State::retiring), "retiring");
  EXPECT_EQ(parse_state("revoked"), State::revoked);
  EXPECT_FALSE(parse_state("Revoked").has_value());
  EXPECT_EQ(parse_algorithm("ed25519"), crypto::KeyType::ed25519);
  EXPECT_FALSE(parse_algorithm("RSA").has_value());
}

}  // namespace
}  // namespace postseal::rotation

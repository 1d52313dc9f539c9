// rewriter_test.cpp - which keys the maps answer: null sender, partial keys, local domains,
// re-queries with our own result, forged and expired reverses (docs/security.md 36, 38).
#include "srs/rewriter.hpp"

#include <gtest/gtest.h>

namespace postseal::srs {
namespace {

constexpr std::int64_t kNow = 1700000000;

struct Fixture {
  FixedClock clock{kNow};
  SrsCodec codec{{}, {"tops3cr3t"}, clock};
  Rewriter rw{codec, "fwd.example", {"local.example", ".corp.example"}};
};

TEST(Rewriter, ForwardPolicy) {
  Fixture f;
  struct Case {
    const char* key;
    bool found;
  };
  const Case cases[] = {
      {"alice@example.com", true},
      {"", false},                    // null sender
      {"alice", false},               // partial key
      {"@example.com", false},        // partial key
      {"alice@", false},
      {"bob@fwd.example", false},     // the SRS domain
      {"bob@FWD.EXAMPLE.", false},
      {"bob@local.example", false},   // exact local domain
      {"bob@sub.local.example", true},  // exact entry does not cover subdomains
      {"bob@corp.example", true},       // ".corp.example" covers subdomains only
      {"bob@a.corp.example", false},
      {"bob@A.B.CORP.EXAMPLE", false},
      {"SRS0=PGkz=G3=example.com=alice@fwd.example", false},  // already ours
      {"SRS0=AbCd=G3=orig.example=bob@first.example", true},  // foreign SRS0 -> SRS1
  };
  for (const auto& c : cases) {
    auto r = f.rw.forward(c.key);
    EXPECT_EQ(r.found, c.found) << c.key << " " << r.reason;
    if (!r.found) {
      EXPECT_FALSE(r.reason.empty()) << c.key;
    }
  }
  EXPECT_EQ(f.rw.forward("alice@example.com").value, "SRS0=PGkz=G3=example.com=alice@fwd.example");
  EXPECT_TRUE(f.rw.forward("SRS0=AbCd=G3=orig.example=bob@first.example").value.starts_with("SRS1="));
}

TEST(Rewriter, ReQueryWithOwnResultConverges) {
  Fixture f;
  auto first = f.rw.forward("alice@example.com");
  ASSERT_TRUE(first.found);
  EXPECT_FALSE(f.rw.forward(first.value).found);
  auto back = f.rw.reverse(first.value);
  ASSERT_TRUE(back.found);
  EXPECT_EQ(back.value, "alice@example.com");
  EXPECT_FALSE(f.rw.reverse(back.value).found);  // Postfix re-queries with the result
}

TEST(Rewriter, ReversePolicy) {
  Fixture f;
  const char* refused[] = {
      "", "SRS0=PGkz=G3=example.com=alice", "@fwd.example", "alice@example.com",
      "SRS0=BGkz=G3=example.com=alice@fwd.example",                           // forged hash
      "SRS0=PGkz=G3=example.com=mallory@fwd.example",                         // changed user
      "SRS0=PGkz=G1=example.com=alice@fwd.example",                           // bad stamp
  };
  for (const char* key : refused) EXPECT_FALSE(f.rw.reverse(key).found) << key;
  f.clock.set(kNow + 22 * 86400);
  auto expired = f.rw.reverse("SRS0=PGkz=G3=example.com=alice@fwd.example");
  EXPECT_FALSE(expired.found);
  EXPECT_TRUE(expired.reason.starts_with("expired")) << expired.reason;
}

}  // namespace
}  // namespace postseal::srs

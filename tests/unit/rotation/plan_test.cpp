// plan_test.cpp - keys/rotation/plan.hpp: one new selector per algorithm, the configured keys
// adopted on the first rotation only, and no second rotation while one is under way; for one
// algorithm (tick's rotation by keys.max_age) only that algorithm's key, blocked only by a
// rotation of that algorithm.
#include "keys/rotation/plan.hpp"

#include <gtest/gtest.h>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kDec6 = 1796594400;  // 2026-12-06 22:00 UTC
const std::vector<ConfiguredKey> kDual{{"s2026a", crypto::KeyType::rsa, "/k/s2026a.private"},
                                       {"e2026a", crypto::KeyType::ed25519, "/k/e2026a.private"}};
auto no_files = [](std::string_view) { return false; };

TEST(Plan, FirstRotationAdoptsTheConfiguredKeys) {
  auto plan = plan_rotation("example.com", kDual, {}, "{alg}{yyyymm}", kDec6, no_files);
  ASSERT_TRUE(plan.has_value()) << plan.error();
  ASSERT_EQ(plan->adopted.size(), 2u);
  EXPECT_EQ(plan->adopted[0].s, "s2026a");
  EXPECT_EQ(plan->adopted[0].state, State::active);
  EXPECT_EQ(plan->adopted[0].file, "/k/s2026a.private");
  ASSERT_EQ(plan->keys.size(), 2u);
  EXPECT_EQ(plan->keys[0].selector, "rsa202612");
  EXPECT_EQ(plan->keys[1].selector, "ed25519202612");
  EXPECT_EQ(plan->keys[1].a, crypto::KeyType::ed25519);
}

TEST(Plan, LaterRotationsAdoptNothing) {
  std::vector<Record> existing{{"example.com", "s1", crypto::KeyType::rsa, State::active, 1, 1, "/k/s1.private", ""},
                               {"example.com", "s0", crypto::KeyType::rsa, State::revoked, 0, 0, "/k/s0.private", ""}};
  auto plan = plan_rotation("example.com", {kDual[0]}, existing, "s{n}", kDec6, no_files);
  ASSERT_TRUE(plan.has_value()) << plan.error();
  EXPECT_TRUE(plan->adopted.empty());
  ASSERT_EQ(plan->keys.size(), 1u);
  EXPECT_EQ(plan->keys[0].selector, "s2") << "s0 and s1 are used";
}

TEST(Plan, NumberedTemplateGivesEachAlgorithmItsOwnSelector) {
  auto files = [](std::string_view s) { return s == "s1"; };  // a stray s1.private in the directory
  auto plan = plan_rotation("example.com", kDual, {}, "s{n}", kDec6, files);
  ASSERT_TRUE(plan.has_value()) << plan.error();
  EXPECT_EQ(plan->keys[0].selector, "s2");
  EXPECT_EQ(plan->keys[1].selector, "s3");
}

TEST(Plan, OneAlgorithm) {
  std::vector<Record> existing{
      {"example.com", "s2026a", crypto::KeyType::rsa, State::active, 1, 1, "/k/s2026a.private", ""},
      {"example.com", "e2026a", crypto::KeyType::ed25519, State::active, 1, 1, "/k/e2026a.private",
       ""},
      {"example.com", "rsa202611", crypto::KeyType::rsa, State::pending, 2, 2,
       "/k/rsa202611.private", "v"}};
  auto plan = plan_rotation("example.com", kDual, existing, "{alg}{yyyymm}", kDec6, no_files,
                            crypto::KeyType::ed25519);
  ASSERT_TRUE(plan.has_value()) << "a pending RSA key does not stop an Ed25519 rotation: "
                                << plan.error();
  EXPECT_TRUE(plan->adopted.empty());
  ASSERT_EQ(plan->keys.size(), 1u);
  EXPECT_EQ(plan->keys[0].a, crypto::KeyType::ed25519);
  EXPECT_EQ(plan->keys[0].selector, "ed25519202612");
  auto rsa = plan_rotation("example.com", kDual, existing, "{alg}{yyyymm}", kDec6, no_files,
                           crypto::KeyType::rsa);
  ASSERT_FALSE(rsa.has_value());
  EXPECT_NE(rsa.error().find("rsa202611 is still pending"), std::string::npos) << rsa.error();
  auto missing = plan_rotation("example.com", {kDual[0]}, {}, "{alg}{yyyymm}", kDec6, no_files,
                               crypto::KeyType::ed25519);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("no ed25519 key among signer.domain[] keys"), std::string::npos)
      << missing.error();
  EXPECT_FALSE(
      plan_rotation("example.com", kDual, existing, "{alg}{yyyymm}", kDec6, no_files).has_value())
      << "rotate (all algorithms) still waits for any pending key";
}

TEST(Plan, Refusals) {
  std::vector<Record> pending{{"example.com", "s9", crypto::KeyType::rsa, State::published, 1, 1, "/k/s9.private", "v"}};
  auto busy = plan_rotation("example.com", kDual, pending, "s{n}", kDec6, no_files);
  ASSERT_FALSE(busy.has_value());
  EXPECT_NE(busy.error().find("s9 is still published"), std::string::npos) << busy.error();
  auto same = plan_rotation("example.com", kDual, {}, "k{yyyymm}", kDec6, no_files);
  ASSERT_FALSE(same.has_value()) << "one selector for two algorithms";
  EXPECT_NE(same.error().find("already used"), std::string::npos) << same.error();
  auto none = plan_rotation("example.com", {}, {}, "s{n}", kDec6, no_files);
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().find("no signer.domain[] keys"), std::string::npos);
}

}  // namespace
}  // namespace postseal::rotation

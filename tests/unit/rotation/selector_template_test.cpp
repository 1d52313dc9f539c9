// selector_template_test.cpp - keys/rotation/selector_template.hpp: every placeholder, the
// first free {n}, and templates that cannot give a valid RFC 6376 3.1 selector.
#include "keys/rotation/selector_template.hpp"

#include <gtest/gtest.h>

#include <set>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kDec6 = 1796594400;  // 2026-12-06 22:00 UTC
constexpr std::int64_t kMar5 = 1804233600;  // 2027-03-05 08:00 UTC

TEST(SelectorTemplate, Renders) {
  struct {
    std::string_view tmpl;
    crypto::KeyType alg;
    int n;
    std::string want;
    std::int64_t now = kDec6;
  } cases[] = {
      {"{alg}{yyyymm}", crypto::KeyType::rsa, 1, "rsa202612"},
      {"{alg}{yyyymm}", crypto::KeyType::ed25519, 1, "ed25519202612"},
      {"s{n}", crypto::KeyType::rsa, 12, "s12"},
      {"k{yyyy}-{mm}-{dd}", crypto::KeyType::rsa, 1, "k2026-12-06"},
      {"{yyyymmdd}.{alg}", crypto::KeyType::ed25519, 1, "20261206.ed25519"},
      {"fixed", crypto::KeyType::rsa, 1, "fixed"},
      {"k{yyyy}-{mm}-{dd}", crypto::KeyType::rsa, 1, "k2027-03-05", kMar5},
      {"{alg}{yyyymm}", crypto::KeyType::rsa, 1, "rsa202703", kMar5},
      {"{yyyymmdd}", crypto::KeyType::rsa, 1, "20270305", kMar5},
  };
  for (const auto& c : cases) {
    auto got = render_selector(c.tmpl, c.alg, c.now, c.n);
    ASSERT_TRUE(got.has_value()) << c.tmpl << ": " << got.error();
    EXPECT_EQ(*got, c.want) << c.tmpl;
  }
}

TEST(SelectorTemplate, RefusesBadTemplates) {
  struct {
    std::string_view tmpl, want;
  } cases[] = {
      {"{algo}", "unknown placeholder {algo}"},
      {"s{n", "unclosed"},
      {"{alg}_{n}", "selector template gives 'rsa_1'"},
      {"", "selector template gives ''"},
      {"{alg}..x", "selector template gives"},
      {"x{\n}", "unknown placeholder {?}"},
  };
  for (const auto& c : cases) {
    auto problem = check_template(c.tmpl);
    ASSERT_TRUE(problem.has_value()) << c.tmpl;
    EXPECT_NE(problem->find(c.want), std::string::npos) << c.tmpl << ": " << *problem;
  }
  EXPECT_FALSE(check_template(kDefaultSelectorTemplate).has_value());
}

TEST(SelectorTemplate, NextFreeNumber) {
  std::set<std::string, std::less<>> used{"s1", "s2", "s4"};
  auto taken = [&](std::string_view s) { return used.contains(s); };
  EXPECT_EQ(next_selector("s{n}", crypto::KeyType::rsa, kDec6, taken).value(), "s3");
  EXPECT_EQ(next_selector("{alg}{yyyymm}", crypto::KeyType::rsa, kDec6, taken).value(), "rsa202612");
  used.insert("rsa202612");
  auto clash = next_selector("{alg}{yyyymm}", crypto::KeyType::rsa, kDec6, taken);
  ASSERT_FALSE(clash.has_value());
  EXPECT_NE(clash.error().find("add {n}"), std::string::npos) << clash.error();
  auto all = next_selector("s{n}", crypto::KeyType::rsa, kDec6, [](std::string_view) { return true; });
  ASSERT_FALSE(all.has_value());
  EXPECT_NE(all.error().find(std::to_string(kMaxSelectorNumber)), std::string::npos) << all.error();
}

}  // namespace
}  // namespace postseal::rotation

// milter_overrides_test.cpp - `postseal verifier --milter-*` options are laid over the milter.*
// keys of the config file (PolicyOverrides): a set option wins, an unset one leaves the file's
// value, and an option's value is checked by the same rules as the key's (the error names it).
#include "core/util/config.hpp"
#include "verifier/milter/milter.hpp"

#include <gtest/gtest.h>

namespace postseal::milter {
namespace {

config::File file(std::string_view text) {
  config::declare(config_keys());
  return config::File::parse(text, "test");
}

constexpr std::string_view kFile =
    "[milter]\ntag = \"[file]\"\nrefuse_fail = false\nwhitelist_from = [\"@file.example\"]\n";

TEST(MilterOverrides, SetOptionsWinUnsetOnesKeepTheFile) {
  auto none = policy_from_config(file(kFile), PolicyOverrides{});
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none->tag, "[file]");
  EXPECT_FALSE(none->refuse_fail);
  PolicyOverrides o;
  o.tag = "[cli]";
  o.whitelist_from = std::vector<std::string>{"@cli.example", "user@"};
  auto got = policy_from_config(file(kFile), o);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->tag, "[cli]");
  EXPECT_FALSE(got->refuse_fail);  // not given: the file's
  EXPECT_EQ(got->whitelist_from, (std::vector<std::string>{"@cli.example", "user@"}));
  EXPECT_TRUE(got->whitelist_to.empty());
}

TEST(MilterOverrides, OptionValuesAreCheckedLikeKeys) {
  PolicyOverrides o;
  o.tag = "";
  auto got = policy_from_config(file(kFile), o);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().starts_with("milter.tag")) << got.error();
  o = PolicyOverrides{};
  o.whitelist_ip = std::vector<std::string>{"not-a-network"};
  got = policy_from_config(file(kFile), o);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().starts_with("milter.whitelist_ip")) << got.error();
  o = PolicyOverrides{};
  o.quarantine_mailbox = "no at sign";
  EXPECT_FALSE(policy_from_config(file(kFile), o));
}

}  // namespace
}  // namespace postseal::milter

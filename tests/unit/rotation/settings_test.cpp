// settings_test.cpp - keys/rotation/settings.hpp: the [keys] defaults, and each bad value
// refused with the key's name (what check-config prints, exit 78).
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "keys/rotation/settings.hpp"

#include <gtest/gtest.h>

namespace postseal::rotation {
namespace {

config::File parse(const std::string& keys) {
  config::declare(config_keys());
  return config::File::parse("[keys]\n" + keys + "\n", "test.toml");
}

TEST(RotationSettings, Defaults) {
  const Settings s = settings_from_config(parse(""));
  EXPECT_FALSE(s.signer_uses_rotation);
  EXPECT_EQ(s.directory, "/etc/postseal/keys");
  EXPECT_EQ(s.selector_template, "{alg}{yyyymm}");
  EXPECT_EQ(s.timing.publish_lead, kDefaultPublishLead);
  EXPECT_EQ(s.timing.retire_after, kDefaultRetireAfter);
  EXPECT_EQ(s.timing.max_age, 180 * 86400) << "M3AAWG: a new selector at least every six months";
  EXPECT_EQ(kDefaultMaxAge, 180 * 86400);
  EXPECT_TRUE(s.dns_hook.empty());
  EXPECT_TRUE(s.reload_command.empty());
  EXPECT_TRUE(check_settings(parse("")).empty());
}

TEST(RotationSettings, RefusesBadValues) {
  struct {
    std::string keys, want;
  } cases[] = {
      {"selector_template = \"{alg}_{n}\"", "keys.selector_template: selector template gives 'rsa_1'"},
      {"selector_template = \"{month}\"", "unknown placeholder {month}"},
      {"directory = \"keys\"", "keys.directory: want an absolute path"},
      {"dns_hook = \"nsupdate-hook\"", "keys.dns_hook: want an absolute path"},
      {"reload_command = [\"\", \"reload\"]", "keys.reload_command: the first item names the program"},
      {"reload_command = [\"kill\", \"-HUP\\n1\"]", "keys.reload_command: no control characters"},
  };
  for (const auto& c : cases) {
    auto problems = check_settings(parse(c.keys));
    ASSERT_EQ(problems.size(), 1u) << c.keys;
    EXPECT_NE(problems[0].find(c.want), std::string::npos) << c.keys << ": " << problems[0];
  }
  EXPECT_THROW(parse("publish_lead = 31622401"), StartupError) << "bounds of the config table";
  EXPECT_THROW(parse("retire_after = -1"), StartupError);
}

TEST(RotationSettings, MaxAge) {
  EXPECT_EQ(settings_from_config(parse("max_age = 0")).timing.max_age, 0)
      << "0: no rotation by age";
  EXPECT_EQ(settings_from_config(parse("max_age = 259200")).timing.max_age, 259200)
      << "the least: publish_lead (2 days) + 1 day";
  EXPECT_EQ(settings_from_config(parse("max_age = 158112000")).timing.max_age, 158112000)
      << "the most: 5 years";
  EXPECT_EQ(settings_from_config(parse("publish_lead = 0\nmax_age = 86400")).timing.max_age, 86400);
  struct {
    std::string keys, want;
  } cases[] = {
      {"max_age = 259199",
       "keys.max_age: want 0 (no age limit) or at least keys.publish_lead + 1 day (259200 "
       "seconds)"},
      {"max_age = 1", "keys.max_age: want 0"},
      {"publish_lead = 864000\nmax_age = 864000",
       "keys.max_age: want 0 (no age limit) or at least keys.publish_lead + 1 day (950400 "
       "seconds)"},
  };
  for (const auto& c : cases) {
    auto problems = check_settings(parse(c.keys));
    ASSERT_EQ(problems.size(), 1u) << c.keys;
    EXPECT_NE(problems[0].find(c.want), std::string::npos) << c.keys << ": " << problems[0];
  }
  for (const std::string bad : {"max_age = 158112001", "max_age = -1"}) {
    try {
      parse(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const StartupError& e) {
      EXPECT_NE(std::string(e.what()).find("keys.max_age"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace postseal::rotation

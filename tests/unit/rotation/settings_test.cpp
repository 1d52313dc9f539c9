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

}  // namespace
}  // namespace postseal::rotation

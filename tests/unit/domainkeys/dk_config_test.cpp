// dk_config_test.cpp - the DomainKeys per-domain options from a [[signer.domain]] table.
#include "core/domainkeys/dk_config.hpp"

#include "core/util/errors.hpp"

#include <gtest/gtest.h>

namespace postseal::domainkeys {
namespace {

toml::table domain_table(std::string_view text) {
  config::declare(config_keys());
  auto root = toml::parse(text);
  return *root["signer"]["domain"][0].as_table();
}

TEST(DkConfig, OffByDefault) {
  EXPECT_FALSE(sign_options_from_table(domain_table("[[signer.domain]]\nname = \"x\"\n")));
}

TEST(DkConfig, OptInWithDefaultsAndChoices) {
  auto d = sign_options_from_table(domain_table("[[signer.domain]]\ndomainkeys = true\n"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->canon, DkCanon::nofws);
  EXPECT_TRUE(d->list_headers);
  auto s = sign_options_from_table(domain_table(
      "[[signer.domain]]\ndomainkeys = true\ndomainkeys_canon = \"simple\"\n"
      "domainkeys_headers = false\n"));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->canon, DkCanon::simple);
  EXPECT_FALSE(s->list_headers);
}

TEST(DkConfig, BadCanonIsAConfigError) {
  auto t = domain_table("[[signer.domain]]\ndomainkeys = true\ndomainkeys_canon = \"relaxed\"\n");
  try {
    sign_options_from_table(t);
    FAIL() << "no error";
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    EXPECT_NE(std::string(e.what()).find("domainkeys_canon"), std::string::npos);
  }
}

TEST(DkConfig, EveryKeyHasHelpAndADefault) {
  for (const auto& k : config_keys()) {
    EXPECT_FALSE(k.help.empty()) << k.path;
    EXPECT_FALSE(k.fallback.empty()) << k.path;
    EXPECT_TRUE(k.path.starts_with("signer.domain[].domainkeys")) << k.path;
  }
}

}  // namespace
}  // namespace postseal::domainkeys

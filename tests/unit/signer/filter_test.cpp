// filter_test.cpp - signer/filter pieces: From-domain choice (docs/security.md 15), the signing table,
// the [signer] defaults and the relay timeout bound (the relay session's own pieces are tested
// in tests/unit/relay).
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "signer/commands.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/from_domain.hpp"
#include "signer/filter/signing_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

namespace postseal::signer {
namespace {

std::vector<mail::HeaderField> fields(std::string block) {
  return mail::parse_header_block(block).value();
}

TEST(FromDomain, ExactlyOneFromWithOneAddress) {
  struct Case {
    std::string block;
    std::string want;  // domain, or "!" for no domain
  } cases[] = {
      {"From: a@Example.COM\r\n", "example.com"},
      {"From: \"Smith, J <x@evil.example>\" <j@example.com>\r\n", "example.com"},
      {"From: J (comment@evil.example) <j@example.com>\r\n", "example.com"},
      {"From:\r\n <j@example.com>\r\n", "example.com"},
      {"To: a@example.com\r\n", "!"},
      {"From: a@example.com\r\nFrom: b@evil.example\r\n", "!"},
      {"From: a@example.com, b@evil.example\r\n", "!"},
      {"From: group: a@example.com;\r\n", "!"},
      {"From: nobody\r\n", "!"},
      {"From: a@exa mple..com\r\n", "!"},
  };
  for (const auto& c : cases) {
    auto got = from_domain(fields(c.block));
    EXPECT_EQ(got.has_value() ? *got : std::string("!"), c.want) << c.block;
  }
}

TEST(SigningTable, ExactThenNearestParentWithSubdomains) {
  std::vector<DomainPolicy> p(3);
  p[0].domain = "example.com";
  p[0].subdomains = true;
  p[1].domain = "mail.example.com";
  p[2].domain = "other.example";
  SigningTable t(std::move(p));
  EXPECT_EQ(t.lookup("example.com")->domain, "example.com");
  EXPECT_EQ(t.lookup("a.example.com")->domain, "example.com");
  EXPECT_EQ(t.lookup("mail.example.com")->domain, "mail.example.com");
  EXPECT_EQ(t.lookup("a.other.example"), nullptr);
  EXPECT_EQ(t.lookup("badexample.com"), nullptr);
}

TEST(SigningTable, Canonicalization) {
  EXPECT_EQ(parse_canonicalization("relaxed/simple")->first, dkim::Canon::relaxed);
  EXPECT_EQ(parse_canonicalization("relaxed")->second, dkim::Canon::simple);
  EXPECT_FALSE(parse_canonicalization("loose/simple").has_value());
}

TEST(SigningTable, KeyOptionAndMissingKey) {
  auto k = parse_key_option("example.com:s1:/k/s1.private");
  EXPECT_EQ(k.selector, "s1");
  EXPECT_THROW(parse_key_option("example.com:/k"), StartupError);
  auto t = build_signing_table(nullptr, {KeyOption{"example.com", "s1", "/nonexistent/key"}});
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().find("/nonexistent/key"), std::string::npos);
}

TEST(FilterConfig, DefaultsAndTheRelayTimeoutBound) {
  config::declare(filter_config_keys());
  auto defaults = load_filter_config(nullptr);
  EXPECT_EQ(defaults.listen.port, 10027);
  EXPECT_EQ(defaults.relay.port, 10028);
  EXPECT_EQ(defaults.relay_timeout, std::chrono::seconds(kDefaultRelayTimeoutSeconds));
  // the reinjection server's wait must stay below Postfix's 600 s (smtp_data_done_timeout):
  // the key's bound refuses 600, its largest allowed value loads
  const config::Key* key = config::find_key("signer.relay_timeout");
  ASSERT_NE(key, nullptr);
  EXPECT_LT(key->max, 600);
  EXPECT_LT(kDefaultRelayTimeoutSeconds, key->max);
  auto top = config::File::parse(fmt::format("[signer]\nrelay_timeout = {}\n", key->max), "t.toml");
  EXPECT_EQ(load_filter_config(&top).relay_timeout.count(), key->max);
  EXPECT_THROW(config::File::parse("[signer]\nrelay_timeout = 600\n", "t.toml"), StartupError);
}

}  // namespace
}  // namespace postseal::signer

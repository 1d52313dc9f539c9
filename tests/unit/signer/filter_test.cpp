// filter_test.cpp - signer/filter pieces: From-domain choice (docs/security.md 15), the signing table
// (with key sizes: docs/security.md 18), the [signer] defaults and the relay timeout bound (the
// relay session's own pieces are tested in tests/unit/relay).
#include "core/domainkeys/dk_config.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "signer/commands.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/from_domain.hpp"
#include "signer/filter/signing_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

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

// KeyDir - mode-0600 key files in a private directory, and configs naming them.
struct KeyDir : ::testing::Test {
  std::filesystem::path dir;
  void SetUp() override {
    config::declare(filter_config_keys());
    config::declare(domainkeys::config_keys());  // build_signing_table reads them
    dir = std::filesystem::temp_directory_path() / fmt::format("filter_test.{}", ::getpid());
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  // copy - tests/data/dkim/NAME as a 0600 file here.
  std::string copy(const std::string& name) {
    auto to = dir / std::filesystem::path(name).filename();
    std::filesystem::copy_file(std::string(POSTSEAL_TEST_DATA) + "/dkim/" + name, to,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(to, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return to.string();
  }
  // generated - a fresh RSA key of `bits` as a 0600 PEM file here.
  std::string generated(int bits) {
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
    auto to = dir / fmt::format("rsa{}.private", bits);
    FILE* f = std::fopen(to.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    EVP_PKEY_free(pkey);
    std::filesystem::permissions(to, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return to.string();
  }
  config::File config(const std::string& key_file) const {
    return config::File::parse(
        fmt::format("[signer]\n[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:{}\"]\n", key_file),
        "test.toml");
  }
};

TEST_F(KeyDir, RsaUnder2048BitsSignsWithAWarningNamingTheFile) {
  const std::string small = copy("dkimpy-data/1024_testkey.key");
  const std::string want = "RSA key " + small + " is 1024 bits; Gmail and Yahoo require at least 1024, 2048 is recommended";
  auto file = config(small);
  auto t = build_signing_table(&file, {});
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ((*t)->warnings(), std::vector<std::string>{want});
  EXPECT_EQ((*t)->lookup("example.com")->keys.size(), 1u);
  auto problems = check_signer_config(file);  // what `postseal check-config` prints
  EXPECT_NE(std::find(problems.begin(), problems.end(), "warning: " + want), problems.end());
  auto from_option = build_signing_table(nullptr, {KeyOption{"example.com", "s1", small}});
  ASSERT_TRUE(from_option.has_value()) << from_option.error();
  EXPECT_EQ((*from_option)->warnings(), std::vector<std::string>{want});

  auto big = config(copy("dkimpy-data/2048_testkey.key"));
  auto t2048 = build_signing_table(&big, {});
  ASSERT_TRUE(t2048.has_value()) << t2048.error();
  EXPECT_TRUE((*t2048)->warnings().empty());
}

TEST_F(KeyDir, RsaUnder1024BitsIsRefusedNamingTheFile) {
  const std::string tiny = generated(512);
  auto file = config(tiny);
  auto t = build_signing_table(&file, {});
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().find(tiny + ": RSA key of 512 bits is below 1024"), std::string::npos) << t.error();
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

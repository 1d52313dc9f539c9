// signature_plan_test.cpp - which rows sign a message (signer/filter/signature_plan.hpp): the
// first match with signer.multiple_signatures off; with it on every matching row, most
// specific first (a per-address row and the domain row, a *@*.parent row, a parent domain
// row with subdomains), each key (d=, s=) once, at most kMaxSignaturesPerMessage signatures;
// the key read from the config and kept through rotation; and SignStep (the filter's and the
// milter's step) putting one DKIM-Signature per planned key on the message, most specific on top.
#include "signer/filter/signature_plan.hpp"
#include "core/crypto/private_key.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "keys/rotation/settings.hpp"
#include "signer/commands.hpp"
#include "signer/filter/rotated_keys.hpp"
#include "signer/filter/sign_step.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace postseal::signer {
namespace {

// policy - a row signing with d=`d` and `selectors` (no key material: the plan never uses it).
DomainPolicy policy(const std::string& d, std::vector<std::string> selectors,
                    bool subdomains = false) {
  DomainPolicy p;
  p.domain = d;
  p.subdomains = subdomains;
  for (auto& s : selectors) p.keys.push_back(dkim::SignerKey{d, s, nullptr, ""});
  return p;
}

SenderPolicy sender(const std::string& pattern, DomainPolicy p) {
  return SenderPolicy{parse_sender_pattern(pattern).value(), std::move(p)};
}

// planned - "d/s" of every planned key, in order.
std::vector<std::string> planned(const SignaturePlan& plan) {
  std::vector<std::string> out;
  for (const auto& row : plan.rows)
    for (const auto& k : row.keys) out.push_back(k.domain + "/" + k.selector);
  return out;
}

using Keys = std::vector<std::string>;

SigningTable table(bool multiple) {
  std::vector<DomainPolicy> domains{policy("example.com", {"s1"}, true),
                                    policy("eu.example.com", {"eu1"})};
  std::vector<SenderPolicy> senders{sender("alice@example.com", policy("example.com", {"alice1"})),
                                    sender("*@*.example.com", policy("example.com", {"sub1"})),
                                    sender("bob@example.com", policy("esp.example", {"esp1"})),
                                    sender("carol@example.com", policy("example.com", {"s1"}))};
  return SigningTable(std::move(domains), std::move(senders), {}, multiple);
}

TEST(SignaturePlan, FirstMatchOnlyWhenOff) {
  const SigningTable t = table(false);
  EXPECT_EQ(planned(plan_signatures(t, "alice", "example.com")), Keys{"example.com/alice1"});
  EXPECT_EQ(planned(plan_signatures(t, "dave", "example.com")), Keys{"example.com/s1"});
  EXPECT_EQ(planned(plan_signatures(t, "dave", "eu.example.com")), Keys{"example.com/sub1"});
  EXPECT_EQ(planned(plan_signatures(t, "dave", "example.org")), Keys{});
}

TEST(SignaturePlan, PerAddressRowAndDomainRowWhenOn) {
  const SigningTable t = table(true);
  EXPECT_EQ(planned(plan_signatures(t, "alice", "example.com")),
            (Keys{"example.com/alice1", "example.com/s1"}));
  EXPECT_EQ(planned(plan_signatures(t, "ALICE", "example.com")),
            (Keys{"example.com/alice1", "example.com/s1"}));
  // a third-party d= (an ESP's) beside the author domain's
  EXPECT_EQ(planned(plan_signatures(t, "bob", "example.com")),
            (Keys{"esp.example/esp1", "example.com/s1"}));
  EXPECT_EQ(planned(plan_signatures(t, "dave", "example.com")), Keys{"example.com/s1"});
  EXPECT_EQ(planned(plan_signatures(t, "dave", "example.org")), Keys{});
}

TEST(SignaturePlan, ParentDomainRowsWhenOn) {
  const SigningTable t = table(true);
  // the *@*.example.com sender row, the subdomain's own row, then example.com's (subdomains = true)
  EXPECT_EQ(planned(plan_signatures(t, "dave", "eu.example.com")),
            (Keys{"example.com/sub1", "eu.example.com/eu1", "example.com/s1"}));
  EXPECT_EQ(planned(plan_signatures(t, "dave", "x.y.example.com")),
            (Keys{"example.com/sub1", "example.com/s1"}));
  // a parent without subdomains = true does not sign its subdomains
  SigningTable no_sub({policy("example.com", {"s1"}), policy("eu.example.com", {"eu1"})}, {}, {},
                      true);
  EXPECT_EQ(planned(plan_signatures(no_sub, "dave", "eu.example.com")), Keys{"eu.example.com/eu1"});
  EXPECT_EQ(planned(plan_signatures(no_sub, "dave", "x.example.com")), Keys{});
}

TEST(SignaturePlan, SameKeyInTwoRowsSignsOnce) {
  const SigningTable t = table(true);
  // carol's row names example.com's s1, as the domain row does: one signature, carol's row's
  const auto plan = plan_signatures(t, "carol", "example.com");
  EXPECT_EQ(planned(plan), Keys{"example.com/s1"});
  ASSERT_EQ(plan.rows.size(), 1u);
  EXPECT_EQ(plan.rows[0].policy, t.lookup_sender("carol", "example.com"));
  EXPECT_NE(plan.rows[0].policy, t.lookup("example.com"));
  // a row keeps its keys not signed yet: dual keys where one is shared
  SigningTable dual({policy("example.com", {"rsa1", "ed1"})},
                    {sender("alice@example.com", policy("example.com", {"rsa1", "alice1"}))}, {},
                    true);
  EXPECT_EQ(planned(plan_signatures(dual, "alice", "example.com")),
            (Keys{"example.com/rsa1", "example.com/alice1", "example.com/ed1"}));
}

TEST(SignaturePlan, AtMostEightSignatures) {
  ASSERT_EQ(kMaxSignaturesPerMessage, 8u);
  std::vector<SenderPolicy> senders;
  const std::string patterns[] = {"alice@example.com", "alice@*.example.com", "*@*.example.com",
                                  "*@example.com"};
  for (int i = 0; i < 4; ++i)
    senders.push_back(sender(patterns[i], policy(fmt::format("d{}.example", i), {"a", "b"})));
  // alice@example.com: two sender rows of two keys, then seven domain keys: 11 > 8
  SigningTable t({policy("example.com", {"s1", "s2", "s3", "s4", "s5", "s6", "s7"})},
                 std::move(senders), {}, true);
  auto plan = plan_signatures(t, "alice", "example.com");
  EXPECT_EQ(planned(plan),
            (Keys{"d0.example/a", "d0.example/b", "d3.example/a", "d3.example/b", "example.com/s1",
                  "example.com/s2", "example.com/s3", "example.com/s4"}));
  EXPECT_EQ(plan.dropped, 3u);
  plan = plan_signatures(t, "alice", "a.example.com");  // alice@*.example.com, *@*.example.com
  EXPECT_EQ(planned(plan).size(), 4u);
  EXPECT_EQ(plan.dropped, 0u);
}

// FromConfig - multiple_signatures read from the file (and kept by the rotated-keys copy).
struct FromConfig : ::testing::Test {
  std::filesystem::path dir;
  std::string key;  // a copy of a test key, mode 0600
  void SetUp() override {
    config::declare(filter_config_keys());
    config::declare(domainkeys::config_keys());
    config::declare(rotation::config_keys());
    dir =
        std::filesystem::temp_directory_path() / fmt::format("signature_plan_test.{}", ::getpid());
    std::filesystem::create_directories(dir);
    key = (dir / "k.private").string();
    std::filesystem::copy_file(std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pem", key,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(
        key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(FromConfig, ReadAndKeptThroughRotation) {
  auto build = [&](const std::string& signer_section) {
    auto file = config::File::parse(
        signer_section +
            fmt::format("[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:{}\"]\n", key),
        "t.toml");
    return build_signing_table(&file, {});
  };
  auto off = build("[signer]\n");
  auto on = build("[signer]\nmultiple_signatures = true\n");
  ASSERT_TRUE(off.has_value()) << off.error();
  ASSERT_TRUE(on.has_value()) << on.error();
  EXPECT_FALSE((*off)->multiple_signatures());
  EXPECT_TRUE((*on)->multiple_signatures());
  auto rotated = with_rotated_keys(**on, {});
  ASSERT_TRUE(rotated.has_value());
  EXPECT_TRUE((*rotated)->multiple_signatures());
}

// SignStep puts one DKIM-Signature per planned key on the message, the most specific row's on
// top, each with its row's d=, s= and i=.
TEST(SignaturePlanStep, OneFieldPerRowMostSpecificFirst) {
  auto key =
      crypto::PrivateKey::load(std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pem", false);
  ASSERT_TRUE(key.has_value());
  DomainPolicy domain;
  domain.domain = "example.com";
  domain.keys.push_back(dkim::SignerKey{"example.com", "s1", *key, ""});
  DomainPolicy alice = domain;
  alice.keys = {dkim::SignerKey{"example.com", "alice1", *key, ""}};
  alice.options.identity = "alice@example.com";
  DomainPolicy esp;
  esp.domain = "esp.example";
  esp.keys = {dkim::SignerKey{"esp.example", "esp1", *key, ""}};
  auto t = std::make_shared<const SigningTable>(
      std::vector<DomainPolicy>{domain},
      std::vector<SenderPolicy>{sender("alice@example.com", alice), sender("*@example.com", esp)},
      std::vector<std::string>{}, true);
  FixedClock clock(1790000000);
  auto headers =
      mail::parse_header_block("From: Alice <alice@example.com>\r\nSubject: hi\r\n").value();
  SignStep step(t, headers, clock);
  step.body("hello\r\n");
  const std::string out = step.finish(headers);
  ASSERT_EQ(step.decision(), SignDecision::sign) << step.summary();
  const auto a = out.find("s=alice1"), e = out.find("s=esp1"), d = out.find("s=s1");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(e, std::string::npos) << out;
  ASSERT_NE(d, std::string::npos) << out;
  EXPECT_LT(a, e);
  EXPECT_LT(e, d);
  std::size_t fields = 0;
  for (auto p = out.find("DKIM-Signature:"); p != std::string::npos;
       p = out.find("DKIM-Signature:", p + 1))
    ++fields;
  EXPECT_EQ(fields, 3u);
  EXPECT_EQ(out.find("i=alice@example.com"), out.rfind("i=")) << "only alice's row has i=";
  EXPECT_NE(out.find("d=esp.example"), std::string::npos);
  EXPECT_EQ(step.opendkim_lines().size(), 3u);
  EXPECT_EQ(step.signing_domain(), "example.com");
  EXPECT_NE(step.summary().find(
                "d=example.com, s=alice1, a=rsa-sha256; d=esp.example, s=esp1, a=rsa-sha256; "
                "d=example.com, s=s1, a=rsa-sha256"),
            std::string::npos)
      << step.summary();
}

}  // namespace
}  // namespace postseal::signer

// dk_sign_step_test.cpp - DomainKeys (RFC 4870) in the filter's signing step: the
// DomainKey-Signature goes above the DKIM signatures in the same pass, a sender-rule failure
// leaves DKIM signing intact (never deferred), chunked body == one pass, and the
// [[signer.domain]] domainkeys keys are read (and a bad canon or an Ed25519-only domain refused).
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "core/crypto/private_key.hpp"
#include "signer/commands.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "signer/filter/sign_step.hpp"
#include "signer/filter/signing_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace postseal::signer {
namespace {

const std::string kKeyFile = std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pem";

std::vector<mail::HeaderField> fields(std::string block) { return mail::parse_header_block(block).value(); }

std::shared_ptr<const SigningTable> table(bool domainkeys, domainkeys::DkCanon canon = domainkeys::DkCanon::nofws) {
  auto key = crypto::PrivateKey::load(kKeyFile, false);
  EXPECT_TRUE(key.has_value());
  DomainPolicy p;
  p.domain = "example.com";
  p.keys.push_back(dkim::SignerKey{"example.com", "sel", *key});
  if (domainkeys) p.domainkeys = domainkeys::DkSignOptions{canon, true};
  return std::make_shared<const SigningTable>(std::vector<DomainPolicy>{std::move(p)});
}

struct Signed {
  std::string prepended, summary;
  SignDecision decision;
};

Signed sign(const std::shared_ptr<const SigningTable>& t, const std::string& block, const std::string& body,
            std::size_t chunk) {
  FixedClock clock(1790000000);
  auto h = fields(block);
  SignStep step(t, h, clock);
  for (std::size_t i = 0; i < body.size(); i += chunk) step.body(std::string_view(body).substr(i, chunk));
  std::string out = step.finish(h);
  return {out, step.summary(), step.decision()};
}

const std::string kBlock = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hi\r\n";
const std::string kBody = "Hello  there,\r\n \t \r\nbye\r\n\r\n\r\n";

TEST(DkSignStep, DomainKeySignatureAboveDkimInOnePass) {
  for (auto canon : {domainkeys::DkCanon::nofws, domainkeys::DkCanon::simple}) {
    auto got = sign(table(true, canon), kBlock, kBody, kBody.size());
    EXPECT_EQ(got.decision, SignDecision::sign);
    EXPECT_TRUE(got.prepended.starts_with("DomainKey-Signature:")) << got.prepended;
    auto dkim_at = got.prepended.find("\r\nDKIM-Signature:");
    ASSERT_NE(dkim_at, std::string::npos) << got.prepended;
    EXPECT_NE(got.prepended.substr(0, dkim_at).find(fmt::format("c={}", domainkeys::to_string(canon))),
              std::string::npos);
    EXPECT_NE(got.summary.find("DKIM-Signature added (d=example.com, s=sel, a=rsa-sha256), "
                               "DomainKey-Signature added (d=example.com, s=sel, c=" +
                               std::string(domainkeys::to_string(canon)) + ")"),
              std::string::npos)
        << got.summary;
  }
}

// OpenDKIM's own line per signature (issue 16: postfix_exporter and other log parsers count
// "DKIM-Signature field added (s=SELECTOR, d=DOMAIN)"); nothing for unsigned mail.
TEST(SignStep, OpenDkimLinePerSignature) {
  FixedClock clock(1790000000);
  auto h = fields(kBlock);
  SignStep step(table(false), h, clock);
  step.body(kBody);
  ASSERT_FALSE(step.finish(h).empty());
  EXPECT_EQ(step.opendkim_lines(), std::vector<std::string>{"DKIM-Signature field added (s=sel, d=example.com)"});
  auto other = fields("From: carol@elsewhere.example\r\nSubject: x\r\n");
  SignStep unsigned_step(table(false), other, clock);
  unsigned_step.body(kBody);
  EXPECT_TRUE(unsigned_step.finish(other).empty());
  EXPECT_TRUE(unsigned_step.opendkim_lines().empty());
}

TEST(DkSignStep, ChunkedBodyEqualsOnePass) {
  auto t = table(true);
  auto whole = sign(t, kBlock, kBody, kBody.size());
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
    EXPECT_EQ(sign(t, kBlock, kBody, chunk).prepended, whole.prepended) << "chunk " << chunk;
  }
}

TEST(DkSignStep, SenderRuleFailureKeepsDkimAndNeverDefers) {
  struct Case {
    std::string block;
  } cases[] = {
      {"From: alice@example.com\r\nSender: agent@elsewhere.example\r\nSubject: x\r\n"},
      {"From: alice@example.com\r\nSender: a@elsewhere.example\r\nSender: b@example.com\r\n"},
  };
  for (const auto& c : cases) {
    auto got = sign(table(true), c.block, kBody, 5);
    EXPECT_EQ(got.decision, SignDecision::sign) << c.block;
    EXPECT_TRUE(got.prepended.starts_with("DKIM-Signature:")) << got.prepended;
    EXPECT_EQ(got.prepended.find("DomainKey-Signature:"), std::string::npos);
    EXPECT_NE(got.summary.find("DKIM-Signature added"), std::string::npos);
    EXPECT_NE(got.summary.find(", no DomainKey-Signature: "), std::string::npos) << got.summary;
  }
}

TEST(DkSignStep, DomainNotOptedInHasNoDomainKeys) {
  auto got = sign(table(false), kBlock, kBody, 4);
  EXPECT_TRUE(got.prepended.starts_with("DKIM-Signature:"));
  EXPECT_EQ(got.prepended.find("DomainKey-Signature:"), std::string::npos);
  EXPECT_EQ(got.summary.find("DomainKey"), std::string::npos);
}

// ConfigTable - a private copy of the key (mode 0600) and a config naming it.
struct ConfigTable : ::testing::Test {
  std::filesystem::path dir;
  void SetUp() override {
    config::declare(filter_config_keys());
    config::declare(domainkeys::config_keys());
    dir = std::filesystem::temp_directory_path() / fmt::format("dk_sign_step.{}", ::getpid());
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(kKeyFile, dir / "k.pem", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(dir / "k.pem", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string domain(const std::string& extra) const {
    return fmt::format("[[signer.domain]]\nname = \"example.com\"\nkeys = [\"sel:{}\"]\n{}\n",
                       (dir / "k.pem").string(), extra);
  }
};

TEST_F(ConfigTable, DomainKeysKeysAreRead) {
  struct Case {
    std::string extra;
    bool want_dk;
    domainkeys::DkCanon canon;
    bool list_headers;
  } cases[] = {
      {"", false, domainkeys::DkCanon::nofws, true},
      {"domainkeys = true", true, domainkeys::DkCanon::nofws, true},
      {"domainkeys = true\ndomainkeys_canon = \"simple\"\ndomainkeys_headers = false", true,
       domainkeys::DkCanon::simple, false},
      {"domainkeys = false\ndomainkeys_canon = \"simple\"", false, domainkeys::DkCanon::nofws, true},
  };
  for (const auto& c : cases) {
    auto file = config::File::parse(domain(c.extra), "test.toml");
    auto t = build_signing_table(&file, {});
    ASSERT_TRUE(t.has_value()) << t.error();
    const auto* p = (*t)->lookup("example.com");
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->domainkeys.has_value(), c.want_dk) << c.extra;
    if (c.want_dk) {
      EXPECT_EQ(p->domainkeys->canon, c.canon) << c.extra;
      EXPECT_EQ(p->domainkeys->list_headers, c.list_headers) << c.extra;
    }
  }
}

TEST_F(ConfigTable, BadCanonIsAnErrorNamingTheKey) {
  auto file = config::File::parse(domain("domainkeys = true\ndomainkeys_canon = \"relaxed\""), "test.toml");
  auto t = build_signing_table(&file, {});
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().find("domainkeys_canon"), std::string::npos) << t.error();
}

}  // namespace
}  // namespace postseal::signer

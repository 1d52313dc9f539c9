// sender_table_test.cpp - per-address signing ([[signer.sender]], signer/filter/sender_rows.hpp):
// the address patterns and their limits (sender_pattern.hpp), OpenDKIM's case-insensitive
// match, precedence (exact address, then the most specific pattern, then the From domain's
// row), the rows read from a config file with their keys, d=, i= and inherited options, the
// config errors naming file, line and key, the row limit, and check-config's rotation warning.
#include "core/domainkeys/dk_config.hpp"
#include "core/util/config.hpp"
#include "keys/rotation/settings.hpp"
#include "signer/commands.hpp"
#include "signer/filter/sender_pattern.hpp"
#include "signer/filter/sender_rows.hpp"
#include "signer/filter/sign_step.hpp"
#include "signer/filter/signing_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace postseal::signer {
namespace {

TEST(SenderPattern, ParsesTheOpenDkimForms) {
  struct Case {
    std::string text;
    std::string want;  // text() of the pattern, or "!" + part of the error
  } cases[] = {
      {"alice@example.com", "alice@example.com"},
      {"Alice@Example.COM", "alice@example.com"},
      {"*@example.com", "*@example.com"},
      {"*@*.example.com", "*@*.example.com"},
      {"alice@*.example.com", "alice@*.example.com"},
      {"a.b+tag@example.com", "a.b+tag@example.com"},
      {"example.com", "!no '@'"},
      {"@example.com", "!no local part"},
      {"alice@", "!no domain"},
      {"al*ce@example.com", "!'*' in a local part"},
      {"*@ex*ample.com", "!'*' in a domain"},
      {"*@*", "!'*' in a domain"},
      {"*@example..com", "!empty label"},
      {"al ice@example.com", "!space or control"},
      {"*@exa mple.com", "!not a domain name"},
      {std::string(kMaxSenderLocalPartOctets, 'a') + "@example.com",
       std::string(kMaxSenderLocalPartOctets, 'a') + "@example.com"},
      {std::string(kMaxSenderLocalPartOctets + 1, 'a') + "@example.com", "!longer than 64 octets"},
  };
  for (const auto& c : cases) {
    auto got = parse_sender_pattern(c.text);
    if (c.want.starts_with("!")) {
      ASSERT_FALSE(got.has_value()) << c.text;
      EXPECT_NE(got.error().find(c.want.substr(1)), std::string::npos) << c.text << ": " << got.error();
    } else {
      ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error();
      EXPECT_EQ(got->text(), c.want);
    }
  }
}

TEST(SenderPattern, AddressLengthLimit) {
  const std::string domain = "example.com";
  const std::string longest = "a@" + std::string(kMaxSenderAddressOctets - 2 - domain.size() - 1, 'x') + "." + domain;
  ASSERT_EQ(longest.size(), kMaxSenderAddressOctets);
  EXPECT_TRUE(parse_sender_pattern(longest).has_value());
  auto over = parse_sender_pattern("a" + longest);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error(), "longer than 254 octets");
  // the limit counts the unquoted address: 254 octets written as 256 with quotes
  EXPECT_TRUE(parse_sender_pattern("\"a\"" + longest.substr(1)).has_value());
  EXPECT_FALSE(parse_sender_pattern("\"aa\"" + longest.substr(1)).has_value());
  EXPECT_FALSE(parse_sender_pattern(std::string(kMaxSenderPatternTextOctets + 1, 'a')).has_value());
}

TEST(SenderPattern, MatchesCaseInsensitivelyAsOpenDkim) {
  struct Case {
    std::string pattern, local, domain;
    bool want;
  } cases[] = {
      {"alice@example.com", "alice", "example.com", true},
      {"alice@example.com", "ALICE", "example.com", true},  // OpenDKIM: strcasecmp / REG_ICASE
      {"alice@example.com", "alice+x", "example.com", false},  // no +detail stripping
      {"alice@example.com", "bob", "example.com", false},
      {"alice@example.com", "alice", "a.example.com", false},
      {"*@example.com", "anyone", "example.com", true},
      {"*@example.com", "anyone", "a.example.com", false},
      {"*@*.example.com", "x", "a.example.com", true},
      {"*@*.example.com", "x", "b.a.example.com", true},
      {"*@*.example.com", "x", "example.com", false},  // not the parent itself
      {"*@*.example.com", "x", "badexample.com", false},
      {"alice@*.example.com", "Alice", "a.example.com", true},
      {"alice@*.example.com", "bob", "a.example.com", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(matches(parse_sender_pattern(c.pattern).value(), c.local, c.domain), c.want)
        << c.pattern << " vs " << c.local << "@" << c.domain;
}

// escaped - a quoted local part of `n` a's, each escaped: "\a\a...".
std::string escaped(std::size_t n) {
  std::string out = "\"";
  for (std::size_t i = 0; i < n; ++i) out += "\\a";
  return out + "\"";
}

// Quoted local parts (RFC 5321 4.1.2, RFC 5322 3.4.1) are compared unquoted and unescaped on
// both sides, without regard to case, and their limits count the unquoted octets.
TEST(SenderPattern, QuotedLocalParts) {
  struct Case {
    std::string text;
    std::string want;  // text() of the pattern, or "!" + part of the error
  } cases[] = {
      {"\"john doe\"@example.com", "\"john doe\"@example.com"},
      {"\"john\\ doe\"@example.com", "\"john doe\"@example.com"},
      {"\"John Doe\"@Example.com", "\"john doe\"@example.com"},
      {"\"alice\"@example.com", "alice@example.com"},  // has a dot-atom form: written without quotes
      {"\"john\\\"doe\"@example.com", "\"john\\\"doe\"@example.com"},
      {"\"a@b\"@example.com", "\"a@b\"@example.com"},
      {"\"*\"@example.com", "*@example.com"},
      {"\"john doe@example.com", "!unterminated quoted string"},
      {"\"\"@example.com", "!no local part"},
      {"\"al\tice\"@example.com", "!space or control"},
      // 64 octets unquoted, 130 as written: the limit counts the unquoted form
      {escaped(kMaxSenderLocalPartOctets) + "@example.com", std::string(kMaxSenderLocalPartOctets, 'a') + "@example.com"},
      {escaped(kMaxSenderLocalPartOctets + 1) + "@example.com", "!longer than 64 octets"},
      {"\"" + std::string(kMaxSenderLocalPartOctets + 1, 'a') + "\"@example.com", "!longer than 64 octets"},
  };
  for (const auto& c : cases) {
    auto got = parse_sender_pattern(c.text);
    if (c.want.starts_with("!")) {
      ASSERT_FALSE(got.has_value()) << c.text;
      EXPECT_NE(got.error().find(c.want.substr(1)), std::string::npos) << c.text << ": " << got.error();
    } else {
      ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error();
      EXPECT_EQ(got->text(), c.want);
      auto again = parse_sender_pattern(got->text());  // text() reads back as the same pattern
      ASSERT_TRUE(again.has_value()) << got->text();
      EXPECT_EQ(again->local, got->local);
    }
  }
}

TEST(SenderPattern, QuotedLocalPartMatchesItsUnquotedForm) {
  std::vector<DomainPolicy> domains(1);
  domains[0].domain = "example.com";
  auto row = [](const std::string& pattern, const std::string& name) {
    SenderPolicy s{parse_sender_pattern(pattern).value(), {}};
    s.policy.domain = name;
    return s;
  };
  SigningTable t(std::move(domains),
                 {row("\"john doe\"@example.com", "john"), row("alice@example.com", "alice"),
                  row("\"x\\\"y\"@example.com", "quote")},
                 {});
  struct Case {
    std::string local, want;  // local as the mailbox parser gives it (quotes kept)
  } cases[] = {
      {"\"john doe\"", "john"},        // quoted row, quoted From
      {"\"john\\ doe\"", "john"},      // the same mailbox with an escaped space
      {"\"John Doe\"", "john"},        // case-insensitive, as before
      {"\"john  doe\"", "example.com"},
      {"\"alice\"", "alice"},           // plain row, quoted From
      {"alice", "alice"},
      {"\"alice+x\"", "example.com"},   // no +detail stripping, as before
      {"\"x\\\"y\"", "quote"},          // an escaped quote
      {"\"x\\y\"", "example.com"},
      {"\"unterminated", "example.com"},
  };
  for (const auto& c : cases) {
    const DomainPolicy* got = t.lookup_sender(c.local, "example.com");
    EXPECT_EQ(got == nullptr ? std::string() : got->domain, c.want) << c.local;
  }
}

// row - a sender row whose d= names it, so lookups say which row won.
SenderPolicy row(const std::string& pattern, const std::string& name) {
  SenderPolicy s{parse_sender_pattern(pattern).value(), {}};
  s.policy.domain = name;
  return s;
}

TEST(SenderTable, ExactAddressThenMostSpecificPatternThenDomain) {
  std::vector<DomainPolicy> domains(1);
  domains[0].domain = "example.com";
  domains[0].subdomains = true;
  // listed least specific first: the table orders them itself
  SigningTable t(std::move(domains),
                 {row("*@*.example.com", "any-sub"), row("alice@*.example.com", "alice-sub"),
                  row("*@*.mail.example.com", "any-mail-sub"), row("*@lists.example.com", "lists"),
                  row("alice@example.com", "alice")},
                 {});
  struct Case {
    std::string local, domain, want;  // want: the winning row's name, "" for none
  } cases[] = {
      {"alice", "example.com", "alice"},
      {"ALICE", "Example.com", ""},  // the domain comes lower-cased from the mailbox parser
      {"Alice", "example.com", "alice"},
      {"bob", "example.com", "example.com"},  // no sender row: the From domain's row
      {"bob", "lists.example.com", "lists"},
      {"alice", "lists.example.com", "lists"},  // exact domain beats alice@*.example.com
      {"alice", "a.example.com", "alice-sub"},  // exact local beats *@ for the same parent
      {"bob", "a.example.com", "any-sub"},
      {"bob", "x.mail.example.com", "any-mail-sub"},  // the nearer parent first
      {"alice", "x.mail.example.com", "any-mail-sub"},
      {"bob", "example.org", ""},
  };
  for (const auto& c : cases) {
    const DomainPolicy* got = t.lookup_sender(c.local, c.domain);
    EXPECT_EQ(got == nullptr ? std::string() : got->domain, c.want) << c.local << "@" << c.domain;
  }
}

// Rows - a key directory and configs with [[signer.sender]] rows.
struct Rows : ::testing::Test {
  std::filesystem::path dir;
  std::string key;
  void SetUp() override {
    config::declare(filter_config_keys());
    config::declare(domainkeys::config_keys());
    config::declare(rotation::config_keys());
    dir = std::filesystem::temp_directory_path() / fmt::format("sender_table_test.{}", ::getpid());
    std::filesystem::create_directories(dir);
    key = (dir / "k.private").string();
    std::filesystem::copy_file(std::string(POSTSEAL_TEST_DATA) + "/dkim/dkimpy-data/2048_testkey.key", key,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  config::File parse(const std::string& text) const { return config::File::parse(text, "test.toml"); }
  // error - build_signing_table's error for `text` ("" when it builds).
  std::string error(const std::string& text) const {
    auto file = parse(text);
    auto t = build_signing_table(&file, {});
    return t ? std::string() : t.error();
  }
};

TEST_F(Rows, ReadFromTheFileWithDIdentityAndTheDomainsOptions) {
  auto file = parse(fmt::format(
      "[signer]\n"
      "[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:{0}\"]\ncanonicalization = \"simple/simple\"\n"
      "expire = 3600\nrequire_signature = true\n"
      "[[signer.sender]]\naddress = \"alice@example.com\"\nkeys = [\"alice1:{0}\"]\nidentity = \"alice@example.com\"\n"
      "[[signer.sender]]\naddress = \"*@*.shop.example\"\ndomain = \"shop.example\"\nkeys = [\"shop1:{0}\"]\n",
      key));
  auto t = build_signing_table(&file, {});
  ASSERT_TRUE(t.has_value()) << t.error();
  ASSERT_EQ((*t)->senders().size(), 2u);
  const DomainPolicy* alice = (*t)->lookup_sender("alice", "example.com");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->domain, "example.com");
  EXPECT_EQ(alice->keys.at(0).selector, "alice1");
  EXPECT_EQ(alice->keys.at(0).domain, "example.com");
  EXPECT_EQ(alice->options.identity, "alice@example.com");
  EXPECT_EQ(alice->options.header_canon, dkim::Canon::simple) << "options come from d='s [[signer.domain]]";
  EXPECT_EQ(alice->options.expire_seconds, 3600);
  EXPECT_TRUE(alice->require_signature);
  EXPECT_EQ((*t)->lookup_sender("bob", "example.com")->keys.at(0).selector, "s1");
  const DomainPolicy* shop = (*t)->lookup_sender("x", "eu.shop.example");
  ASSERT_NE(shop, nullptr);
  EXPECT_EQ(shop->keys.at(0).domain, "shop.example") << "d= is the row's domain";
  EXPECT_EQ(shop->options.header_canon, dkim::Canon::relaxed) << "no [[signer.domain]] for d=: the defaults";
  EXPECT_TRUE(shop->options.identity.empty());
  EXPECT_EQ((*t)->lookup_sender("x", "shop.example"), nullptr);
  auto domains = (*t)->domains();
  EXPECT_NE(std::find(domains.begin(), domains.end(), "shop.example"), domains.end()) << "metrics labels";
}

TEST_F(Rows, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string row;   // the [[signer.sender]] table's body; "{k}" is the key file
    std::string want;  // part of the error
  } cases[] = {
      {"address = \"alice\"\nkeys = [\"a:{k}\"]\n", "test.toml, line 3: signer.sender[].address = \"alice\": no '@'"},
      {"keys = [\"a:{k}\"]\n", "test.toml, line 2: signer.sender[].address = \"\": no '@'"},
      {"address = \"alice@example.com\"\n", "test.toml, line 2: signer.sender[].keys: no keys"},  // the row's line
      {"address = \"alice@example.com\"\nkeys = [\"a\"]\n",
       "test.toml, line 4: signer.sender[].keys: key 'a' must be SELECTOR:KEYFILE"},
      {"address = \"alice@example.com\"\nkeys = [\"a:/nonexistent/k\"]\n",
       "test.toml, line 4: signer.sender[].keys: cannot open key file /nonexistent/k"},
      {"address = \"*@*.example.com\"\nkeys = [\"a:{k}\"]\n",
       "test.toml, line 3: signer.sender[].address: \"*@*.example.com\" names no single domain: set domain (d=)"},
      {"address = \"alice@example.com\"\ndomain = \"*.example.com\"\nkeys = [\"a:{k}\"]\n",
       "test.toml, line 4: signer.sender[].domain = \"*.example.com\": not a domain name"},
      {"address = \"alice@example.com\"\nkeys = [\"a:{k}\"]\nidentity = \"alice@example.org\"\n",
       "test.toml, line 5: signer.sender[].identity = \"alice@example.org\": must be [LOCAL]@DOMAIN with DOMAIN "
       "d= (example.com) or below it (RFC 6376 3.5)"},
      {"address = \"alice@example.com\"\nkeys = [\"a:{k}\"]\nidentity = \"alice\"\n",
       "signer.sender[].identity = \"alice\": must be"},
  };
  for (const auto& c : cases) {
    std::string body = c.row;
    for (auto p = body.find("{k}"); p != std::string::npos; p = body.find("{k}")) body.replace(p, 3, key);
    const std::string got = error("[signer]\n[[signer.sender]]\n" + body);
    EXPECT_NE(got.find(c.want), std::string::npos) << body << "\ngot: " << got;
  }
  const std::string twice = error(fmt::format(
      "[signer]\n[[signer.sender]]\naddress = \"alice@example.com\"\nkeys = [\"a:{0}\"]\n"
      "[[signer.sender]]\naddress = \"ALICE@example.com\"\nkeys = [\"b:{0}\"]\n",
      key));
  EXPECT_NE(twice.find("test.toml, line 6: signer.sender[].address = \"alice@example.com\" is listed twice"),
            std::string::npos)
      << twice;
  EXPECT_EQ(error(fmt::format("[signer]\n[[signer.sender]]\naddress = \"alice@example.com\"\nidentity = "
                              "\"@mail.example.com\"\nkeys = [\"a:{}\"]\n",
                              key)),
            "")
      << "i= may name a subdomain of d= and leave out the local part";
}

TEST_F(Rows, UnknownKeyInASenderRowIsAConfigError) {
  try {
    parse("[[signer.sender]]\naddress = \"a@example.com\"\nselector = \"x\"\n");
    FAIL() << "an unknown key loads";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("test.toml, line 3: unknown key 'signer.sender[].selector'"), std::string::npos)
        << e.what();
  }
}

TEST_F(Rows, RowLimit) {
  std::string text = "[signer]\n";
  for (std::size_t i = 0; i <= kMaxSenderRows; ++i)
    text += fmt::format("[[signer.sender]]\naddress = \"u{}@example.com\"\nkeys = [\"a:{}\"]\n", i, key);
  const std::string got = error(text);
  EXPECT_NE(got.find(fmt::format("{} [[signer.sender]] tables; at most {}", kMaxSenderRows + 1, kMaxSenderRows)),
            std::string::npos)
      << got.substr(0, 200);
}

TEST_F(Rows, CheckConfigSaysSenderRowsAreNotRotated) {
  auto file = parse(fmt::format(
      "[signer]\n[keys]\nrotation = true\n[[signer.sender]]\naddress = \"alice@example.com\"\nkeys = [\"a:{}\"]\n", key));
  const std::string want =
      "warning: test.toml, line 3: keys.rotation = true rotates [[signer.domain]] keys only; the 1 "
      "[[signer.sender]] rows sign with their configured keys (docs/key-rotation.md)";
  auto problems = check_signer_config(file);
  EXPECT_NE(std::find(problems.begin(), problems.end(), want), problems.end()) << problems.size();
  auto no_rotation = parse(fmt::format(
      "[signer]\n[[signer.sender]]\naddress = \"alice@example.com\"\nkeys = [\"a:{}\"]\n", key));
  for (const auto& p : check_signer_config(no_rotation)) EXPECT_EQ(p.find("rotat"), std::string::npos) << p;
}

// check-config gets one problem per error, so a domain's key error is located by itself and
// not at the [[signer.sender]] rows that a joined message would also name.
TEST_F(Rows, CheckConfigGetsOneProblemPerError) {
  auto file = parse(
      "[signer]\n[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:/nonexistent/s1\"]\n"
      "[[signer.sender]]\naddress = \"al*ce@example.com\"\nkeys = [\"a:/nonexistent/a\"]\n");
  const auto problems = check_signer_config(file);
  auto has = [&](const std::string& p) { return std::find(problems.begin(), problems.end(), p) != problems.end(); };
  const std::string key = "cannot open key file /nonexistent/s1: No such file or directory";
  EXPECT_TRUE(has(key)) << problems.size();
  EXPECT_EQ(config::located(file, key), "test.toml, line 4: " + key);
  EXPECT_TRUE(has("test.toml, line 6: signer.sender[].address = \"al*ce@example.com\": '*' in a local part only "
                  "alone (\"*@domain\")"));
}

TEST_F(Rows, UnalignedDomainIsAWarning) {
  auto file = parse(fmt::format(
      "[signer]\n[[signer.sender]]\naddress = \"alice@example.com\"\ndomain = \"example.org\"\nkeys = [\"a:{}\"]\n", key));
  auto t = build_signing_table(&file, {});
  ASSERT_TRUE(t.has_value()) << t.error();
  ASSERT_EQ((*t)->warnings().size(), 1u);
  EXPECT_EQ((*t)->warnings()[0],
            "test.toml, line 4: signer.sender[].domain = \"example.org\": not example.com nor a parent of it, so "
            "DMARC alignment fails for alice@example.com");
}

// The signing step (shared by the content filter and the milter) signs alice's mail with her
// row's selector and i=, bob's with the domain's.
TEST_F(Rows, SignStepUsesTheSenderRow) {
  auto file = parse(fmt::format(
      "[signer]\n[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:{0}\"]\n"
      "[[signer.sender]]\naddress = \"alice@example.com\"\nkeys = [\"alice1:{0}\"]\nidentity = \"alice@example.com\"\n",
      key));
  std::shared_ptr<const SigningTable> table = build_signing_table(&file, {}).value();
  FixedClock clock(1700000000);
  auto sign = [&](const std::string& from) {
    auto headers = mail::parse_header_block("From: " + from + "\r\nSubject: hi\r\n").value();
    SignStep step(table, headers, clock);
    step.body("hello\r\n");
    return step.finish(headers);
  };
  const std::string alice = sign("Alice <ALICE@example.com>"), bob = sign("bob@example.com");
  EXPECT_NE(alice.find("s=alice1"), std::string::npos) << alice;
  EXPECT_NE(alice.find("i=alice@example.com"), std::string::npos) << alice;
  EXPECT_NE(bob.find("s=s1"), std::string::npos) << bob;
  EXPECT_EQ(bob.find("i="), std::string::npos) << bob;
}

}  // namespace
}  // namespace postseal::signer

// opendkim_test.cpp - `postseal import opendkim` on Debian's shipped opendkim.conf, its
// example opendkim.conf.simple and the KeyTable/SigningTable forms of opendkim.conf(5): the
// TOML loads with the expected [[signer.domain]] values, and every setting not carried over is
// named by FILE:LINE.
#include "import/importers.hpp"
#include "import_fixtures.hpp"

#include "core/util/errors.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace postseal::migrate {
namespace {

using namespace test;

Files tables() {
  return Files{{{"/etc/opendkim/KeyTable", fixture("opendkim/KeyTable")},
                {"/etc/opendkim/SigningTable", fixture("opendkim/SigningTable")},
                {"/etc/opendkim/SigningTable.plain", fixture("opendkim/SigningTable.plain")},
                {"/etc/opendkim/KeyTable.peraddr", fixture("opendkim/KeyTable.peraddr")},
                {"/etc/opendkim/SigningTable.peraddr", fixture("opendkim/SigningTable.peraddr")}}};
}

// sender - the [[signer.sender]] row of `address`, null when none.
const toml::table* sender(const config::File& f, std::string_view address) {
  for (const toml::table* t : f.tables("signer.sender"))
    if (config::table_string(*t, "address", "signer.sender[].address") == address) return t;
  return nullptr;
}
std::string sender_string(const toml::table& t, std::string_view key) {
  return config::table_string(t, key, fmt::format("signer.sender[].{}", key));
}

std::vector<std::string> keys_of(const config::File& f, std::size_t i) {
  return config::table_strings(*f.tables("signer.domain").at(i), "keys", "signer.domain[].keys");
}
std::string name_of(const config::File& f, std::size_t i) {
  return config::table_string(*f.tables("signer.domain").at(i), "name", "signer.domain[].name");
}

TEST(ImportOpenDkim, DebianShippedConfigSignsNothingAndSaysWhy) {
  const std::string path = fixture("debian/opendkim.conf");
  const Result r = import_opendkim(path, Files{});
  const config::File f = load(r);
  EXPECT_EQ(f.string("signer.user"), "opendkim");
  EXPECT_TRUE(f.tables("signer.domain").empty()) << dump(r);
  for (auto [line, setting] : {std::pair{6, "Syslog"},
                               {7, "SyslogSuccess"},
                               {13, "Canonicalization"},
                               {16, "OversignHeaders"},
                               {31, "UMask"},
                               {37, "Socket"},
                               {42, "PidFile"},
                               {50, "TrustAnchorFile"}})
    EXPECT_TRUE(noted(r, where(path, line), setting)) << line << " " << setting << "\n" << dump(r);
  EXPECT_TRUE(noted(r, path, "Mode (default sv)"));
}

TEST(ImportOpenDkim, DebianExampleSimpleConfig) {
  const std::string path = fixture("debian/opendkim.conf.simple");
  const Result r = import_opendkim(path, Files{});
  const config::File f = load(r);
  ASSERT_EQ(f.tables("signer.domain").size(), 1u) << dump(r);
  EXPECT_EQ(name_of(f, 0), "localhost");
  EXPECT_EQ(keys_of(f, 0), std::vector<std::string>{"default:/var/db/dkim/localhost.private"});
  const auto& t = *f.tables("signer.domain")[0];
  EXPECT_EQ(config::table_string(t, "canonicalization", "signer.domain[].canonicalization"),
            "relaxed/simple");
  EXPECT_TRUE(config::table_strings(t, "headers", "signer.domain[].headers").empty());
  EXPECT_TRUE(noted(r, where(path, 13), "Socket"));
  EXPECT_TRUE(noted(r, where(path, 15), "ReportAddress"));
  EXPECT_TRUE(noted(r, where(path, 16), "SendReports"));
}

TEST(ImportOpenDkim, RefileSigningTableWithPercentAndMultipleSignatures) {
  const std::string path = fixture("opendkim/multi.conf");
  const Result r = import_opendkim(path, tables());
  const config::File f = load(r);
  ASSERT_EQ(f.tables("signer.domain").size(), 2u) << dump(r);
  EXPECT_EQ(name_of(f, 0), "example.com");
  EXPECT_EQ(keys_of(f, 0),
            (std::vector<std::string>{"rsa2026:/etc/opendkim/keys/example.com/rsa2026.private",
                                      "ed2026:/etc/opendkim/keys/example.com/ed2026.private"}));
  const auto& com = *f.tables("signer.domain")[0];
  EXPECT_TRUE(config::table_boolean(com, "subdomains", "signer.domain[].subdomains"));
  EXPECT_EQ(config::table_string(com, "canonicalization", "signer.domain[].canonicalization"),
            "relaxed/simple");
  EXPECT_EQ(config::table_integer(com, "expire", "signer.domain[].expire"), 604800);
  const auto headers = config::table_strings(com, "headers", "signer.domain[].headers");
  EXPECT_EQ(std::count(headers.begin(), headers.end(), "From"), 2);
  EXPECT_EQ(std::count(headers.begin(), headers.end(), "List-Unsubscribe"), 2);
  EXPECT_EQ(std::count(headers.begin(), headers.end(), "Subject"), 1);
  EXPECT_EQ(name_of(f, 1), "example.net");
  EXPECT_EQ(keys_of(f, 1), std::vector<std::string>{"baz:/etc/opendkim/keys/exnet.private"});
  EXPECT_EQ(f.string("signer.user"), "opendkim");

  const std::string st = "/etc/opendkim/SigningTable",
                    kt = "/etc/opendkim/KeyTable";  // as the config names them
  // per address, carried; MultipleSignatures yes is carried too (signer.multiple_signatures):
  // the president's mail also signs with *@example.com's keys, so nothing is reported
  const toml::table* president = sender(f, "president@example.com");
  ASSERT_NE(president, nullptr) << dump(r);
  EXPECT_EQ(config::table_strings(*president, "keys", "signer.sender[].keys"),
            std::vector<std::string>{"pres:/etc/opendkim/keys/president.private"});
  EXPECT_TRUE(f.boolean("signer.multiple_signatures")) << dump(r);
  EXPECT_FALSE(noted(r, where(st, 2), "president@example.com")) << dump(r);
  EXPECT_FALSE(noted(r, where(path, 8), "MultipleSignatures")) << dump(r);
  EXPECT_TRUE(noted(r, where(st, 6), "*@*.example.net"));                   // d= each subdomain
  EXPECT_TRUE(noted(r, where(kt, 6), "inline"));                            // key material
  const toml::table* info = sender(f, "*@example.info");                    // d=example.net
  ASSERT_NE(info, nullptr) << dump(r);
  EXPECT_EQ(sender_string(*info, "domain"), "example.net");
  EXPECT_TRUE(noted(r, where(st, 10), "example.biz"));                      // never matches
  EXPECT_TRUE(noted(r, where(st, 11), "*"));
  EXPECT_TRUE(noted(r, where(path, 3), "Syslog"));
  EXPECT_TRUE(noted(r, where(path, 4), "UMask"));
  EXPECT_TRUE(noted(r, where(path, 7), "SubDomains"));
  EXPECT_TRUE(noted(r, where(path, 11), "UserID opendkim:opendkim"));
  EXPECT_TRUE(noted(r, where(path, 12), "Socket"));
  EXPECT_TRUE(noted(r, where(path, 13), "InternalHosts"));
}

TEST(ImportOpenDkim, PlainFileFirstMatchOnly) {
  const std::string path = fixture("opendkim/plainfile.conf");
  const Result r = import_opendkim(path, tables());
  const config::File f = load(r);
  ASSERT_EQ(f.tables("signer.domain").size(), 1u) << dump(r);
  EXPECT_EQ(keys_of(f, 0),
            std::vector<std::string>{"rsa2026:/etc/opendkim/keys/example.com/rsa2026.private"});
  const auto& t = *f.tables("signer.domain")[0];
  EXPECT_FALSE(config::table_boolean(t, "subdomains", "signer.domain[].subdomains"));
  EXPECT_EQ(config::table_string(t, "canonicalization", "signer.domain[].canonicalization"),
            "simple/simple");
  const std::string st = "/etc/opendkim/SigningTable.plain";
  EXPECT_TRUE(noted(r, where(st, 3), ".example.com rsa"));  // % for subdomains: d= each subdomain
  EXPECT_TRUE(noted(r, where(st, 2), "example.com ed"));    // MultipleSignatures off
  EXPECT_FALSE(f.has("signer.multiple_signatures")) << dump(r);
  EXPECT_TRUE(noted(r, where(st, 4), "*@example.net"));     // wildcard in a file: table
  EXPECT_FALSE(noted(r, where(st, 5), "user@example.com"));  // per address: carried
  const toml::table* user = sender(f, "user@example.com");
  ASSERT_NE(user, nullptr) << dump(r);
  EXPECT_EQ(config::table_strings(*user, "keys", "signer.sender[].keys"),
            std::vector<std::string>{"pres:/etc/opendkim/keys/president.private"});
}

// Per-address SigningTable rows (refile, first match): each carried row becomes a
// [[signer.sender]] row with its d= and i=; what cannot be carried is still reported.
TEST(ImportOpenDkim, PerAddressRowsBecomeSenderRows) {
  const std::string path = fixture("opendkim/peraddr.conf");
  const Result r = import_opendkim(path, tables());
  const config::File f = load(r);
  const std::string st = "/etc/opendkim/SigningTable.peraddr";
  ASSERT_EQ(f.tables("signer.domain").size(), 1u) << dump(r);
  EXPECT_EQ(name_of(f, 0), "example.com");
  EXPECT_EQ(keys_of(f, 0), std::vector<std::string>{"rsa2026:/etc/opendkim/keys/example.com/rsa2026.private"});
  ASSERT_EQ(f.tables("signer.sender").size(), 5u) << dump(r);
  struct Want {
    std::string address, domain, keys, identity;
  } wants[] = {
      {"alice@example.com", "", "alice2026:/etc/opendkim/keys/alice.private", "alice@example.com"},
      {"bob@example.com", "", "bob2026:/etc/opendkim/keys/bob.private", ""},  // OpenDKIM: case-insensitive
      {"dave@*.example.com", "example.com", "bob2026:/etc/opendkim/keys/bob.private", ""},
      {"*@lists.example.com", "example.com", "sub2026:/etc/opendkim/keys/example.com/sub2026.private", ""},
      {"*@*.shop.example.com", "example.com", "sub2026:/etc/opendkim/keys/example.com/sub2026.private",
       "@shop.example.com"},
  };
  for (const auto& w : wants) {
    const toml::table* t = sender(f, w.address);
    ASSERT_NE(t, nullptr) << w.address << "\n" << dump(r);
    EXPECT_EQ(sender_string(*t, "domain"), w.domain) << w.address;
    EXPECT_EQ(config::table_strings(*t, "keys", "signer.sender[].keys"), std::vector<std::string>{w.keys});
    EXPECT_EQ(sender_string(*t, "identity"), w.identity) << w.address;
  }
  EXPECT_TRUE(noted(r, where(st, 4), "dave@*.example.com bob:%")) << dump(r);  // i= per subdomain
  EXPECT_TRUE(noted(r, where(st, 6), "carol@example.com"));                    // hidden by *@example.com
  EXPECT_EQ(sender(f, "carol@example.com"), nullptr);
  EXPECT_TRUE(noted(r, where(st, 9), "*@mail*.example.com"));                  // cannot express
  EXPECT_TRUE(noted(r, where(st, 10), "*"));
  EXPECT_FALSE(noted(r, where(st, 2), "alice"));
  EXPECT_FALSE(noted(r, where(st, 7), "lists"));
}

TEST(ImportOpenDkim, DomainSelectorKeyFile) {
  const std::string path = fixture("opendkim/single.conf");
  const Result r = import_opendkim(path, Files{});
  const config::File f = load(r);
  ASSERT_EQ(f.tables("signer.domain").size(), 2u) << dump(r);
  EXPECT_EQ(name_of(f, 0), "example.com");
  EXPECT_EQ(name_of(f, 1), "example.net");
  EXPECT_EQ(keys_of(f, 1), std::vector<std::string>{"2020:/etc/dkimkeys/example.private"});
  const auto& t = *f.tables("signer.domain")[1];
  EXPECT_TRUE(config::table_boolean(t, "subdomains", "signer.domain[].subdomains"));
  EXPECT_EQ(config::table_strings(t, "headers", "signer.domain[].headers"),
            (std::vector<std::string>{"From", "Subject", "Date"}));
  EXPECT_EQ(config::table_string(t, "canonicalization", "signer.domain[].canonicalization"),
            "simple/relaxed");
  EXPECT_TRUE(noted(r, where(path, 10), "SignatureAlgorithm rsa-sha1"));
  EXPECT_TRUE(noted(r, where(path, 11), "RequireSafeKeys"));
  EXPECT_TRUE(noted(r, where(path, 12), "LogWhy"));
}

TEST(ImportOpenDkim, MissingTableIsNotedAndSourceMustExist) {
  const std::string path = fixture("opendkim/multi.conf");
  const Result r = import_opendkim(path, Files{});  // KeyTable and SigningTable unreadable
  const config::File f = load(r);
  EXPECT_TRUE(f.tables("signer.domain").empty());
  EXPECT_TRUE(noted(r, where(path, 14), "/etc/opendkim/KeyTable"));
  EXPECT_TRUE(noted(r, where(path, 15), "/etc/opendkim/SigningTable"));
  EXPECT_THROW(import_opendkim("/nonexistent/opendkim.conf", Files{}), StartupError);
}

TEST(ImportOpenDkim, ValuesCannotInjectToml) {
  // Values with quotes and TOML fragments stay strings.
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string("Domain example.com\nSelector s\"] \nKeyFile /k\" ; x = 1\nUserID a\"b\n");
    }
  };
  const Result r = import_opendkim("/mem/opendkim.conf", Reader{});
  const config::File f = load(r);
  EXPECT_EQ(keys_of(f, 0), std::vector<std::string>{"s\"]:/k\" ; x = 1"});
  EXPECT_EQ(f.string("signer.user"), "a\"b");
}

TEST(ImportOpenDkim, BadCanonicalizationIsNamed) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string(
          "Domain example.com\nSelector s\nKeyFile /k\nCanonicalization relaxed/loose\n");
    }
  };
  const Result r = import_opendkim("/mem/opendkim.conf", Reader{});
  const config::File f = load(r);
  EXPECT_FALSE(f.tables("signer.domain").at(0)->contains("canonicalization"));
  EXPECT_TRUE(noted(r, "/mem/opendkim.conf:4", "Canonicalization relaxed/loose"));
}

TEST(ImportOpenDkim, IncludeIsReadInPlaceFiveDeepAtMost) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string& path) const {
      if (path == "/mem/opendkim.conf")
        return std::string("Include /mem/signing.conf\nSyslog yes\nInclude /mem/loop\n");
      if (path == "/mem/signing.conf")
        return std::string("Domain example.com\nSelector s\nKeyFile /k\nUMask 2\n");
      if (path == "/mem/loop") return std::string("Include /mem/loop\n");
      return std::unexpected("No such file or directory");
    }
  };
  const Result r = import_opendkim("/mem/opendkim.conf", Reader{});
  const config::File f = load(r);
  ASSERT_EQ(f.tables("signer.domain").size(), 1u) << dump(r);
  EXPECT_EQ(keys_of(f, 0), std::vector<std::string>{"s:/k"});
  EXPECT_TRUE(noted(r, "/mem/signing.conf:4", "UMask"));  // named by the included file's line
  EXPECT_TRUE(noted(r, "/mem/opendkim.conf:2", "Syslog"));
  EXPECT_TRUE(noted(r, "/mem/loop:1", "Include /mem/loop"));  // the sixth level is not read
}

TEST(ImportOpenDkim, LargeSourceIsRefused) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string(kMaxSourceOctets + 1, '#');
    }
  };
  EXPECT_THROW(import_opendkim("/mem/big.conf", Reader{}), StartupError);
}

}  // namespace
}  // namespace postseal::migrate

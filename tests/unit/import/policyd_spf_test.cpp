// policyd_spf_test.cpp - `postseal import policyd-spf` on Debian's shipped policyd-spf.conf,
// its commented sample and a file with every whitelist and policy word: [verifier] loads with
// policyd-spf's behaviour (its defaults where postseal's differ), the rest named by FILE:LINE.
#include "import/importers.hpp"
#include "import_fixtures.hpp"

#include <gtest/gtest.h>

namespace postseal::migrate {
namespace {

using namespace test;

TEST(ImportPolicydSpf, DebianShippedConfig) {
  const std::string path = fixture("debian/policyd-spf.conf");
  const Result r = import_policyd_spf(path, Files{});
  const config::File f = load(r);
  EXPECT_EQ(f.string("verifier.helo_reject"), "fail");
  EXPECT_EQ(f.string("verifier.mail_from_reject"), "fail");
  EXPECT_FALSE(f.boolean("verifier.permerror_reject"));
  EXPECT_FALSE(f.boolean("verifier.temperror_defer"));
  EXPECT_FALSE(f.boolean("verifier.test_only"));  // TestOnly = 1: normal operation
  EXPECT_EQ(f.strings("verifier.skip_addresses"),
            (std::vector<std::string>{"127.0.0.0/8", "::ffff:127.0.0.0/104", "::1"}));
  EXPECT_TRUE(noted(r, where(path, 3), "debugLevel = 1"));
  EXPECT_EQ(r.notes.size(), 1u) << dump(r);
  EXPECT_NE(render(r).find("# " + where(path, 10) +
                           ": TempError_Defer = False\ntemperror_defer = false\n"),
            std::string::npos)
      << dump(r);
}

TEST(ImportPolicydSpf, DefaultsThatDifferAreWrittenOut) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string("debugLevel = 0\n");
    }
  };
  const config::File f = load(import_policyd_spf("/mem/policyd-spf.conf", Reader{}));
  EXPECT_FALSE(f.boolean("verifier.temperror_defer"));  // postseal's own default is true
}

TEST(ImportPolicydSpf, BadEntriesAreDroppedAndNamed) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string(
          "Whitelist = 192.0.2.0/24,300.1.1.1,2001:db8::/32\nDomain_Whitelist = ok.example,bad@x\n"
          "Reason_Message = Denied: {spf} {nosuch}\n");
    }
  };
  const Result r = import_policyd_spf("/mem/p.conf", Reader{});
  const config::File f = load(r);
  EXPECT_EQ(f.strings("verifier.whitelist"),
            (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ(f.strings("verifier.domain_whitelist"), std::vector<std::string>{"ok.example"});
  EXPECT_FALSE(f.has("verifier.reason_message"));
  EXPECT_TRUE(noted(r, "/mem/p.conf:1", "300.1.1.1"));
  EXPECT_TRUE(noted(r, "/mem/p.conf:2", "bad@x"));
  EXPECT_TRUE(noted(r, "/mem/p.conf:3", "Reason_Message"));
}

TEST(ImportPolicydSpf, CommentedSample) {
  const std::string path = fixture("debian/policyd-spf.conf.commented");
  const Result r = import_policyd_spf(path, Files{});
  const config::File f = load(r);
  EXPECT_TRUE(f.boolean("verifier.hide_receiver"));
  EXPECT_EQ(f.string("verifier.authserv_id"), "HEADER");
  EXPECT_EQ(f.string("verifier.helo_reject"), "fail");
}

TEST(ImportPolicydSpf, EverySetting) {
  const std::string path = fixture("policyd-spf.custom.conf");
  const Result r = import_policyd_spf(path, Files{});
  const config::File f = load(r);
  EXPECT_TRUE(f.boolean("verifier.test_only"));
  EXPECT_EQ(f.string("verifier.helo_reject"), "none")
      << dump(r);  // the later "fail" is not a policyd-spf word
  EXPECT_EQ(f.string("verifier.mail_from_reject"), "softfail");
  EXPECT_TRUE(f.boolean("verifier.permerror_reject"));
  EXPECT_FALSE(f.boolean("verifier.temperror_defer"));
  EXPECT_EQ(f.strings("verifier.whitelist"),
            (std::vector<std::string>{"192.0.2.0/24", "198.51.100.7"}));
  EXPECT_EQ(f.strings("verifier.helo_whitelist"),
            (std::vector<std::string>{"relay.example.com", "mx2.example.org"}));
  EXPECT_EQ(f.strings("verifier.domain_whitelist"),
            (std::vector<std::string>{"pobox.com", "trustedforwarder.org"}));
  EXPECT_EQ(f.strings("verifier.domain_whitelist_ptr"), std::vector<std::string>{"yahoo.com"});
  EXPECT_EQ(f.string("verifier.header_type"), "authentication-results");
  EXPECT_EQ(f.string("verifier.authserv_id"), "mx.example.com");
  EXPECT_TRUE(f.boolean("verifier.hide_receiver"));
  EXPECT_EQ(f.string("verifier.reason_message"),
            "Message {rejectdefer} due to: {spf}. Please see {url}");
  EXPECT_EQ(f.integer("spf.time_cap_seconds"), 30);
  EXPECT_TRUE(noted(r, where(path, 17), "Void_Limit = 3"));
  EXPECT_TRUE(noted(r, where(path, 18), "Reject_Not_Pass_Domains"));
  EXPECT_TRUE(noted(r, where(path, 19), "Mail_From_pass_restriction"));
  EXPECT_TRUE(noted(r, where(path, 20), "HELO_reject = fail"));
  EXPECT_TRUE(noted(r, where(path, 21), "this line has no equals sign"));
  EXPECT_TRUE(noted(r, where(path, 22), "Reason_Message = a=b"));
}

}  // namespace
}  // namespace postseal::migrate

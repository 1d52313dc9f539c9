// smf_spf_test.cpp - `postseal import smf-spf` on seed 003's smf-spf.conf and on a file using
// every setting: [milter] and [verifier] load with smf-spf's behaviour, the rest named by
// FILE:LINE.
#include "import/importers.hpp"
#include "import_fixtures.hpp"

#include <gtest/gtest.h>

namespace postseal::migrate {
namespace {

using namespace test;

TEST(ImportSmfSpf, SeedConfig) {
  const std::string path = fixture("seed/smf-spf.conf");
  const Result r = import_smf_spf(path, Files{});
  const config::File f = load(r);
  EXPECT_EQ(f.strings("milter.whitelist_ip"),
            (std::vector<std::string>{"127.0.0.0/8", "192.168.0.0/24", "192.168.1.0/24",
                                      "192.168.2.0/24"}));
  EXPECT_EQ(f.string("milter.listen"), "inet:10011@192.168.0.70");
  EXPECT_TRUE(f.boolean("milter.refuse_fail"));  // commented out in the seed: smf-spf's default on
  EXPECT_EQ(f.string("verifier.helo_reject"), "null");
  EXPECT_FALSE(f.has("verifier.user"));
  EXPECT_TRUE(noted(r, path, "User (default smfs)")) << dump(r);
  EXPECT_EQ(r.notes.size(), 1u) << dump(r);
  EXPECT_NE(render(r).find("# " + where(path, 12) + ", 16, 17, 18\nwhitelist_ip = "),
            std::string::npos)
      << dump(r);
}

TEST(ImportSmfSpf, EverySetting) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string(
          "WhitelistIP 10.0.0.0/8\nWhitelistPTR .friendly.example\nWhitelistFrom friend@\n"
          "WhitelistTo postmaster@\nRefuseFail off # (on|off)\nTagSubject On\nTag "
          "[SPAM]\nAddHeader off\n"
          "Quarantine on\nQuarantineBox spambox@example.com\nTTL 10m\nUser smfs\nSocket "
          "local:/run/smf.sock\n"
          "Syslog daemon\nRefuseFail maybe\nNoSuchThing 1\nWhitelistIP 10.0.0.0/33\n"
          "Tag [" +
          std::string(70, 'x') + "]\n");
    }
  };
  const Result r = import_smf_spf("/mem/smf-spf.conf", Reader{});
  const config::File f = load(r);
  EXPECT_EQ(f.strings("milter.whitelist_ptr"), std::vector<std::string>{".friendly.example"});
  EXPECT_EQ(f.strings("milter.whitelist_from"), std::vector<std::string>{"friend@"});
  EXPECT_EQ(f.strings("milter.whitelist_to"), std::vector<std::string>{"postmaster@"});
  EXPECT_FALSE(f.boolean("milter.refuse_fail"));
  EXPECT_TRUE(f.boolean("milter.tag_subject"));
  EXPECT_EQ(f.string("milter.tag"), "[SPAM]");
  EXPECT_FALSE(f.boolean("milter.add_header"));
  EXPECT_EQ(f.string("milter.quarantine_mailbox"), "spambox@example.com");
  EXPECT_EQ(f.integer("verifier.cache_ttl"), 600);
  EXPECT_EQ(f.string("verifier.user"), "smfs");
  EXPECT_EQ(f.string("milter.listen"), "unix:/run/smf.sock");
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:14", "Syslog daemon"));
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:15", "RefuseFail maybe"));
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:16", "NoSuchThing"));
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:17", "10.0.0.0/33"));  // dropped, the others kept
  EXPECT_EQ(f.strings("milter.whitelist_ip"), std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:18", "Tag [xxx"));
}

TEST(ImportSmfSpf, QuarantineBoxMustBeAnAddress) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string("Quarantine on\n");
    }
  };
  const Result r = import_smf_spf("/mem/smf-spf.conf", Reader{});
  EXPECT_FALSE(load(r).has("milter.quarantine_mailbox"));
  EXPECT_EQ(load(r).string("milter.listen"), "unix:/var/run/smfs/smf-spf.sock");
  EXPECT_TRUE(noted(r, "/mem/smf-spf.conf:1", "QuarantineBox postmaster"));
}

}  // namespace
}  // namespace postseal::migrate

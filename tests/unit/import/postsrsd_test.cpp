// postsrsd_test.cpp - `postseal import postsrsd` on Debian 12's /etc/default/postsrsd, postsrsd
// 2's example postsrsd.conf and a forwarder's files of each kind: [srs] loads with the values
// postsrsd used, and what has no equivalent is named by FILE:LINE.
#include "import/importers.hpp"
#include "import_fixtures.hpp"

#include <gtest/gtest.h>

namespace postseal::migrate {
namespace {

using namespace test;

TEST(ImportPostsrsd, DebianDefaultFile) {
  const std::string path = fixture("debian/postsrsd.default");
  const Result r = import_postsrsd(path, Files{}, "example.org");
  const config::File f = load(r);
  EXPECT_EQ(f.string("srs.domain"), "example.org")
      << dump(r);  // SRS_DOMAIN unset: Postfix's mydomain
  EXPECT_EQ(f.string("srs.separator"), "=");
  EXPECT_EQ(f.string("srs.secrets_file"), "/etc/postsrsd.secret");
  EXPECT_EQ(f.integer("srs.hash_length"), 4);
  EXPECT_EQ(f.string("srs.tcp_forward"), "127.0.0.1:10001");
  EXPECT_EQ(f.string("srs.tcp_reverse"), "127.0.0.1:10002");
  EXPECT_EQ(f.string("srs.socketmap"), "");
  EXPECT_EQ(f.string("srs.user"), "postsrsd");
  EXPECT_TRUE(f.strings("srs.local_domains").empty());
  EXPECT_TRUE(noted(r, where(path, 55), "CHROOT"));
  EXPECT_EQ(r.notes.size(), 1u) << dump(r);
}

TEST(ImportPostsrsd, UnknownDomainIsNoted) {
  const std::string path = fixture("debian/postsrsd.default");
  const Result r = import_postsrsd(path, Files{}, "");
  EXPECT_FALSE(load(r).has("srs.domain"));
  EXPECT_TRUE(noted(r, path, "SRS_DOMAIN"));
}

TEST(ImportPostsrsd, ForwarderDefaultFile) {
  const std::string path = fixture("postsrsd.forwarder");
  const Result r = import_postsrsd(path, Files{}, "ignored.example");
  const config::File f = load(r);
  EXPECT_EQ(f.string("srs.domain"), "fwd.example.com");
  EXPECT_EQ(f.strings("srs.local_domains"),
            (std::vector<std::string>{".example.com", "example.org"}));
  EXPECT_EQ(f.string("srs.separator"), "+");
  EXPECT_EQ(f.integer("srs.hash_length"), 6);
  EXPECT_EQ(f.string("srs.tcp_forward"), "[::1]:20001");
  EXPECT_EQ(f.string("srs.tcp_reverse"), "[::1]:20002");
  EXPECT_EQ(f.integer("srs.idle_timeout"), 60);
  EXPECT_TRUE(noted(r, where(path, 7), "SRS_HASHMIN=4")) << dump(r);
  EXPECT_TRUE(noted(r, where(path, 13), "(-A)"));
  EXPECT_TRUE(noted(r, where(path, 12), "CHROOT"));
  EXPECT_TRUE(noted(r, where(path, 14), "SRS_TYPO"));
}

TEST(ImportPostsrsd, ShellComputedValueIsNoted) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string("SRS_DOMAIN=`hostname -d`\nRUN_AS=$USER\n");
    }
  };
  const Result r = import_postsrsd("/mem/postsrsd", Reader{}, "example.org");
  const config::File f = load(r);
  EXPECT_EQ(f.string("srs.domain"), "example.org");
  EXPECT_EQ(f.string("srs.user"), "postsrsd");
  EXPECT_TRUE(noted(r, "/mem/postsrsd:1", "SRS_DOMAIN=`hostname -d`"));
  EXPECT_TRUE(noted(r, "/mem/postsrsd:2", "RUN_AS=$USER"));
}

TEST(ImportPostsrsd, SeparatorAndListenAddress) {
  struct Reader {
    std::expected<std::string, std::string> operator()(const std::string&) const {
      return std::string("SRS_DOMAIN=fwd.example\nSRS_SEPARATOR=x\nSRS_LISTEN_ADDR=localhost\n");
    }
  };
  const Result r = import_postsrsd("/mem/postsrsd", Reader{}, "");
  const config::File f = load(r);
  EXPECT_FALSE(f.has("srs.separator"));
  EXPECT_TRUE(noted(r, "/mem/postsrsd:2", "SRS_SEPARATOR=x"));
  EXPECT_EQ(f.string("srs.tcp_forward"), "127.0.0.1:10001");
}

TEST(ImportPostsrsd, Postsrsd2ExampleConfig) {
  const std::string path = fixture("postsrsd2/postsrsd.conf");
  const Result r = import_postsrsd(path, Files{}, "example.org");
  const config::File f = load(r);
  EXPECT_EQ(f.string("srs.socketmap"), "unix:/var/spool/postfix/srs");
  EXPECT_EQ(f.string("srs.secrets_file"), "/usr/local/etc/postsrsd.secret");
  EXPECT_EQ(f.string("srs.tcp_forward"), "");
  EXPECT_EQ(f.string("srs.tcp_reverse"), "");
  EXPECT_FALSE(f.has("srs.domain"));
  EXPECT_TRUE(noted(r, path, "srs-domain")) << dump(r);
}

TEST(ImportPostsrsd, Postsrsd2Forwarder) {
  const std::string path = fixture("postsrsd2/forwarder.conf");
  const Result r = import_postsrsd(
      path, Files{{{"/etc/postsrsd.domains", fixture("postsrsd2/postsrsd.domains")}}}, "");
  const config::File f = load(r);
  EXPECT_EQ(f.string("srs.domain"), "srs.example.com");
  EXPECT_EQ(f.strings("srs.local_domains"),
            (std::vector<std::string>{"example.com", "example.org", "example.net", "example.info"}))
      << dump(r);
  EXPECT_EQ(f.string("srs.socketmap"), "127.0.0.1:10003");
  EXPECT_EQ(f.integer("srs.idle_timeout"), 60);
  EXPECT_EQ(f.integer("srs.max_connections"), 500);
  EXPECT_EQ(f.string("srs.secrets_file"), "/etc/postsrsd.secret");
  EXPECT_EQ(f.string("srs.separator"), "+");
  EXPECT_EQ(f.integer("srs.hash_length"), 5);
  EXPECT_EQ(f.string("srs.user"), "postsrsd");
  EXPECT_TRUE(noted(r, where(path, 12), "hash-minimum"));
  EXPECT_TRUE(noted(r, where(path, 15), "milter"));
  EXPECT_TRUE(noted(r, where(path, 16), "always-rewrite"));
}

}  // namespace
}  // namespace postseal::migrate

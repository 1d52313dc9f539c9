// whitelist_test.cpp - postgrey's whitelist files (verifier/greylist/whitelist.hpp): every
// form of entry, comments, errors naming FILE:LINE, missing files, and Debian's own
// whitelist_clients / whitelist_recipients (tests/data/postgrey/) on a table of clients that
// postgrey 1.37 whitelists or not.
#include "verifier/greylist/whitelist.hpp"

#include "core/util/errors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace postseal::greylist {
namespace {

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }
const asio::ip::address kOther = asio::ip::make_address("198.18.0.1");  // in no list here

const std::string kData = std::string(POSTSEAL_TEST_DATA) + "/postgrey/";

// TempFile - a file holding `text`, removed at the end of the test.
struct TempFile {
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/postseal-whitelist-XXXXXX";
    int fd = mkstemp(name);
    path = name;
    if (fd >= 0) {
      auto n = ::write(fd, text.data(), text.size());
      (void)n;
      ::close(fd);
    }
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

ClientWhitelist clients(const std::string& text) {
  TempFile f(text);
  ClientWhitelist w;
  w.load({{f.path, true}});
  return w;
}

TEST(ClientWhitelist, EveryForm) {
  auto w = clients(
      "# comment line\n"
      "\n"
      "   example.org   # trailing comment\n"
      "Mixed.Example.NET\n"
      "/^smtp\\d+\\.mail\\.example$/\n"
      "192.0.2.7\n"
      "198.51.100.0/24\n"
      "203.0.113\n"
      "10.20\n"
      "2001:db8:1::/48\n"
      "2001:db8:ff::25\n");
  EXPECT_EQ(w.size(), 9u);
  // host names: the name and names below it, ignoring case; never a look-alike
  EXPECT_TRUE(w.matches("example.org", kOther));
  EXPECT_TRUE(w.matches("MX1.Example.ORG", kOther));
  EXPECT_FALSE(w.matches("badexample.org", kOther));
  EXPECT_FALSE(w.matches("example.org.evil.test", kOther));
  EXPECT_TRUE(w.matches("a.mixed.example.net", kOther));
  EXPECT_FALSE(w.matches("unknown", kOther));
  EXPECT_FALSE(w.matches("", kOther));
  // regular expressions, ignoring case
  EXPECT_TRUE(w.matches("SMTP12.mail.example", kOther));
  EXPECT_FALSE(w.matches("smtpx.mail.example", kOther));
  // addresses and networks
  EXPECT_TRUE(w.matches("unknown", ip("192.0.2.7")));
  EXPECT_FALSE(w.matches("unknown", ip("192.0.2.8")));
  EXPECT_TRUE(w.matches("unknown", ip("198.51.100.200")));
  EXPECT_TRUE(w.matches("unknown", ip("203.0.113.5")));   // partial: /24
  EXPECT_TRUE(w.matches("unknown", ip("10.20.30.40")));    // partial: /16
  EXPECT_FALSE(w.matches("unknown", ip("10.21.0.1")));
  EXPECT_TRUE(w.matches("unknown", ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(w.matches("unknown", ip("2001:db8:2::1")));
  EXPECT_TRUE(w.matches("unknown", ip("2001:db8:ff::25")));
  EXPECT_FALSE(w.matches("unknown", ip("2001:db8:ff::26")));
}

// error_of - the StartupError text of loading `text`, "" if it loads.
std::string error_of(const std::string& text, std::string* path = nullptr) {
  TempFile f(text);
  if (path) *path = f.path;
  try {
    ClientWhitelist w;
    w.load({{f.path, true}});
  } catch (const StartupError& e) {
    return e.what();
  }
  return "";
}

TEST(ClientWhitelist, BadLineNamesFileAndLine) {
  std::string path;
  auto e = error_of("ok.example\n# fine\nnot a host\n", &path);
  EXPECT_NE(e.find(path + ":3:"), std::string::npos) << e;
  e = error_of("ok.example\n192.0.2.0/33\n", &path);
  EXPECT_NE(e.find(path + ":2:"), std::string::npos) << e;
  e = error_of("2001:db8::zz\n", &path);
  EXPECT_NE(e.find(path + ":1:"), std::string::npos) << e;
  e = error_of("\n\n/([unclosed/\n", &path);
  EXPECT_NE(e.find(path + ":3:"), std::string::npos) << e;
  EXPECT_NE(e.find("regular expression"), std::string::npos) << e;
  e = error_of("a/b.example\n", &path);
  EXPECT_NE(e.find(path + ":1:"), std::string::npos) << e;
}

TEST(ClientWhitelist, MissingFiles) {
  ClientWhitelist w;
  EXPECT_NO_THROW(w.load({{"/nonexistent/postgrey/whitelist_clients", false}}));
  try {
    w.load({{"/nonexistent/postgrey/whitelist_clients", true}});
    ADD_FAILURE() << "a missing required file loaded";
  } catch (const StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/postgrey/whitelist_clients"), std::string::npos) << e.what();
  }
}

TEST(RecipientWhitelist, EveryForm) {
  TempFile f(
      "# recipients\n"
      "postmaster@\n"
      "abuse@example.org\n"
      "example.net   # the domain and subdomains\n"
      "/^list-.*@lists\\.example$/\n");
  RecipientWhitelist w;
  w.load({{f.path, true}});
  EXPECT_TRUE(w.matches("postmaster@anything.example"));
  EXPECT_TRUE(w.matches("Postmaster+tag@anything.example"));
  EXPECT_FALSE(w.matches("postmasterx@anything.example"));
  EXPECT_TRUE(w.matches("abuse@example.org"));
  EXPECT_TRUE(w.matches("abuse+x@EXAMPLE.org"));
  EXPECT_FALSE(w.matches("abuse@example.com"));
  EXPECT_TRUE(w.matches("anyone@example.net"));
  EXPECT_TRUE(w.matches("anyone@sub.example.net"));
  EXPECT_FALSE(w.matches("anyone@notexample.net"));
  EXPECT_TRUE(w.matches("LIST-dev@lists.example"));
  EXPECT_FALSE(w.matches("dev@lists.example"));
  RecipientWhitelist bad;
  EXPECT_THROW(bad.add_line("two words", "x:1"), StartupError);
}

// Debian's files, as postgrey 1.37 reads them (whitelist_clients, postgrey's read_clients_whitelists).
TEST(DebianWhitelist, LoadsAndBehavesAsPostgrey) {
  ClientWhitelist w;
  ASSERT_NO_THROW(w.load({{kData + "whitelist_clients", true}, {kData + "whitelist_clients.local", false}}));
  EXPECT_EQ(w.size(), 164u);  // every entry of postgrey 1.37-2's file, none dropped
  struct Case {
    const char* name;
    const char* ip;
    bool listed;
  } cases[] = {
      {"debian.org", "203.0.113.250", true},
      {"bendel.debian.org", "203.0.113.250", true},          // a host under a listed domain
      {"BENDEL.DEBIAN.ORG", "203.0.113.250", true},
      {"notdebian.org", "203.0.113.250", false},             // look-alike
      {"debian.org.example.com", "203.0.113.250", false},
      {"mail-ed1-f41.google.com", "203.0.113.250", true},
      {"googlemail.com.example", "203.0.113.250", false},
      {"smtp12.orange.fr", "203.0.113.250", true},           // /^smtp\d+\.orange\.fr$/
      {"smtpx.orange.fr", "203.0.113.250", false},
      {"fallback7.mail.ru", "203.0.113.250", true},
      {"mail-db3eur04on0101.outbound.protection.outlook.com", "203.0.113.250", true},
      {"a48-108.smtp-out.amazonses.com", "203.0.113.250", true},
      {"unknown", "51.4.72.17", true},                       // 51.4.72.0/24
      {"unknown", "51.4.73.17", false},
      {"unknown", "195.235.39.9", true},                     // partial "195.235.39"
      {"unknown", "193.77.126.208", true},
      {"unknown", "193.77.126.209", false},
      {"unknown", "198.2.140.1", true},                      // 198.2.128.0/18
      {"unknown", "2a01:4180:4051:800::25", true},           // 2a01:4180:4051:0800::/64
      {"unknown", "2a01:4180:4051:801::25", false},
      {"unknown", "203.0.113.250", false},
      {"mx.example.com", "192.0.2.1", false},
  };
  for (const auto& c : cases) EXPECT_EQ(w.matches(c.name, ip(c.ip)), c.listed) << c.name << " [" << c.ip << "]";
  RecipientWhitelist r;
  ASSERT_NO_THROW(r.load({{kData + "whitelist_recipients", true}}));
  EXPECT_TRUE(r.matches("postmaster@example.org"));
  EXPECT_TRUE(r.matches("abuse@example.org"));
  EXPECT_FALSE(r.matches("user@example.org"));
}

}  // namespace
}  // namespace postseal::greylist

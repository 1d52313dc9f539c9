// redaction_key_test.cpp - the redaction key file (core/dmarc_report/redaction_key.hpp): made
// 0600 with the fresh octets when absent, the same key read back on the next start whatever
// fresh octets that start brings (an address redacts alike after a restart); a file that group
// or others may access, a wrong length, non-hex text or a missing directory refused, naming
// the file.
#include "core/dmarc_report/redaction_key.hpp"

#include "tests/unit/state/test_backends.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace postseal::dmarc_report {
namespace {

namespace fs = std::filesystem;

const std::string kFirst(kRedactionKeyOctets, '\x01');
const std::string kSecond(kRedactionKeyOctets, '\xfe');

class RedactionKey : public ::testing::Test {
 protected:
  std::string write(const std::string& text, fs::perms mode) {
    std::ofstream(path_) << text;
    fs::permissions(path_, mode);
    return path_;
  }
  state::test::TempDir dir_;
  std::string path_ = (dir_.path() / "dmarc-redact.key").string();
};

TEST_F(RedactionKey, MadeOnceThenReadBack) {
  auto made = load_or_make_redaction_key(path_, kFirst);
  ASSERT_TRUE(made.has_value()) << made.error();
  EXPECT_EQ(*made, kFirst);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.size(), kRedactionKeyFileOctets);
  EXPECT_EQ(text.substr(0, 4), "0101");
  auto again = load_or_make_redaction_key(path_, kSecond);  // the next start
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(*again, kFirst);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_.path())) ++files;
  EXPECT_EQ(files, 1u);  // no temporary file left behind
}

TEST_F(RedactionKey, BadFilesAreRefusedNamingThem) {
  const std::string hex(2 * kRedactionKeyOctets, 'a');
  struct Case {
    std::string text;
    fs::perms mode;
    std::string want;
  } cases[] = {
      {hex + "\n", fs::perms::owner_read | fs::perms::group_read, "group or others may access it"},
      {hex + "\n", fs::perms::owner_read | fs::perms::others_read, "group or others may access it"},
      {hex, fs::perms::owner_read, "not a redaction key"},
      {hex + "a\n", fs::perms::owner_read, "not a redaction key"},
      {std::string(2 * kRedactionKeyOctets, 'g') + "\n", fs::perms::owner_read,
       "not a redaction key"},
      {"", fs::perms::owner_read, "not a redaction key"},
  };
  for (const auto& c : cases) {
    fs::remove(path_);
    auto got = load_or_make_redaction_key(write(c.text, c.mode), kFirst);
    ASSERT_FALSE(got.has_value()) << c.want;
    EXPECT_NE(got.error().find(path_ + ": " + c.want), std::string::npos) << got.error();
  }
  auto good = load_or_make_redaction_key(write(hex + "\n", fs::perms::owner_read), kFirst);
  ASSERT_TRUE(good.has_value()) << good.error();
  EXPECT_EQ(*good, std::string(kRedactionKeyOctets, '\xaa'));
}

TEST_F(RedactionKey, MissingDirectoryIsAnError) {
  const std::string path = (dir_.path() / "absent" / "dmarc-redact.key").string();
  auto got = load_or_make_redaction_key(path, kFirst);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().find("No such file or directory"), std::string::npos) << got.error();
}

}  // namespace
}  // namespace postseal::dmarc_report

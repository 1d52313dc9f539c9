// config_test.cpp - the config table: declared keys, defaults, and the errors an admin sees.
#include "core/util/config.hpp"
#include "core/util/config_changes.hpp"
#include "core/util/errors.hpp"
#include "core/util/read_file.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>

namespace postseal::config {
namespace {

const std::array<Key, 6> kTestKeys = {{
    {"test.listen", Type::string, "\"127.0.0.1:10027\"", 0, 0, "where to listen"},
    {"test.max_connections", Type::integer, "100", 1, 10000, "sessions at once"},
    {"test.verbose", Type::boolean, "false", 0, 0, "log more"},
    {"test.local_domains", Type::strings, "[]", 0, 0, "never rewritten"},
    {"test.domain", Type::tables, "[]", 0, 0, "signing domains"},
    {"test.domain[].selector", Type::string, "\"default\"", 0, 0, "selector"},
}};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { declare(kTestKeys); }
};

TEST_F(ConfigTest, DefaultsApplyWhenKeysAreAbsent) {
  auto f = File::parse("", "t.toml");
  EXPECT_EQ(f.string("test.listen"), "127.0.0.1:10027");
  EXPECT_EQ(f.integer("test.max_connections"), 100);
  EXPECT_FALSE(f.boolean("test.verbose"));
  EXPECT_TRUE(f.strings("test.local_domains").empty());
}

TEST_F(ConfigTest, ValuesFromTheFile) {
  auto f = File::parse(
      "[test]\nmax_connections = 5\nlocal_domains = [\"a.example\", \".b.example\"]\n"
      "[[test.domain]]\nselector = \"s1\"\n[[test.domain]]\n",
      "t.toml");
  EXPECT_EQ(f.integer("test.max_connections"), 5);
  EXPECT_EQ(f.strings("test.local_domains").size(), 2u);
  auto tables = f.tables("test.domain");
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(table_string(*tables[0], "selector", "test.domain[].selector"), "s1");
  EXPECT_EQ(table_string(*tables[1], "selector", "test.domain[].selector"), "default");
}

// expect_config_error - parsing `text` fails with exit 78 and a message containing `want`.
void expect_config_error(const std::string& text, const std::string& want) {
  try {
    File::parse(text, "/etc/postseal/postseal.toml");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
}

TEST_F(ConfigTest, ErrorsNameFileLineAndKey) {
  expect_config_error("[test]\nlisten_on = \"x\"\n",
                      "/etc/postseal/postseal.toml, line 2: unknown key 'test.listen_on'");
  expect_config_error("[test]\nmax_connections = \"5\"\n", "'test.max_connections' must be an integer");
  expect_config_error("[test]\nmax_connections = 0\n", "out of range [1, 10000]");
  expect_config_error("[[test.domain]]\nselectr = \"x\"\n", "unknown key 'test.domain[].selectr'");
  expect_config_error("[test\n", "/etc/postseal/postseal.toml, line 1");
}

TEST_F(ConfigTest, MissingFileIsAConfigError) {
  try {
    File::load("/nonexistent/postseal.toml");
    ADD_FAILURE();
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/postseal.toml"), std::string::npos);
  }
}

// expect_load_error - File::load(path) fails with exit 78 and a message containing `want`.
void expect_load_error(const std::string& path, const std::string& want) {
  try {
    File::load(path);
    ADD_FAILURE() << path << " loaded";
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
}

TEST_F(ConfigTest, ADirectoryIsNotAnEmptyConfig) {
  const std::string dir = ::testing::TempDir();
  expect_load_error(dir, "cannot read config file " + dir + ": Is a directory");
}

TEST_F(ConfigTest, ReadsAreCappedAtOneMebibyte) {
  EXPECT_EQ(kMaxFileOctets, 1024u * 1024u);
  const auto start = std::chrono::steady_clock::now();
  expect_load_error("/dev/zero", "cannot read config file /dev/zero: larger than 1048576 octets (the limit)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // a regular file one octet over the cap, and one at it (a comment: valid TOML)
  const std::string path = ::testing::TempDir() + "/big.toml";
  std::string text(kMaxFileOctets, '#');
  text.back() = '\n';
  std::ofstream(path, std::ios::binary) << text;
  EXPECT_NO_THROW(File::load(path));
  std::ofstream(path, std::ios::binary) << text << "\n";
  expect_load_error(path, "larger than 1048576 octets");
  std::remove(path.c_str());
}

TEST_F(ConfigTest, AFifoDoesNotBlock) {
  const std::string path = ::testing::TempDir() + "/fifo.toml";
  std::remove(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  expect_load_error(path, "cannot read config file " + path + ": not a regular file");
  std::remove(path.c_str());
}

TEST(ReadLocalFile, KeysAndSecretsMustBeRegularFiles) {
  auto dev = read_local_file("/dev/null", 10, FileKind::regular);
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error(), "not a regular file");
  auto any = read_local_file("/dev/null", 10, FileKind::any_readable);
  ASSERT_TRUE(any);
  EXPECT_EQ(*any, "");
  auto missing = read_local_file("/nonexistent/x", 10, FileKind::regular);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "No such file or directory");
}

TEST(DefaultPath, GivenPathWinsElseTheDefaultWhenItExists) {
  EXPECT_EQ(resolve_path("/x.toml"), "/x.toml");
  std::error_code ec;
  EXPECT_EQ(resolve_path(""), std::filesystem::exists(kDefaultPath, ec) ? std::string(kDefaultPath) : "");
}

// changed (config_changes.hpp): the keys a SIGHUP cannot apply are compared between the
// start-up file and the reread one, by value (a key written out at its default is no change),
// each type.
TEST_F(ConfigTest, ChangedNamesTheKeysWhoseValuesDiffer) {
  const std::vector<std::string> keys{"test.listen", "test.max_connections", "test.verbose",
                                      "test.local_domains", "test.domain"};
  struct Case {
    std::string reread;
    std::vector<std::string> want;
  };
  const auto running = File::parse("[test]\nmax_connections = 50\n", "a.toml");
  const Case cases[] = {
      {"[test]\nmax_connections = 50\n", {}},
      {"[test]\nmax_connections = 50\nlisten = \"127.0.0.1:10027\"\nverbose = false\n", {}},
      {"", {"test.max_connections"}},
      {"[test]\nmax_connections = 50\nlisten = \"127.0.0.1:2525\"\n", {"test.listen"}},
      {"[test]\nverbose = true\nlocal_domains = [\"a.example\"]\nmax_connections = 50\n",
       {"test.verbose", "test.local_domains"}},
      {"[test]\nmax_connections = 50\n[[test.domain]]\nselector = \"s1\"\n", {"test.domain"}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(changed(running, File::parse(c.reread, "b.toml"), keys), c.want) << c.reread;
}

}  // namespace
}  // namespace postseal::config

namespace postseal::config {

TEST(ConfigSections, AnEmptySectionOfDeclaredKeysIsFine) {
  static const Key keys[] = {{"empty_section.key", Type::string, "\"\"", 0, 0, "a key"}};
  declare(keys);
  EXPECT_NO_THROW(File::parse("[empty_section]\n", "t.toml"));
  EXPECT_THROW(File::parse("[no_such_section]\n", "t.toml"), StartupError);
}

}  // namespace postseal::config

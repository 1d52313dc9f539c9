// secrets_test.cpp - the secrets file: format, limits, permission check.
#include "srs/secrets.hpp"

#include "core/util/errors.hpp"
#include "srs/codec.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace postseal::srs {
namespace {

TEST(Secrets, Parses) {
  auto s = parse_secrets("first secret\r\n\nsecond\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (std::vector<std::string>{"first secret", "second"}));
  EXPECT_EQ(parse_secrets("only").value(), std::vector<std::string>{"only"});
  EXPECT_FALSE(parse_secrets(""));
  EXPECT_FALSE(parse_secrets("\n\r\n"));
}

TEST(Secrets, LimitsHold) {
  EXPECT_TRUE(parse_secrets(std::string(kMaxSecretOctets, 's')));
  EXPECT_FALSE(parse_secrets(std::string(kMaxSecretOctets + 1, 's')));
  std::string many;
  for (std::size_t i = 0; i < kMaxSecrets; ++i) many += "s" + std::to_string(i) + "\n";
  EXPECT_TRUE(parse_secrets(many));
  EXPECT_FALSE(parse_secrets(many + "one-more\n"));
}

TEST(Secrets, RefusesFilesOthersCanRead) {
  char dir[] = "/tmp/postseal-srs-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/secret";
  std::ofstream(path) << "tops3cr3t\n";
  ::chmod(path.c_str(), 0640);
  try {
    load_secrets(path);
    ADD_FAILURE() << "group-readable secrets file accepted";
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitNoPerm);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(load_secrets(path), std::vector<std::string>{"tops3cr3t"});
  EXPECT_THROW(load_secrets(std::string(dir) + "/missing"), StartupError);
  ::unlink(path.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace postseal::srs

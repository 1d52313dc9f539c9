// config_lines_test.cpp - the shared reader: each syntax's rules and the line and count limits.
#include "import/config_lines.hpp"

#include <gtest/gtest.h>

namespace postseal::migrate {
namespace {

TEST(ConfigLines, NameValueCutsAtHashAnywhere) {
  auto rs =
      read_settings("Syslog\t\tyes\n# x\n\nOversignHeaders From,To # oversign\nSocket local:/a#b\n",
                    Syntax::name_value);
  ASSERT_EQ(rs.settings.size(), 3u);
  EXPECT_EQ(rs.settings[0].name, "Syslog");
  EXPECT_EQ(rs.settings[0].value, "yes");
  EXPECT_EQ(rs.settings[1].line, 4u);
  EXPECT_EQ(rs.settings[1].value, "From,To");
  EXPECT_EQ(rs.settings[2].value, "local:/a");
}

TEST(ConfigLines, NameEqualsNeedsExactlyOneEquals) {
  auto rs = read_settings("debugLevel = 1 \nTestOnly\nReason_Message = a=b\r\nHELO_reject=Fail\n",
                          Syntax::name_equals);
  ASSERT_EQ(rs.settings.size(), 2u);
  EXPECT_EQ(rs.settings[0].value, "1");
  EXPECT_EQ(rs.settings[1].name, "HELO_reject");
  EXPECT_EQ(rs.settings[1].line, 4u);
  ASSERT_EQ(rs.malformed.size(), 2u);
  EXPECT_EQ(rs.malformed[0].line, 2u);
  EXPECT_EQ(rs.malformed[1].line, 3u);
}

TEST(ConfigLines, ShellQuotesAndComments) {
  auto rs = read_settings(
      "SRS_SEPARATOR==\nSRS_SECRET='/a b'\nX=\"q\\\"x\" # c\nexport RUN_AS=u\n"
      "#SRS_DOMAIN=x\nexport\tW=y\nY=`postconf -h mydomain`\nrm -rf /\nZ=\"open\n",
      Syntax::shell);
  ASSERT_EQ(rs.settings.size(), 6u);
  EXPECT_EQ(rs.settings[0].value, "=");
  EXPECT_EQ(rs.settings[1].value, "/a b");
  EXPECT_EQ(rs.settings[2].value, "q\"x");
  EXPECT_EQ(rs.settings[3].name, "RUN_AS");
  EXPECT_EQ(rs.settings[4].value, "y");
  EXPECT_EQ(rs.settings[5].value,
            "`postconf -h mydomain`");  // kept as written: the caller reports it
  ASSERT_EQ(rs.malformed.size(), 2u);
  EXPECT_EQ(rs.malformed[0].line, 8u);
  EXPECT_EQ(rs.malformed[1].why, "unclosed quote");
}

TEST(ConfigLines, ConfuseListsSpanLinesAndBlockComments) {
  auto rs = read_settings(
      "domains = { \"a.example\", # first\n  b.example\n}\n/* x = 1\n y = 2 */\n"
      "socketmap = unix:/s // c\nsecrets-file = \"/e s\"\nbad\nlist = { \"x\"\n",
      Syntax::confuse);
  ASSERT_EQ(rs.settings.size(), 3u);
  EXPECT_TRUE(rs.settings[0].is_list);
  EXPECT_EQ(rs.settings[0].list, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(rs.settings[1].line, 6u);
  EXPECT_EQ(rs.settings[1].value, "unix:/s");
  EXPECT_EQ(rs.settings[2].value, "/e s");
  ASSERT_EQ(rs.malformed.size(), 2u);
  EXPECT_EQ(rs.malformed[0].line, 8u);
  EXPECT_EQ(rs.malformed[1].line, 9u);
}

TEST(ConfigLines, LongLineIsNotRead) {
  std::string text = "A " + std::string(kMaxLineOctets, 'x') + "\nB " +
                     std::string(kMaxLineOctets - 2, 'y') + "\n";
  auto rs = read_settings(text, Syntax::name_value);
  ASSERT_EQ(rs.settings.size(), 1u);
  EXPECT_EQ(rs.settings[0].name, "B");
  ASSERT_EQ(rs.malformed.size(), 1u);
  EXPECT_EQ(rs.malformed[0].line, 1u);
}

TEST(ConfigLines, SettingsAreCapped) {
  std::string text;
  for (std::size_t i = 0; i < kMaxSettings + 5; ++i) text += "K v\n";
  auto rs = read_settings(text, Syntax::name_value);
  EXPECT_EQ(rs.settings.size(), kMaxSettings);
  ASSERT_EQ(rs.malformed.size(), 1u);
  EXPECT_EQ(rs.malformed[0].line, kMaxSettings + 1);
}

TEST(ConfigLines, LinesThatAreNotUtf8AreNotRead) {
  // postseal.toml is UTF-8: a Latin-1 value could not be written into it (found by
  // fuzz/import_config_fuzz.cpp).
  auto rs = read_settings("Tag caf\xe9\nTag caf\xc3\xa9\nA \xc0\xaf\nB \xed\xa0\x80\nC \xe2\x82\n",
                          Syntax::name_value);
  ASSERT_EQ(rs.settings.size(), 1u);
  EXPECT_EQ(rs.settings[0].line, 2u);
  ASSERT_EQ(rs.malformed.size(), 4u);
  EXPECT_EQ(rs.malformed[0].line, 1u);
}

TEST(ConfigLines, SplitItems) {
  EXPECT_EQ(split_items(" a, b,,c ,", ","), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_items(".example.com, example.org", " ,"),
            (std::vector<std::string>{".example.com", "example.org"}));
}

}  // namespace
}  // namespace postseal::migrate

// tag_list_test.cpp - RFC 6376 3.2 tag=value lists: FWS handling, strict names, duplicates,
// the kMaxTags / kMaxTagListBytes limits, and the one FWS rule (strip_fws, trim_fws) and
// colon-list splitter every tag value uses.
#include "core/mail/tag_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::mail {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

TEST(TagList, Parses) {
  struct { std::string in; Tags want; } cases[] = {
      {"v=1; a=rsa-sha256", {{"v", "1"}, {"a", "rsa-sha256"}}},
      {"v=1;", {{"v", "1"}}},
      {" v = 1 ;\r\n\ta=b ;", {{"v", "1"}, {"a", "b"}}},
      {"h=from : to :\r\n subject", {{"h", "from : to :\r\n subject"}}},
      {"b=abc\r\n def; x_1=", {{"b", "abc\r\n def"}, {"x_1", ""}}},
      {"p=", {{"p", ""}}},
      {"", {}},
      {"v=DKIM1;; p=x", {{"v", "DKIM1"}, {"p", "x"}}},
      {"n=a=b", {{"n", "a=b"}}},
  };
  for (const auto& c : cases) {
    auto got = parse_tag_list(c.in);
    ASSERT_TRUE(got.has_value()) << c.in;
    EXPECT_EQ(got->tags, c.want) << c.in;
  }
}

TEST(TagList, Rejects) {
  struct { std::string in; TagListError want; } cases[] = {
      {"v=1; v=1", TagListError::duplicate_tag},
      {"v=1; 1a=2", TagListError::bad_tag_name},
      {"v=1; _a=2", TagListError::bad_tag_name},
      {"v=1; a-b=2", TagListError::bad_tag_name},
      {"v=1; a b=2", TagListError::bad_tag_name},
      {"=2", TagListError::bad_tag_name},
      {"v=1; novalue", TagListError::missing_equals},
  };
  for (const auto& c : cases) {
    auto got = parse_tag_list(c.in);
    ASSERT_FALSE(got.has_value()) << c.in;
    EXPECT_EQ(got.error(), c.want) << c.in << ": " << to_string(got.error());
  }
}

TEST(TagList, CaseSensitiveGet) {
  auto t = parse_tag_list("v=1; V=2");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->get("v"), "1");
  EXPECT_EQ(t->get("V"), "2");
  EXPECT_FALSE(t->get("x").has_value());
}

TEST(TagList, Limits) {
  std::string at_limit, over_limit;
  for (std::size_t i = 0; i < kMaxTags; ++i) at_limit += "t" + std::to_string(i) + "=x;";
  over_limit = at_limit + "z=y";
  EXPECT_TRUE(parse_tag_list(at_limit).has_value());
  EXPECT_EQ(parse_tag_list(over_limit).error(), TagListError::too_many_tags);
  std::string big = "p=" + std::string(kMaxTagListBytes - 2, 'A');
  EXPECT_TRUE(parse_tag_list(big).has_value());
  EXPECT_EQ(parse_tag_list(big + "A").error(), TagListError::too_large);
}

TEST(TagList, FwsIsSpTabCrLf) {
  EXPECT_EQ(strip_fws(" a\tb\r\n c "), "abc");
  EXPECT_EQ(strip_fws(std::string("a\vb\0c", 5)), std::string("a\vb\0c", 5));  // not FWS
  EXPECT_EQ(trim_fws("\r\n\t a b \t\r\n"), "a b");
  EXPECT_EQ(trim_fws(" \t "), "");
}

TEST(TagList, ColonListsKeepEmptyEntries) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_colon_list("from : to:\r\n subject"), (V{"from", "to", "subject"}));
  EXPECT_EQ(split_colon_list("a::b:"), (V{"a", "", "b", ""}));
  EXPECT_EQ(split_colon_list(""), (V{""}));
}

}  // namespace
}  // namespace postseal::mail

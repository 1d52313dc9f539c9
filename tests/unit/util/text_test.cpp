// text_test.cpp - printable(), trim(), iequals().
#include "core/util/text.hpp"

#include <gtest/gtest.h>

namespace postseal {

TEST(Printable, ControlCharactersBecomeQuestionMarks) {
  EXPECT_EQ(printable("a\r\nb\0c", 10), "a??b");
  EXPECT_EQ(printable(std::string_view("a\r\nb\0c", 6), 10), "a??b?c");
}

TEST(Printable, TruncatesAtLimit) { EXPECT_EQ(printable("abcdef", 3), "abc..."); }

TEST(HasControl, FindsWhatPrintableReplaces) {
  using namespace std::string_literals;
  for (const auto& s : {"a\0b"s, "a\rb"s, "\n"s, "\x7f"s, "\x1b[0m"s}) EXPECT_TRUE(has_control(s));
  for (const auto& s : {""s, "a b"s, "alice@example.org"s, "caf\xc3\xa9"s}) EXPECT_FALSE(has_control(s));
}

TEST(QuotedString, EscapesQuoteAndBackslash) {
  EXPECT_EQ(quoted_string(""), "\"\"");
  EXPECT_EQ(quoted_string("a b"), "\"a b\"");
  EXPECT_EQ(quoted_string("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
}

TEST(Trim, StripsSpaceAndTab) { EXPECT_EQ(trim(" \tab c\t "), "ab c"); }

TEST(IEquals, IgnoresAsciiCase) {
  EXPECT_TRUE(iequals("From", "fROM"));
  EXPECT_FALSE(iequals("From", "From "));
}

TEST(Text, SplitList) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_list("a, b c\td"), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(split_list(",, a ,"), (V{"a"}));
  EXPECT_EQ(split_list(""), V{});
  EXPECT_EQ(split_list(" ,\t"), V{});
}

}  // namespace postseal

// header_test.cpp - splitting a header block into fields, with the named limits.
#include "core/mail/header.hpp"

#include <gtest/gtest.h>

namespace postseal::mail {

TEST(HeaderBlock, SplitsFieldsAndKeepsFolding) {
  auto fields = parse_header_block("From: a@example.com\r\nSubject: one\r\n two\r\nTo:b@x\r\n");
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[1].raw, "Subject: one\r\n two");
  EXPECT_EQ((*fields)[1].name(), "Subject");
  EXPECT_EQ((*fields)[2].value(), "b@x");
  EXPECT_TRUE((*fields)[0].is("from"));
  EXPECT_EQ(count_fields(*fields, "FROM"), 1u);
}

TEST(HeaderBlock, RefusesBrokenInput) {
  struct Case {
    std::string in;
    HeaderError want;
  } cases[] = {
      {" leading\r\n", HeaderError::leading_continuation},
      {"no colon here\r\n", HeaderError::no_colon},
      {": empty name\r\n", HeaderError::no_colon},
      {std::string("A: b\0c\r\n", 8), HeaderError::nul_byte},
      {"A: " + std::string(kMaxLineOctets, 'x') + "\r\n", HeaderError::line_too_long},
      {"X: y\rFrom: evil@attacker.example\r\n", HeaderError::bare_cr},
      {"X: y\r\n\r", HeaderError::bare_cr},
      {"X: y\r\n \rz\r\n", HeaderError::bare_cr},
  };
  for (const auto& c : cases) {
    auto got = parse_header_block(c.in);
    ASSERT_FALSE(got.has_value()) << c.in.substr(0, 20);
    EXPECT_EQ(got.error(), c.want) << to_string(got.error());
  }
}

TEST(HeaderBlock, FieldCountLimitHolds) {
  std::string block;
  for (std::size_t i = 0; i < kMaxHeaderFields; ++i) block += "X-A: 1\r\n";
  EXPECT_TRUE(parse_header_block(block).has_value());
  block += "X-A: 1\r\n";
  auto got = parse_header_block(block);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error(), HeaderError::too_many_fields);
}

TEST(HeaderBlock, SizeLimitHolds) {
  std::string block = "X-A: " + std::string(kMaxHeaderBlockBytes, 'x') + "\r\n";
  auto got = parse_header_block(block);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error(), HeaderError::too_large);
}

}  // namespace postseal::mail

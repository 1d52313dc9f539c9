// tcp_table_test.cpp - tcp_table lines, %XX coding and replies (postsrsd 1.x compatible).
#include "srs/tcp_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::srs {
namespace {

TEST(TcpTable, ParsesGetLines) {
  struct Case {
    std::string line;
    std::string key;
  };
  const Case cases[] = {
      {"get alice@example.com", "alice@example.com"},
      {"get alice@example.com\r", "alice@example.com"},
      {"GET a%20b@example.com", "a b@example.com"},
      {"get 100%25@example.com", "100%@example.com"},
      {"get %3d%3D", "=="},
      {"get ", ""},
  };
  for (const auto& c : cases) {
    auto k = parse_tcp_request(c.line);
    ASSERT_TRUE(k) << c.line << ": " << k.error();
    EXPECT_EQ(*k, c.key);
  }
}

TEST(TcpTable, RefusesBadLines) {
  for (const char* bad : {"get a%", "get a%2", "get a%zz", "get a%2g", "put a b", "get", "", "fetch a",
                          "geta@b", "get a%00b@example.org", "get a%0Ab@example.org",
                          "get a%7Fb@example.org", "get a%1Bb@example.org"}) {
    EXPECT_FALSE(parse_tcp_request(bad)) << bad;
  }
}

TEST(TcpTable, LineLimitHolds) {
  const std::string fits = "get " + std::string(kMaxLineOctets - 5, 'a');  // + '\n' = limit
  EXPECT_TRUE(parse_tcp_request(fits));
  EXPECT_FALSE(parse_tcp_request(fits + "a"));
}

TEST(TcpTable, EncodesReplies) {
  EXPECT_EQ(tcp_reply(200, "SRS0=PGkz=G3=example.com=alice@fwd.example"),
            "200 SRS0=PGkz=G3=example.com=alice@fwd.example\n");
  EXPECT_EQ(tcp_reply(500, "not found"), "500 not%20found\n");
  EXPECT_EQ(tcp_reply(500, "a\nb%\x80"), "500 a%0Ab%25%80\n");
  EXPECT_EQ(*url_decode(url_encode("x y\n%\x01\xff")), "x y\n%\x01\xff");
}

}  // namespace
}  // namespace postseal::srs

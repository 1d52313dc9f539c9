// netstring_test.cpp - netstring framing, including every malformed input of docs/security.md 39.
#include "srs/netstring.hpp"
#include "srs/socketmap.hpp"

#include "core/util/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::srs {
namespace {

using Status = NetstringParse::Status;

TEST(Netstring, ParsesCompleteAndIncomplete) {
  struct Case {
    std::string in;
    Status want;
    std::string payload;
    std::size_t consumed;
  };
  const Case cases[] = {
      {"3:abc,", Status::complete, "abc", 6},
      {"0:,", Status::complete, "", 3},
      {"3:abc,7:forward", Status::complete, "abc", 6},
      {"11:forward a@b,", Status::complete, "forward a@b", 15},
      {"", Status::incomplete, "", 0},
      {"1", Status::incomplete, "", 0},
      {"3:ab", Status::incomplete, "", 0},
      {"3:abc", Status::incomplete, "", 0},  // the ',' may still come
      {"999:short,", Status::incomplete, "", 0},
  };
  for (const auto& c : cases) {
    auto p = parse_netstring(c.in, kMaxQueryOctets);
    EXPECT_EQ(p.status, c.want) << c.in;
    EXPECT_EQ(std::string(p.payload), c.payload) << c.in;
    EXPECT_EQ(p.consumed, c.consumed) << c.in;
  }
}

TEST(Netstring, RefusesMalformedInput) {
  for (const char* in : {"99999999999999999999:", "0x1:a,", "-1:", "3:abcd", "3:abc;", ":a,",
                         "+3:abc,", " 3:abc,", "3 :abc,", "10001:", "1000000000:"}) {
    auto p = parse_netstring(in, kMaxQueryOctets);
    EXPECT_EQ(p.status, Status::error) << in;
    EXPECT_FALSE(p.error.empty()) << in;
  }
}

TEST(Netstring, LengthLimitHolds) {
  std::string at_limit = std::to_string(kMaxQueryOctets) + ":" + std::string(kMaxQueryOctets, 'x') + ",";
  EXPECT_EQ(parse_netstring(at_limit, kMaxQueryOctets).status, Status::complete);
  EXPECT_EQ(parse_netstring(std::to_string(kMaxQueryOctets + 1) + ":", kMaxQueryOctets).status,
            Status::error);
  // the digit limit: a length of kMaxNetstringDigits digits is read, one more is refused
  EXPECT_EQ(parse_netstring(std::string(kMaxNetstringDigits, '0') + ":,", 10).status, Status::complete);
  EXPECT_EQ(parse_netstring(std::string(kMaxNetstringDigits + 1, '0') + ":,", 10).status, Status::error);
}

TEST(Netstring, NeverReadsPastTheBuffer) {
  const std::string full = "5:hello,";
  for (std::size_t n = 0; n < full.size(); ++n) {
    // a view of a prefix: anything past it would be read from the rest of `full`
    auto p = parse_netstring(std::string_view(full).substr(0, n), kMaxQueryOctets);
    EXPECT_EQ(p.status, Status::incomplete) << n;
  }
}

TEST(Netstring, Encodes) {
  EXPECT_EQ(encode_netstring("OK a@b"), "6:OK a@b,");
  EXPECT_EQ(encode_netstring(""), "0:,");
}

TEST(Socketmap, ParsesRequests) {
  auto r = parse_socketmap_request("forward alice@example.com");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "forward");
  EXPECT_EQ(r->key, "alice@example.com");
  auto empty_key = parse_socketmap_request("reverse ");
  ASSERT_TRUE(empty_key);
  EXPECT_EQ(empty_key->key, "");
  for (const char* bad : {"forward", "", " alice@example.com"})
    EXPECT_FALSE(parse_socketmap_request(bad)) << bad;
  EXPECT_FALSE(parse_socketmap_request("forward " + std::string(kMaxQueryOctets, 'a')));
}

TEST(Socketmap, RefusesControlCharacters) {
  using namespace std::string_literals;
  for (const auto& bad : {"forward a\0b@example.org"s, "forward a\rb@example.org"s,
                          "forward a@example.org\n"s, "reverse a\x7f@example.org"s})
    EXPECT_FALSE(parse_socketmap_request(bad)) << printable(bad);
}

TEST(Socketmap, Replies) {
  EXPECT_EQ(socketmap_reply(SocketmapStatus::ok, "SRS0=x@y"), "11:OK SRS0=x@y,");
  EXPECT_EQ(socketmap_reply(SocketmapStatus::notfound, "ignored"), "9:NOTFOUND ,");
  EXPECT_EQ(socketmap_reply(SocketmapStatus::perm, "bad\r\nline"), "14:PERM bad??line,");
  EXPECT_EQ(socketmap_reply(SocketmapStatus::temp, "later"), "10:TEMP later,");
  // the reply limit holds: a value that would exceed it becomes PERM
  const std::string huge(kMaxReplyOctets, 'v');
  EXPECT_EQ(socketmap_reply(SocketmapStatus::ok, huge), encode_netstring("PERM reply too long"));
  const std::string fits(kMaxReplyOctets - 3, 'v');
  EXPECT_EQ(socketmap_reply(SocketmapStatus::ok, fits), encode_netstring("OK " + fits));
}

}  // namespace
}  // namespace postseal::srs

// address_list_test.cpp - the one CIDR list: both families, /0, /32, /128, IPv4-mapped
// addresses, bad entries named, the entry limit.
#include "core/net/address_list.hpp"

#include <gtest/gtest.h>

namespace postseal::net {
namespace {

TEST(Cidr, MatchTable) {
  struct Case {
    std::string cidr, ip;
    bool want;
  } cases[] = {
      {"192.0.2.0/24", "192.0.2.255", true},   {"192.0.2.0/24", "192.0.3.0", false},
      {"192.0.2.7", "192.0.2.7", true},        {"192.0.2.7", "192.0.2.8", false},
      {"192.0.2.7/32", "192.0.2.7", true},     {"192.0.2.7/32", "192.0.2.6", false},
      {"0.0.0.0/0", "203.0.113.1", true},      {"0.0.0.0/0", "2001:db8::1", false},
      {"10.0.0.0/9", "10.127.255.255", true},  {"10.0.0.0/9", "10.128.0.0", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true}, {"2001:db8::/32", "2001:db9::1", false},
      {"2001:db8::/32", "2001:db8::", true},   {"2001:db8::/32", "192.0.2.1", false},
      {"2001:db8::/33", "2001:db8:8000::1", false}, {"2001:db8::/33", "2001:db8:7fff::1", true},
      {"2001:db8::1", "2001:db8::1", true},    {"2001:db8::1", "2001:db8::2", false},
      {"2001:db8::1/128", "2001:db8::1", true}, {"2001:db8::1/128", "2001:db8::2", false},
      {"::/0", "2001:db8::1", true},           {"::/0", "192.0.2.1", false},
      {"192.0.2.0/24", "::ffff:192.0.2.9", true},  {"::ffff:192.0.2.0/120", "192.0.2.9", true},
      {"::ffff:192.0.2.0/120", "192.0.3.9", false}, {"::ffff:0.0.0.0/96", "203.0.113.1", true},
  };
  for (const auto& c : cases) {
    auto cidr = parse_cidr(c.cidr);
    ASSERT_TRUE(cidr) << c.cidr;
    EXPECT_EQ(cidr->contains(asio::ip::make_address(c.ip)), c.want) << c.cidr << " " << c.ip;
  }
}

TEST(Cidr, BadEntriesNamed) {
  for (std::string bad : {"192.0.2.0/33", "2001:db8::/129", "example.com", "192.0.2.0/", "192.0.2.0/x",
                          "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/ 8", "1.2.3.4/8 ", "10.0.0.0/4294967304",
                          "2001:db8::/99999999999999999999", "::ffff:192.0.2.0/95", "fe80::1%lo/64", "",
                          "/24", "192.0.2.0/24/8"}) {
    auto got = parse_cidr(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_NE(got.error().find("'" + bad + "'"), std::string::npos) << got.error();
  }
  AddressList list;
  auto r = list.add("192.0.2.0/24, bogus");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("bogus"), std::string::npos);
}

TEST(AddressList, MatchesTextAddresses) {
  AddressList list;
  ASSERT_TRUE(list.add("127.0.0.0/8 2001:db8::/32"));
  EXPECT_TRUE(list.matches(std::string_view("127.0.0.1")));
  EXPECT_TRUE(list.matches(std::string_view("::ffff:127.1.2.3")));
  EXPECT_TRUE(list.matches(std::string_view("2001:db8:1::25")));
  EXPECT_FALSE(list.matches(std::string_view("2001:db9::25")));
  EXPECT_FALSE(list.matches(std::string_view("::1")));
  EXPECT_FALSE(list.matches(std::string_view("unix")));
  EXPECT_FALSE(list.matches(std::string_view("")));
}

TEST(AddressList, LimitHolds) {
  AddressList list;
  std::string many;
  for (std::size_t i = 0; i < kMaxAddressListEntries; ++i) many += "10.0.0.1,";
  EXPECT_TRUE(list.add(many));
  EXPECT_EQ(list.size(), kMaxAddressListEntries);
  EXPECT_FALSE(list.add("10.0.0.2"));
}

TEST(Localhost, AlwaysRecognised) {
  EXPECT_TRUE(is_localhost(asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("127.255.0.9")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("::1")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("::ffff:127.0.0.2")));
  EXPECT_FALSE(is_localhost(asio::ip::make_address("128.0.0.1")));
  EXPECT_FALSE(is_localhost(asio::ip::make_address("::2")));
}

}  // namespace
}  // namespace postseal::net

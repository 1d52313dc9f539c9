// base64_test.cpp - the one base64 decoder (RFC 4648 4): round trips, whitespace, strict
// padding and trailing bits, and the caller's length limit; the cases the key loader, the
// DKIM-Signature parser and DomainKeys each tested for their own decoder before.
#include "core/crypto/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::crypto {
namespace {

constexpr std::size_t kLimit = 64 * 1024;

TEST(Base64, RoundTripAndRejects) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\x00\xff\x10"}) {
    EXPECT_EQ(base64_decode(base64_encode(s), kLimit), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode(" Zm9v\r\n YmE= ", kLimit), "fooba");
  for (const char* bad : {"Zm9", "Zm9v!", "Zg=a", "Z===", "Zm9vY"}) {
    EXPECT_FALSE(base64_decode(bad, kLimit).has_value()) << bad;
  }
}

TEST(Base64, DecodeStrict) {
  EXPECT_EQ(base64_decode("aGVsbG8=", kLimit), "hello");
  EXPECT_EQ(base64_decode(" aGVs\r\n\tbG8= ", kLimit), "hello");
  EXPECT_EQ(base64_decode("", kLimit), "");
  EXPECT_FALSE(base64_decode("aGVsbG8", kLimit).has_value());
  EXPECT_FALSE(base64_decode("aGVsbG9=", kLimit).has_value());  // non-zero trailing bits
  EXPECT_FALSE(base64_decode("aG=sbG8=", kLimit).has_value());
  EXPECT_FALSE(base64_decode("aGVsbG8===", kLimit).has_value());
  EXPECT_FALSE(base64_decode("QUJD=A==", kLimit).has_value());  // data after padding
  EXPECT_FALSE(base64_decode("QUJ", kLimit).has_value());       // not a multiple of 4
  EXPECT_EQ(base64_decode("QU\r\n JD", kLimit).value_or(""), "ABC");
}

TEST(Base64, CallersLimitHolds) {
  EXPECT_TRUE(base64_decode(std::string(kLimit, 'A'), kLimit).has_value());
  EXPECT_FALSE(base64_decode(std::string(kLimit + 4, 'A'), kLimit).has_value());
  // the limit counts the text as given, whitespace included
  EXPECT_FALSE(base64_decode(std::string(8, 'A') + "  ", 8).has_value());
  EXPECT_TRUE(base64_decode(std::string(8, 'A'), 8).has_value());
}

}  // namespace
}  // namespace postseal::crypto

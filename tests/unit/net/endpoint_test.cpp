// endpoint_test.cpp - listen/connect address forms administrators write.
#include "core/net/endpoint.hpp"

#include <gtest/gtest.h>

namespace postseal::net {

TEST(ParseEndpoint, AcceptsTheFormsAdminsWrite) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"127.0.0.1:10027", "127.0.0.1:10027"},
      {"inet:127.0.0.1:10003", "127.0.0.1:10003"},
      {"localhost:10040", "127.0.0.1:10040"},
      {"[::1]:10025", "[::1]:10025"},
      {"unix:/run/postseal/milter.sock", "unix:/run/postseal/milter.sock"},
      {"/var/spool/postfix/private/policy", "unix:/var/spool/postfix/private/policy"},
  };
  for (const auto& c : cases) {
    auto ep = parse_endpoint(c.in);
    ASSERT_TRUE(ep.has_value()) << c.in << ": " << ep.error();
    EXPECT_EQ(ep->str(), c.want);
  }
}

TEST(ParseEndpoint, RefusesBadOnesWithAReason) {
  for (const char* in : {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:12x",
                         "mail.example.com:25", "unix:relative", "[::1:25", ""}) {
    auto ep = parse_endpoint(in);
    EXPECT_FALSE(ep.has_value()) << in;
    if (!ep) {
      EXPECT_NE(ep.error().find("bad address"), std::string::npos);
    }
  }
  std::string long_path = "unix:/" + std::string(kMaxUnixPath, 'a');
  EXPECT_FALSE(parse_endpoint(long_path).has_value());
}

}  // namespace postseal::net

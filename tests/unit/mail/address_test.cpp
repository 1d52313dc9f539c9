// address_test.cpp - the one RFC 5322 mailbox parser: display names, comments, quoted strings,
// groups, obsolete routes; unparseable values; zero or several mailboxes; the limits; and the
// one-author rule (exactly one From with one mailbox) the signer and DMARC use.
#include "core/mail/address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::mail {
namespace {

TEST(Address, ParseMailboxes) {
  struct Case {
    std::string value;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {" alice@example.com", {"alice@example.com"}},
      {" Alice Example <alice@Example.COM.>", {"alice@example.com"}},
      {" \"Example, Alice\" <alice@example.com>", {"alice@example.com"}},
      {" alice@example.com (Alice <x@evil.test>)", {"alice@example.com"}},
      {" a@x.example, B <b@y.example>", {"a@x.example", "b@y.example"}},
      {" team: a@x.example, b@y.example;", {"a@x.example", "b@y.example"}},
      {" undisclosed-recipients:;", {}},
      {" \"odd local\"@example.com", {"\"odd local\"@example.com"}},
      {" <@relay.example:alice@example.com>", {"alice@example.com"}},
      {" Alice\r\n <alice@example.com>", {"alice@example.com"}},
  };
  for (const auto& c : cases) {
    auto got = parse_address_list(c.value);
    ASSERT_TRUE(got.has_value()) << c.value << ": " << got.error();
    std::vector<std::string> addrs;
    for (const auto& m : got->mailboxes) addrs.push_back(m.address());
    EXPECT_EQ(addrs, c.want) << c.value;
  }
}

// A quoted local part and its unquoted form (RFC 5322 3.4.1, RFC 5321 4.1.2): what the
// signer's sender rows compare.
TEST(Address, UnquotedLocalPart) {
  struct Case {
    std::string local, want;  // want: "!" + part of the error
  } cases[] = {
      {"alice", "alice"},
      {"\"alice\"", "alice"},
      {"\"john doe\"", "john doe"},
      {"\"john\\ doe\"", "john doe"},
      {"\"john\\\"doe\"", "john\"doe"},        // an escaped quote
      {"\"a\\\\b\"", "a\\b"},                // an escaped backslash
      {"\"john\".\"doe\"", "john.doe"},          // obs-local-part: quoted words
      {"\"john\r\n doe\"", "john doe"},          // folding inside quotes
      {"a+b.c", "a+b.c"},
      {"\"unterminated", "!unterminated"},
      {"\"x\\", "!backslash ends"},
      {"a\\b", "!backslash outside"},
  };
  for (const auto& c : cases) {
    auto got = unquoted_local_part(c.local);
    if (c.want.starts_with("!")) {
      ASSERT_FALSE(got.has_value()) << c.local;
      EXPECT_NE(got.error().find(c.want.substr(1)), std::string::npos) << c.local << ": " << got.error();
    } else {
      ASSERT_TRUE(got.has_value()) << c.local << ": " << got.error();
      EXPECT_EQ(*got, c.want) << c.local;
    }
  }
  // the parser keeps the local part as written; unquoting it gives the comparable form
  auto box = single_mailbox(" \"john\\ doe\"@example.com");
  ASSERT_TRUE(box.has_value()) << box.error();
  EXPECT_EQ(box->local_part, "\"john\\ doe\"");
  EXPECT_EQ(unquoted_local_part(box->local_part).value(), "john doe");
}

TEST(Address, UnparseableValues) {
  const std::string bad[] = {
      " Alice <alice@example.com",       // unterminated angle address
      " \"unterminated@example.com",     // unterminated quoted string
      " alice@example.com (comment",     // unbalanced comment
      " no-at-sign",                     // no address
      " alice@",                         // empty domain
      " alice@example.com..",            // an empty label (one final dot is allowed, not two)
      " alice@example..com",             // an empty label inside
      " alice@.example.com",             // an empty first label
      " ((((((((((((((((((x))))))))))))))))) a@b.example",  // deeper than kMaxCommentDepth
  };
  for (const auto& v : bad) EXPECT_FALSE(parse_address_list(v).has_value()) << v;
}

TEST(Address, MailboxLimitHolds) {
  std::string many;
  for (std::size_t i = 0; i < kMaxMailboxesPerField; ++i) many += " a@b.example,";
  EXPECT_TRUE(parse_address_list(many).has_value());
  many += " a@b.example, a@b.example";
  EXPECT_FALSE(parse_address_list(many).has_value());
}

TEST(Address, CommentDepthLimitHolds) {
  std::string open(kMaxCommentDepth, '('), close(kMaxCommentDepth, ')');
  EXPECT_TRUE(parse_address_list(" " + open + "x" + close + " a@b.example").has_value());
  EXPECT_FALSE(parse_address_list(" (" + open + "x" + close + ") a@b.example").has_value());
}

TEST(Address, GroupsAreMarked) {
  EXPECT_TRUE(parse_address_list(" team: a@x.example;")->has_group);
  EXPECT_TRUE(parse_address_list(" undisclosed-recipients:;")->has_group);
  EXPECT_FALSE(parse_address_list(" A <a@x.example>, b@y.example")->has_group);
  EXPECT_FALSE(parse_address_list(" \"a: b\" <a@x.example>")->has_group);
}

TEST(Address, SingleMailbox) {
  struct Case {
    std::string value;
    std::string want;  // the address, or "!" when there is not exactly one mailbox
  } cases[] = {
      {" A <a@Example.COM>", "a@example.com"},
      {" ", "!"},                              // zero mailboxes
      {" a@x.example, b@x.example", "!"},      // two
      {" team: a@x.example;", "!"},            // a group, even of one
      {" undisclosed-recipients:;", "!"},
      {" <a@x.example", "!"},                  // unparseable
  };
  for (const auto& c : cases) {
    auto got = single_mailbox(c.value);
    EXPECT_EQ(got ? got->address() : std::string("!"), c.want) << c.value;
  }
}

TEST(Address, AuthorIsTheOneMailboxOfTheOneFrom) {
  auto fields = [](std::string block) { return parse_header_block(block).value(); };
  EXPECT_EQ(author_mailbox(fields("To: x@y.example\r\nFrom: J <j@example.com>\r\n"))->address(),
            "j@example.com");
  EXPECT_EQ(author_mailbox(fields("To: x@y.example\r\n")).error(), "no From header");
  EXPECT_EQ(author_mailbox(fields("From: a@x.example\r\nfrom: b@x.example\r\n")).error(),
            "more than one From header");
  EXPECT_FALSE(author_mailbox(fields("From: a@x.example, b@x.example\r\n")).has_value());
  EXPECT_FALSE(author_mailbox(fields("From:\r\n")).has_value());
}

}  // namespace
}  // namespace postseal::mail

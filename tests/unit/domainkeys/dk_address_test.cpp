// dk_address_test.cpp - mailbox parsing and RFC 4870's Sender-else-From signing address.
#include "signer/domainkeys/dk_address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::domainkeys {
namespace {

TEST(DkAddress, ParseMailboxes) {
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
    auto got = parse_mailboxes(c.value);
    ASSERT_TRUE(got.has_value()) << c.value << ": " << got.error();
    std::vector<std::string> addrs;
    for (const auto& m : *got) addrs.push_back(m.address());
    EXPECT_EQ(addrs, c.want) << c.value;
  }
}

TEST(DkAddress, UnparseableValues) {
  const std::string bad[] = {
      " Alice <alice@example.com",       // unterminated angle address
      " \"unterminated@example.com",     // unterminated quoted string
      " alice@example.com (comment",     // unbalanced comment
      " no-at-sign",                     // no address
      " alice@",                         // empty domain
      " ((((((((((((((((((x))))))))))))))))) a@b.example",  // deeper than kMaxCommentDepth
  };
  for (const auto& v : bad) EXPECT_FALSE(parse_mailboxes(v).has_value()) << v;
}

TEST(DkAddress, MailboxLimitHolds) {
  std::string many;
  for (std::size_t i = 0; i < kMaxMailboxesPerField; ++i) many += " a@b.example,";
  EXPECT_TRUE(parse_mailboxes(many).has_value());
  many += " a@b.example, a@b.example";
  EXPECT_FALSE(parse_mailboxes(many).has_value());
}

std::expected<SendingAddress, std::string> address_of(const std::vector<std::string>& raws) {
  static std::vector<mail::HeaderField> fields;
  fields.clear();
  for (const auto& r : raws) fields.push_back(mail::HeaderField{r});
  std::vector<const mail::HeaderField*> ptrs;
  for (const auto& f : fields) ptrs.push_back(&f);
  return sending_address(ptrs);
}

TEST(DkAddress, SenderWinsOverFrom) {
  auto got = address_of({"From: a@author.example", "Sender: s@list.example"});
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ(got->mailbox.address(), "s@list.example");
  EXPECT_EQ(got->field, "sender");
}

TEST(DkAddress, FromWhenNoSender) {
  auto got = address_of({"To: x@y.example", "FROM: A <a@author.example>"});
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ(got->mailbox.address(), "a@author.example");
  EXPECT_EQ(got->field, "from");
}

TEST(DkAddress, AmbiguousOrMissingIsAnError) {
  const std::vector<std::vector<std::string>> bad = {
      {"To: x@y.example"},                                         // no From, no Sender
      {"From: a@x.example", "From: b@x.example"},                  // two From
      {"Sender: a@x.example", "Sender: b@x.example"},              // two Sender
      {"From: a@x.example, b@x.example"},                          // two mailboxes, no Sender
      {"From: a@x.example", "Sender: a@x.example, b@x.example"},   // Sender with two
      {"From: undisclosed:;"},                                     // no mailbox
  };
  for (const auto& fields : bad) {
    auto got = address_of(fields);
    EXPECT_FALSE(got.has_value()) << fields.front();
  }
  // two From are fine when a single Sender names the signer
  EXPECT_TRUE(address_of({"From: a@x.example, b@x.example", "Sender: a@x.example"}).has_value());
}

TEST(DkAddress, DomainCovers) {
  EXPECT_TRUE(domain_covers("example.com", "example.com"));
  EXPECT_TRUE(domain_covers("Example.COM.", "example.com"));
  EXPECT_TRUE(domain_covers("example.com", "mail.example.com"));
  EXPECT_FALSE(domain_covers("example.com", "badexample.com"));
  EXPECT_FALSE(domain_covers("mail.example.com", "example.com"));
  EXPECT_FALSE(domain_covers("example.com", "example.org"));
  EXPECT_FALSE(domain_covers("", "example.com"));
}

}  // namespace
}  // namespace postseal::domainkeys

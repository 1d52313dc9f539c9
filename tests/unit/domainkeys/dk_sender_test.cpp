// dk_sender_test.cpp - RFC 4870's Sender-else-From signing address and d= coverage.
#include "core/domainkeys/dk_sender.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::domainkeys {
namespace {

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

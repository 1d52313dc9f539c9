// key_test.cpp - the greylisting triplet (verifier/greylist/key.hpp): sender normalisation as
// postgrey 1.37 does it plus SRS, client networks /24 and /64 and exact, SPF-domain keying,
// the bound on store keys.
#include "verifier/greylist/key.hpp"

#include "core/state/store.hpp"

#include <gtest/gtest.h>

namespace postseal::greylist {
namespace {

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }

TEST(NormalizeSender, Table) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"User@Example.COM", "user@example.com"},
      {"no-at-sign", "no-at-sign"},
      // BATV (prvs=TAG=local and the reversed order some senders write)
      {"prvs=0123456789=alice@example.com", "alice@example.com"},
      {"prvs=alice=0123456789@example.com", "alice@example.com"},
      {"PRVS=4ABCDEF123=Bob@Example.org", "bob@example.org"},
      {"prvs=short=alice@example.com", "alice@example.com"},  // unsure: the standard order
      {"prvs=a=b=c@example.com", "prvs=a=b=c@example.com"},   // not three parts: kept
      // SRS0 / SRS1 (separators = + -): the original sender
      {"SRS0=HHH=TT=orig.example=alice@forwarder.example", "alice@orig.example"},
      {"srs0+abcd=zz=orig.example=alice@fwd.example", "alice@orig.example"},
      {"SRS1=XXXX=fwd1.example==HHH=TT=orig.example=bob@fwd2.example", "bob@orig.example"},
      {"SRS0=broken@fwd.example", "srs0=broken@fwd.example"},  // not SRS: kept
      {"srs0x=a=b=c=d@fwd.example", "srs0x=a=b=c=d@fwd.example"},
      // +extension (mailing-list VERP) and whole numbers
      {"list+bounces-123@lists.example.org", "list@lists.example.org"},
      {"bounce-12345-678@lists.example.org", "bounce-#-#@lists.example.org"},
      {"12345@example.com", "#@example.com"},
      {"user123@example.com", "user123@example.com"},       // digits inside a word stay
      {"a.123.b@example.com", "a.#.b@example.com"},
      {"foo_123@example.com", "foo_123@example.com"},       // '_' is a word character
      {"0100018c2f3a-4b5c-000000@amazonses.com", "0100018c2f3a-4b5c-#@amazonses.com"},
      {"bounce-7@one.example", "bounce-#@one.example"},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_sender(c.in), c.want) << c.in;
}

TEST(NormalizeSender, BoundedInput) {
  std::string huge(100000, 'a');
  EXPECT_LE(normalize_sender(huge + "@example.com").size(), kMaxAddressOctets);
  EXPECT_LE(normalize_recipient(huge).size(), kMaxAddressOctets);
}

TEST(NormalizeRecipient, LowerCase) { EXPECT_EQ(normalize_recipient("Falko@Example.DE"), "falko@example.de"); }

TEST(ClientNetwork, DefaultPrefixes) {
  KeyOptions o;
  EXPECT_EQ(client_network(ip("192.0.2.77"), o), "192.0.2.0/24");
  EXPECT_EQ(client_network(ip("192.0.2.1"), o), "192.0.2.0/24");
  EXPECT_EQ(client_network(ip("2001:db8:1:2:aaaa::1"), o), "2001:db8:1:2::/64");
  EXPECT_EQ(client_network(ip("::ffff:198.51.100.9"), o), "198.51.100.0/24");
}

TEST(ClientNetwork, ConfiguredAndExact) {
  KeyOptions o;
  o.ipv4_prefix = 20;
  o.ipv6_prefix = 48;
  EXPECT_EQ(client_network(ip("192.0.31.77"), o), "192.0.16.0/20");
  EXPECT_EQ(client_network(ip("2001:db8:1:2::1"), o), "2001:db8:1::/48");
  o.ipv4_prefix = 32;
  o.ipv6_prefix = 128;
  EXPECT_EQ(client_network(ip("192.0.2.77"), o), "192.0.2.77");
  EXPECT_EQ(client_network(ip("2001:db8::7"), o), "2001:db8::7");
}

TEST(Triplet, SameNetworkSameKey) {
  KeyOptions o;
  auto a = triplet_key(make_triplet(ip("192.0.2.7"), "Bounce-1@List.example", "R@Example.net", "", o));
  auto b = triplet_key(make_triplet(ip("192.0.2.200"), "bounce-2@list.example", "r@example.net", "", o));
  auto c = triplet_key(make_triplet(ip("192.0.3.7"), "bounce-1@list.example", "r@example.net", "", o));
  EXPECT_EQ(a, "greylist:t:192.0.2.0/24/bounce-#@list.example/r@example.net");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Triplet, SpfDomainKeying) {
  KeyOptions o;
  o.key_by_spf_domain = true;
  auto a = make_triplet(ip("192.0.2.7"), "x@ses.example", "r@example.net", "SES.example.", o);
  auto b = make_triplet(ip("203.0.113.9"), "x@ses.example", "r@example.net", "ses.example", o);
  EXPECT_EQ(a.client, "spf:ses.example");
  EXPECT_EQ(triplet_key(a), triplet_key(b));
  auto no_pass = make_triplet(ip("203.0.113.9"), "x@ses.example", "r@example.net", "", o);
  EXPECT_EQ(no_pass.client, "203.0.113.0/24");
  o.key_by_spf_domain = false;
  EXPECT_EQ(make_triplet(ip("192.0.2.7"), "x@ses.example", "r@example.net", "ses.example", o).client,
            "192.0.2.0/24");
}

TEST(Triplet, LongKeysAreHashedWithinTheStoreLimit) {
  KeyOptions o;
  o.key_by_spf_domain = true;
  std::string domain(250, 'd');
  auto t = make_triplet(ip("192.0.2.7"), std::string(300, 's') + "@x", std::string(300, 'r'), domain, o);
  auto key = triplet_key(t);
  EXPECT_LE(key.size(), state::kMaxKeyOctets);
  EXPECT_TRUE(key.starts_with("greylist:t:sha256:")) << key;
  auto other = make_triplet(ip("192.0.2.7"), std::string(300, 's') + "@x", "x" + std::string(299, 'r'), domain, o);
  EXPECT_NE(triplet_key(other), key);
}

TEST(ClientKey, NetworkNotSpfDomain) {
  KeyOptions o;
  EXPECT_EQ(client_key(ip("2001:db8:1:2::9"), o), "greylist:c:2001:db8:1:2::/64");
}

}  // namespace
}  // namespace postseal::greylist

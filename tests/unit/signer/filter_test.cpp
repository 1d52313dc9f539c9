// filter_test.cpp - signer/filter pieces: From-domain choice (SECURITY 15), the signing table,
// header limits (SECURITY 13), the spool (memory, then file), XFORWARD peer prefixes.
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "signer/commands.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/from_domain.hpp"
#include "core/relay/message_assembler.hpp"
#include "core/relay/spool.hpp"
#include "signer/filter/signing_table.hpp"

#include <gtest/gtest.h>

namespace postseal::signer {
namespace {
using relay::MessageAssembler;
using relay::kMaxHeaderFields;
using relay::Problem;
using relay::Spool;
using relay::problem_reply;
using relay::received_queue_id;

std::vector<mail::HeaderField> fields(std::string block) {
  return mail::parse_header_block(block).value();
}

TEST(FromDomain, ExactlyOneFromWithOneAddress) {
  struct Case {
    std::string block;
    std::string want;  // domain, or "!" for no domain
  } cases[] = {
      {"From: a@Example.COM\r\n", "example.com"},
      {"From: \"Smith, J <x@evil.example>\" <j@example.com>\r\n", "example.com"},
      {"From: J (comment@evil.example) <j@example.com>\r\n", "example.com"},
      {"From:\r\n <j@example.com>\r\n", "example.com"},
      {"To: a@example.com\r\n", "!"},
      {"From: a@example.com\r\nFrom: b@evil.example\r\n", "!"},
      {"From: a@example.com, b@evil.example\r\n", "!"},
      {"From: group: a@example.com;\r\n", "!"},
      {"From: nobody\r\n", "!"},
      {"From: a@exa mple..com\r\n", "!"},
  };
  for (const auto& c : cases) {
    auto got = from_domain(fields(c.block));
    EXPECT_EQ(got.has_value() ? *got : std::string("!"), c.want) << c.block;
  }
}

TEST(FromDomain, QueueIdFromReceived) {
  EXPECT_EQ(received_queue_id(fields("Received: from x by mx with ESMTP id 4F1A2B3C4D;\r\n\tMon\r\n")), "4F1A2B3C4D");
  EXPECT_EQ(received_queue_id(fields("Subject: x\r\n")), "");
}

TEST(SigningTable, ExactThenNearestParentWithSubdomains) {
  std::vector<DomainPolicy> p(3);
  p[0].domain = "example.com";
  p[0].subdomains = true;
  p[1].domain = "mail.example.com";
  p[2].domain = "other.example";
  SigningTable t(std::move(p));
  EXPECT_EQ(t.lookup("example.com")->domain, "example.com");
  EXPECT_EQ(t.lookup("a.example.com")->domain, "example.com");
  EXPECT_EQ(t.lookup("mail.example.com")->domain, "mail.example.com");
  EXPECT_EQ(t.lookup("a.other.example"), nullptr);
  EXPECT_EQ(t.lookup("badexample.com"), nullptr);
}

TEST(SigningTable, Canonicalization) {
  EXPECT_EQ(parse_canonicalization("relaxed/simple")->first, dkim::Canon::relaxed);
  EXPECT_EQ(parse_canonicalization("relaxed")->second, dkim::Canon::simple);
  EXPECT_FALSE(parse_canonicalization("loose/simple").has_value());
}

TEST(SigningTable, KeyOptionAndMissingKey) {
  auto k = parse_key_option("example.com:s1:/k/s1.private");
  EXPECT_EQ(k.selector, "s1");
  EXPECT_THROW(parse_key_option("example.com:/k"), StartupError);
  auto t = build_signing_table(nullptr, {KeyOption{"example.com", "s1", "/nonexistent/key"}});
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().find("/nonexistent/key"), std::string::npos);
}

TEST(MessageAssembler, HeaderFieldLimit) {
  Spool spool(1024, "/tmp");
  MessageAssembler m(spool, 1 << 30, [](const auto&) { return nullptr; });
  m.line("From: a@example.com", 0);
  for (std::size_t i = 0; i < kMaxHeaderFields; ++i) m.line("X: y", 0);
  m.line("", 0);
  m.finish();
  EXPECT_EQ(m.problem(), Problem::too_many_header_fields);
}

TEST(MessageAssembler, SizeLimitAndStuffedBody) {
  Spool spool(1024, "/tmp");
  MessageAssembler ok(spool, 1000, [](const auto&) { return nullptr; });
  ok.line("Subject: x", 10);
  ok.line("", 12);
  ok.line(".dot", 20);
  ok.finish();
  EXPECT_EQ(ok.problem(), Problem::none);
  std::string scratch;
  EXPECT_EQ(spool.chunk(0, scratch), "..dot\r\n");
  Spool spool2(1024, "/tmp");
  MessageAssembler big(spool2, 1000, [](const auto&) { return nullptr; });
  big.line("Subject: x", 1001);
  big.finish();
  EXPECT_EQ(big.problem(), Problem::too_big);
}

TEST(Spool, MovesToAnUnlinkedFileAboveTheThreshold) {
  Spool s(100, "/tmp");
  std::string line(60, 'a');
  for (int i = 0; i < 5000; ++i) s.append(line);
  s.flush();
  EXPECT_TRUE(s.on_disk());
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(s.size(), 300000u);
  std::string scratch, all;
  for (std::size_t i = 0; i < s.chunks(); ++i) all += s.chunk(i, scratch);
  EXPECT_EQ(all, std::string(300000, 'a'));
}

TEST(Spool, UnwritableDirectoryIsAFailureNotACrash) {
  Spool s(10, "/nonexistent-dir");
  s.append(std::string(100, 'x'));
  EXPECT_TRUE(s.failed());
  EXPECT_EQ(problem_reply(Problem::spool_failed, 0).substr(0, 3), "452");
}

TEST(FilterConfig, XforwardPrefixes) {
  config::declare(filter_config_keys());
  auto defaults = load_filter_config(nullptr);
  const auto& p = defaults.xforward_hosts;
  EXPECT_TRUE(p.matches(std::string_view("127.0.0.1")));
  EXPECT_TRUE(p.matches(std::string_view("127.255.0.9")));
  EXPECT_TRUE(p.matches(std::string_view("::1")));
  EXPECT_FALSE(p.matches(std::string_view("192.0.2.1")));
  EXPECT_FALSE(p.matches(std::string_view("unix")));
  EXPECT_EQ(defaults.listen.port, 10027);
  EXPECT_EQ(defaults.relay.port, 10028);
  EXPECT_LT(defaults.relay_timeout.count(), 600);
  EXPECT_GT(600, kDefaultRelayTimeoutSeconds);
}

}  // namespace
}  // namespace postseal::signer

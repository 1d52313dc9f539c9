// proxy_step_test.cpp - the before-queue proxy's message step without sockets: SPF verdicts
// from the envelope (XFORWARD ADDR forms), DKIM results, forged Authentication-Results
// dropped (every one, however interleaved), the fields prepended, the end-of-DATA replies;
// and the relay assembler's header block without dropped fields (re-stuffed).
#include "policy_test_support.hpp"

#include "core/dns/memory_zone.hpp"
#include "core/dns/zone_file.hpp"
#include "core/relay/message_assembler.hpp"
#include "core/util/config.hpp"
#include "verifier/commands.hpp"
#include "verifier/proxy/verify_step.hpp"

#include <gtest/gtest.h>

namespace postseal {
namespace {

using test::run_sync;

constexpr std::string_view kZone = R"(
spf-pass.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"
slow.example.com. TIMEOUT
)";

// Fixture - the proxy's step over the inbound context the daemon builds (defaults of every key).
struct Fixture {
  FixedClock clock{1'790'000'000};
  std::unique_ptr<verifier::InboundContext> inbound;
  proxy::Engine engine;
  Fixture() {
    config::declare(verifier::config_keys());
    config::declare(dkim::verify_config_keys());
    auto zone = std::make_unique<dns::MemoryZone>();
    EXPECT_TRUE(dns::read_zone_text(kZone, "test", *zone));
    decision::Options o;
    o.authserv_id = "mx.example.org";
    o.cache_ttl_seconds = 0;
    inbound = verifier::make_inbound_context(config::File{}, std::move(zone), clock);
    inbound->rules.set(verifier::make_rules(*inbound, config::File{}, std::move(o)));
    engine.inbound = inbound.get();
  }
  relay::StepOutcome run(const std::string& header_block, std::string body, relay::Envelope env) {
    auto fields = mail::parse_header_block(header_block);
    EXPECT_TRUE(fields.has_value());
    auto step = proxy::verify_steps(engine)(*fields, env);
    step->body(body);
    return run_sync(step->finish(*fields));
  }
};

relay::Envelope envelope(std::string addr, std::string sender) {
  relay::Envelope e;
  e.client_address = std::move(addr);
  e.client_name = "[UNAVAILABLE]";
  e.helo = "mail.client.example.com";
  e.sender = std::move(sender);
  e.recipients = {"rcpt@dest.example"};
  e.queue_id = "4F1A2B3C4D";
  return e;
}

const std::string kHeaders = "From: <user@spf-pass.example.com>\r\nSubject: hi\r\n";

TEST(ProxyStep, PassPrependsReceivedSpfAndAuthenticationResults) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("192.0.2.10", "user@spf-pass.example.com"));
  EXPECT_TRUE(out.relay);
  EXPECT_TRUE(out.drop.empty());
  EXPECT_TRUE(out.prepend.starts_with("Received-SPF: pass ")) << out.prepend;
  EXPECT_NE(out.prepend.find("\r\nAuthentication-Results: mx.example.org;"), std::string::npos) << out.prepend;
  EXPECT_NE(out.prepend.find("\tspf=pass reason=\"matched ip4:192.0.2.0/24\" smtp.mailfrom=user@spf-pass.example.com;"),
            std::string::npos) << out.prepend;
  EXPECT_NE(out.prepend.find("\tspf=none reason="), std::string::npos) << "the HELO identity is reported too: " << out.prepend;
  EXPECT_TRUE(out.prepend.ends_with("\r\n"));
  // every line of the prepended block is a field or a continuation: nothing can end the header
  for (std::size_t at = 0; (at = out.prepend.find("\r\n", at)) != std::string::npos && at + 2 < out.prepend.size(); at += 2) {
    char next = out.prepend[at + 2];
    EXPECT_TRUE(next == '\t' || next == ' ' || next == 'A') << out.prepend;
  }
  // the message's log line names every result (the relay session puts "QUEUEID: " before it)
  EXPECT_EQ(out.summary, "spf=pass (mailfrom) spf=none (helo) dkim=none domainkeys=none");
}

// SIGHUP replaces the rules: a message keeps those in force when its step was made (end of
// header); the next message takes the new ones (here: proxy.received_spf off, another
// authserv-id).
TEST(ProxyStep, AMessageKeepsTheRulesItStartedWith) {
  Fixture f;
  auto env = envelope("192.0.2.10", "user@spf-pass.example.com");
  auto fields = mail::parse_header_block(kHeaders);
  ASSERT_TRUE(fields.has_value());
  auto started = proxy::verify_steps(f.engine)(*fields, env);
  auto reloaded = std::make_shared<verifier::InboundRules>(*f.inbound->rules.get());
  reloaded->received_spf = false;
  reloaded->authserv_id = "mx2.example.org";
  f.inbound->rules.set(reloaded);
  started->body("body\r\n");
  auto before = run_sync(started->finish(*fields));
  EXPECT_TRUE(before.prepend.starts_with("Received-SPF: pass ")) << before.prepend;
  EXPECT_NE(before.prepend.find("Authentication-Results: mx.example.org;"), std::string::npos) << before.prepend;
  auto after = f.run(kHeaders, "body\r\n", env);
  EXPECT_TRUE(after.prepend.starts_with("Authentication-Results: mx2.example.org;")) << after.prepend;
  EXPECT_EQ(after.prepend.find("Received-SPF"), std::string::npos) << after.prepend;
}

TEST(ProxyStep, FailIsRefusedWith550AndNothingRelayed) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("198.51.100.5", "user@spf-pass.example.com"));
  EXPECT_FALSE(out.relay);
  EXPECT_TRUE(out.reply.starts_with("550 5.7.23 ")) << out.reply;
  EXPECT_TRUE(out.summary.starts_with("rejected: 550 5.7.23")) << out.summary;
}

TEST(ProxyStep, TemperrorIsDeferredWith451) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("198.51.100.5", "user@slow.example.com"));
  EXPECT_FALSE(out.relay);
  EXPECT_TRUE(out.reply.starts_with("451 4.4.3 ")) << out.reply;
}

TEST(ProxyStep, Ipv6XforwardAddressIsUsed) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("IPv6:2001:db8::5", "user@spf-pass.example.com"));
  EXPECT_FALSE(out.relay) << "2001:db8::5 is not in ip4:192.0.2.0/24, -all";
  EXPECT_NE(out.summary.find("spf=fail"), std::string::npos) << out.summary;
}

TEST(ProxyStep, UnavailableClientAddressSkipsSpfButStillReportsDkim) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("[UNAVAILABLE]", "user@spf-pass.example.com"));
  EXPECT_TRUE(out.relay);
  EXPECT_EQ(out.prepend.find("Received-SPF"), std::string::npos) << out.prepend;
  EXPECT_NE(out.prepend.find("Authentication-Results: mx.example.org;"), std::string::npos);
}

TEST(ProxyStep, LocalhostIsSkippedAsThePerlDaemonDoes) {
  Fixture f;
  auto out = f.run(kHeaders, "body\r\n", envelope("127.0.0.1", "user@spf-pass.example.com"));
  EXPECT_TRUE(out.relay);
  EXPECT_EQ(out.prepend.find("Received-SPF"), std::string::npos);
}

TEST(ProxyStep, EveryForgedAuthenticationResultsIsDropped) {
  Fixture f;
  std::string headers =
      "Authentication-Results: mx.example.org; dkim=pass header.d=bank.example\r\n"
      "From: <user@spf-pass.example.com>\r\n"
      "Authentication-Results: other.example; spf=pass smtp.mailfrom=x@other.example\r\n"
      "Authentication-Results: (c) MX.Example.Org ; spf=pass\r\n"
      "Subject: hi\r\n"
      "Authentication-Results:\r\n mx.example.org; dkim=pass\r\n";
  auto out = f.run(headers, "body\r\n", envelope("192.0.2.10", "user@spf-pass.example.com"));
  EXPECT_EQ(out.drop, (std::vector<std::size_t>{0, 3, 5}));
  EXPECT_NE(out.summary.find("removed 3 forged"), std::string::npos) << out.summary;
}

TEST(ProxyStep, UnsignedAndBrokenSignaturesAreReportedPerSignature) {
  Fixture f;
  std::string headers =
      "DKIM-Signature: v=1; a=rsa-sha256; d=spf-pass.example.com; s=none; h=from; bh=AAAA; b=BBBB\r\n" + kHeaders;
  auto out = f.run(headers, "body\r\n", envelope("192.0.2.10", "user@spf-pass.example.com"));
  EXPECT_TRUE(out.relay);
  EXPECT_NE(out.prepend.find("header.d=spf-pass.example.com"), std::string::npos) << out.prepend;
  EXPECT_EQ(out.prepend.find("dkim=pass"), std::string::npos) << out.prepend;
}

TEST(ProxyStep, XforwardHelpers) {
  EXPECT_FALSE(proxy::xforward_address("[UNAVAILABLE]"));
  EXPECT_FALSE(proxy::xforward_address("[TEMPUNAVAIL]"));
  EXPECT_FALSE(proxy::xforward_address("not-an-address"));
  EXPECT_EQ(proxy::xforward_address("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(proxy::xforward_address("IPv6:2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(proxy::xforward_address("::ffff:192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(proxy::xforward_name("[UNAVAILABLE]"), "unknown");
  EXPECT_EQ(proxy::xforward_name(""), "unknown");
  EXPECT_EQ(proxy::xforward_name("mail.example.com"), "mail.example.com");
  EXPECT_EQ(proxy::defer_reply("SPF temperror"), "451 4.4.3 SPF temperror");
  EXPECT_EQ(proxy::defer_reply("450 4.7.1 busy"), "450 4.7.1 busy");
  EXPECT_EQ(proxy::defer_reply("x\r\ny"), "451 4.4.3 x??y");
  // the limits hold: an over-long DNS reason or client name is cut, never passed whole
  EXPECT_LE(proxy::defer_reply(std::string(5000, 'r')).size(), 10 + proxy::kMaxReplyTextOctets + 3);
  EXPECT_LE(proxy::xforward_name(std::string(1000, 'n')).size(), proxy::kMaxClientNameOctets + 3);
}

TEST(RelayAssembler, HeaderBlockWithoutDroppedFieldsIsRestuffed) {
  relay::Spool spool(1024, "/tmp");
  relay::MessageAssembler m(spool, 1 << 20, [](const auto&) { return nullptr; });
  for (std::string_view line : {"A: 1", "B: 2", " folded", ".X-Dot: 3", ""}) m.line(line, 0);
  m.finish();
  ASSERT_EQ(m.headers().size(), 3u);
  EXPECT_EQ(m.header_block(), "A: 1\r\nB: 2\r\n folded\r\n..X-Dot: 3\r\n");  // a field name may start with "."
  EXPECT_EQ(m.header_block_without({1}), "A: 1\r\n..X-Dot: 3\r\n");
  EXPECT_EQ(m.header_block_without({0, 2}), "B: 2\r\n folded\r\n");
}

}  // namespace
}  // namespace postseal

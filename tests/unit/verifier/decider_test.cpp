// decider_test.cpp - the decision core: option meanings (policyd-spf.conf), order of checks,
// defaults of the perl daemon (docs/compat.md, seed 000), skips, cache with TTL (FixedClock).
#include "policy_test_support.hpp"

#include <gtest/gtest.h>

namespace postseal {
namespace {

using decision::Decider;
using decision::Options;
using decision::RejectPolicy;
using decision::Transaction;
using decision::Verdict;
using R = spf::SpfResult;
using test::FakeChecker;
using test::run_sync;

Transaction tx(std::string sender, std::string helo = "mail.helo.example", std::string ip = "198.51.100.7") {
  return Transaction{asio::ip::make_address(ip), "", std::move(helo), std::move(sender), "4F1A2B"};
}

struct Case {
  std::string name;
  RejectPolicy helo_reject;
  RejectPolicy mail_from_reject;
  R helo_result;
  R mfrom_result;
  bool null_sender;
  Verdict want;
  bool want_mfrom_checked;
};

class PolicyTable : public ::testing::TestWithParam<Case> {};

TEST_P(PolicyTable, Verdict) {
  const auto& c = GetParam();
  FakeChecker fake;
  fake.results = {{"mail.helo.example", c.helo_result}, {"sender.example", c.mfrom_result}};
  Options o;
  o.helo_reject = c.helo_reject;
  o.mail_from_reject = c.mail_from_reject;
  o.authserv_id = "mx.example.org";
  FixedClock clock(1000);
  Decider d(std::move(o), fake.checker(), nullptr, clock);
  auto got = run_sync(d.decide(tx(c.null_sender ? "" : "user@sender.example")));
  EXPECT_EQ(got.verdict, c.want) << c.name << ": reply=" << got.reply << " header=" << got.header;
  EXPECT_EQ(got.mail_from.checked, c.want_mfrom_checked) << c.name;
}

using P = RejectPolicy;
using V = Verdict;
INSTANTIATE_TEST_SUITE_P(
    Options, PolicyTable,
    ::testing::Values(
        Case{"defaults_pass", P::fail, P::fail, R::none, R::pass, false, V::prepend, true},
        Case{"defaults_mfrom_fail", P::fail, P::fail, R::none, R::fail, false, V::reject, true},
        Case{"defaults_softfail_prepends", P::fail, P::fail, R::none, R::softfail, false, V::prepend, true},
        Case{"defaults_helo_fail_decides", P::fail, P::fail, R::fail, R::pass, false, V::reject, false},
        Case{"temperror_defers", P::fail, P::fail, R::none, R::temperror, false, V::defer_if_permit, true},
        Case{"helo_temperror_defers_first", P::fail, P::fail, R::temperror, R::pass, false,
             V::defer_if_permit, false},
        Case{"permerror_prepends_by_default", P::fail, P::fail, R::none, R::permerror, false, V::prepend, true},
        Case{"softfail_policy_rejects_softfail", P::fail, P::softfail, R::none, R::softfail, false, V::reject, true},
        Case{"softfail_policy_keeps_neutral", P::fail, P::softfail, R::none, R::neutral, false, V::prepend, true},
        Case{"not_pass_rejects_neutral", P::fail, P::not_pass, R::none, R::neutral, false, V::reject, true},
        Case{"not_pass_rejects_permerror", P::fail, P::not_pass, R::none, R::permerror, false, V::reject, true},
        Case{"not_pass_keeps_none", P::fail, P::not_pass, R::none, R::none, false, V::prepend, true},
        Case{"none_never_rejects_helo", P::none, P::fail, R::fail, R::pass, false, V::prepend, true},
        Case{"none_never_defers", P::fail, P::none, R::none, R::temperror, false, V::prepend, true},
        Case{"none_never_rejects_mfrom", P::fail, P::none, R::none, R::fail, false, V::prepend, true},
        Case{"null_policy_ignores_helo_fail_with_sender", P::null, P::fail, R::fail, R::pass, false,
             V::prepend, true},
        Case{"null_policy_rejects_helo_fail_null_sender", P::null, P::fail, R::fail, R::pass, true,
             V::reject, false},
        Case{"null_sender_helo_only", P::fail, P::fail, R::pass, R::fail, true, V::prepend, false},
        Case{"no_check_helo_skips_it", P::no_check, P::fail, R::fail, R::fail, false, V::reject, true},
        Case{"no_check_mfrom", P::fail, P::no_check, R::pass, R::fail, false, V::prepend, false}),
    [](const auto& info) { return info.param.name; });

Decider make(FakeChecker& fake, Options o, const Clock& clock) {
  if (o.authserv_id.empty()) o.authserv_id = "mx.example.org";
  return Decider(std::move(o), fake.checker(), nullptr, clock);
}

TEST(Decider, HeloCheckedFirstAndRejectStopsMailFrom) {
  FakeChecker fake;
  fake.results = {{"mail.helo.example", R::fail}, {"sender.example", R::pass}};
  FixedClock clock(0);
  auto d = make(fake, Options{}, clock);
  auto got = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(got.verdict, Verdict::reject);
  EXPECT_TRUE(got.helo.checked);
  EXPECT_FALSE(got.mail_from.checked);
  EXPECT_EQ(*fake.calls, 1);
  EXPECT_TRUE(got.reply.starts_with("550 5.7.23 SPF fail")) << got.reply;
  EXPECT_NE(got.reply.find("helo identity"), std::string::npos) << got.reply;
}

TEST(Decider, PermerrorRejectOption) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::permerror}};
  FixedClock clock(0);
  Options o;
  o.permerror_reject = true;
  auto d = make(fake, std::move(o), clock);
  auto got = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(got.verdict, Verdict::reject);
  EXPECT_TRUE(got.reply.starts_with("550 5.7.24")) << got.reply;
}

TEST(Decider, TemperrorDeferOff) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::temperror}};
  FixedClock clock(0);
  Options o;
  o.temperror_defer = false;
  auto d = make(fake, std::move(o), clock);
  auto got = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(got.verdict, Verdict::prepend);
  EXPECT_TRUE(got.header.starts_with("Received-SPF: temperror")) << got.header;
}

struct SkipCase {
  std::string name;
  std::string ip;
  std::string client_name;
  std::function<void(Options&)> configure;
  std::string want_reason_part;  // empty: not skipped
};

class Skips : public ::testing::TestWithParam<SkipCase> {};

TEST_P(Skips, SkipOrCheck) {
  const auto& c = GetParam();
  FakeChecker fake;
  fake.results = {{"sender.example", R::fail}, {"forwarder.example.net", R::none}};
  FixedClock clock(0);
  Options o;
  if (c.configure) c.configure(o);
  auto d = make(fake, std::move(o), clock);
  auto t = tx("user@sender.example", "mail.helo.example", c.ip);
  t.client_name = c.client_name;
  auto got = run_sync(d.decide(t));
  if (c.want_reason_part.empty()) {
    EXPECT_EQ(got.skipped, "") << c.name;
    EXPECT_EQ(got.verdict, Verdict::reject) << c.name;
  } else {
    EXPECT_NE(got.skipped.find(c.want_reason_part), std::string::npos) << c.name << ": " << got.skipped;
    EXPECT_EQ(got.verdict, Verdict::prepend) << c.name;
    EXPECT_EQ(got.header, "X-Comment: " + got.skipped);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Options, Skips,
    ::testing::Values(
        SkipCase{"localhost_v4", "127.0.0.1", "", nullptr, "localhost is always allowed"},
        SkipCase{"localhost_other", "127.5.6.7", "", nullptr, "localhost is always allowed"},
        SkipCase{"localhost_v6", "::1", "", nullptr, "localhost is always allowed"},
        SkipCase{"localhost_mapped", "::ffff:127.0.0.1", "", nullptr, "localhost is always allowed"},
        SkipCase{"not_skipped", "198.51.100.7", "", nullptr, ""},
        SkipCase{"skip_addresses", "10.1.2.3", "", [](Options& o) { (void)o.skip_addresses.add("10.0.0.0/8"); },
                 "skip_addresses"},
        SkipCase{"skip_addresses_miss", "11.1.2.3", "",
                 [](Options& o) { (void)o.skip_addresses.add("10.0.0.0/8"); }, ""},
        SkipCase{"whitelist_v6", "2001:db8::5", "", [](Options& o) { (void)o.whitelist.add("2001:db8::/32"); },
                 "whitelisted client"},
        SkipCase{"trusted_forwarder", "192.0.2.25", "",
                 [](Options& o) { (void)o.trusted_forwarders.add("192.0.2.25"); }, "trusted forwarder"},
        SkipCase{"ptr_whitelist_validated_name", "198.51.100.7", "out.mail.partner.example",
                 [](Options& o) { o.domain_whitelist_ptr = {"partner.example"}; }, "out.mail.partner.example"},
        SkipCase{"ptr_whitelist_unknown_name", "198.51.100.7", "unknown",
                 [](Options& o) { o.domain_whitelist_ptr = {"partner.example"}; }, ""},
        SkipCase{"ptr_whitelist_lookalike", "198.51.100.7", "evilpartner.example",
                 [](Options& o) { o.domain_whitelist_ptr = {"partner.example"}; }, ""}),
    [](const auto& info) { return info.param.name; });

TEST(Decider, DomainWhitelistSkipsWhenClientPassesForThatDomain) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::fail}, {"forwarder.example.net", R::pass}};
  FixedClock clock(0);
  Options o;
  o.domain_whitelist = {"forwarder.example.net"};
  auto d = make(fake, std::move(o), clock);
  auto got = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(got.verdict, Verdict::prepend);
  EXPECT_NE(got.skipped.find("forwarder.example.net"), std::string::npos);
}

TEST(Decider, CacheHitWithinTtlMissAfter) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::pass}, {"mail.helo.example", R::none}};
  FixedClock clock(1000);
  Options o;
  o.cache_ttl_seconds = 60;
  auto d = make(fake, std::move(o), clock);
  auto first = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_FALSE(first.mail_from.cached);
  EXPECT_EQ(*fake.calls, 2);  // HELO and MAIL FROM
  clock.advance(59);
  auto second = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_TRUE(second.mail_from.cached);
  EXPECT_TRUE(second.helo.cached);
  EXPECT_EQ(*fake.calls, 2);
  EXPECT_EQ(second.header, first.header);
  clock.advance(1);
  auto third = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_FALSE(third.mail_from.cached);
  EXPECT_EQ(*fake.calls, 4);
  // another client address is another key
  auto other = run_sync(d.decide(tx("user@sender.example", "mail.helo.example", "198.51.100.8")));
  EXPECT_FALSE(other.mail_from.cached);
}

TEST(Decider, TemperrorIsNeverCached) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::temperror}};
  FixedClock clock(0);
  auto d = make(fake, Options{}, clock);
  run_sync(d.decide(tx("user@sender.example")));
  auto again = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_FALSE(again.mail_from.cached);
}

TEST(ResultCache, BoundedSizeDropsOldest) {
  FixedClock clock(0);
  decision::ResultCache cache(clock, 100, 3);
  spf::SpfOutcome o;
  o.result = R::pass;
  for (int i = 0; i < 5; ++i) cache.store("k" + std::to_string(i), o);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("k0"));
  EXPECT_FALSE(cache.find("k1"));
  EXPECT_TRUE(cache.find("k4"));
}

TEST(ResultCache, ZeroTtlDisables) {
  FixedClock clock(0);
  decision::ResultCache cache(clock, 0, 10);
  spf::SpfOutcome o;
  cache.store("k", o);
  EXPECT_FALSE(cache.find("k"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(Decider, AuthenticationResultsHeaderType) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::softfail}};
  FixedClock clock(0);
  Options o;
  o.header_type = decision::HeaderType::authentication_results;
  o.authserv_id = "mx.example.org";
  auto d = make(fake, std::move(o), clock);
  auto got = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(got.header, "Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=user@sender.example");
}

// policyd-spf.conf's remaining options: TestOnly, Hide_Receiver, Reason_Message, HELO_Whitelist.

TEST(Decider, TestOnlyNeverRejectsOrDefersButHeadersStay) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::fail}, {"slow.example", R::temperror}};
  FixedClock clock(0);
  Options o;
  o.test_only = true;
  auto d = make(fake, std::move(o), clock);
  auto failed = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(failed.verdict, Verdict::prepend);
  EXPECT_TRUE(failed.header.starts_with("Received-SPF: fail")) << failed.header;
  EXPECT_EQ(failed.reply, "");
  auto deferred = run_sync(d.decide(tx("user@slow.example")));
  EXPECT_EQ(deferred.verdict, Verdict::prepend);
  EXPECT_TRUE(deferred.header.starts_with("Received-SPF: temperror")) << deferred.header;
}

TEST(Decider, HideReceiverWritesUnknown) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::pass}};
  FixedClock clock(0);
  for (bool hide : {false, true}) {
    Options o;
    o.hide_receiver = hide;
    auto d = make(fake, std::move(o), clock);
    auto got = run_sync(d.decide(tx("user@sender.example")));
    EXPECT_EQ(got.header.find("receiver=mx.example.org;") != std::string::npos, !hide) << got.header;
    EXPECT_EQ(got.header.find("receiver=\"<UNKNOWN>\";") != std::string::npos, hide) << got.header;
  }
}

TEST(Decider, ReasonMessageFillsPlaceholders) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::fail}, {"slow.example", R::temperror}, {"broken.example", R::permerror}};
  FixedClock clock(0);
  Options o;
  o.permerror_reject = true;
  o.reason_message = "Message {rejectdefer} due to: {spf} ({identity} {domain} from {ip}). Please see {url}";
  auto d = make(fake, std::move(o), clock);
  auto rejected = run_sync(d.decide(tx("user@sender.example")));
  EXPECT_EQ(rejected.reply,
            "550 5.7.23 Message rejected due to: fail (mailfrom sender.example from 198.51.100.7). "
            "Please see https://www.rfc-editor.org/rfc/rfc7208");
  auto deferred = run_sync(d.decide(tx("user@slow.example")));
  EXPECT_EQ(deferred.verdict, Verdict::defer_if_permit);
  EXPECT_TRUE(deferred.reply.starts_with("Message deferred due to: temperror (mailfrom slow.example"))
      << deferred.reply;
  auto broken = run_sync(d.decide(tx("user@broken.example")));
  EXPECT_TRUE(broken.reply.starts_with("550 5.7.24 Message rejected due to: permerror")) << broken.reply;
}

TEST(ReasonMessage, TemplateIsChecked) {
  EXPECT_TRUE(decision::check_reason_message(""));
  EXPECT_TRUE(decision::check_reason_message("Message {rejectdefer} due to: {spf}. Please see {url}"));
  EXPECT_FALSE(decision::check_reason_message("{sender}"));
  EXPECT_FALSE(decision::check_reason_message("open {spf"));
  EXPECT_FALSE(decision::check_reason_message("two\r\nlines"));
  EXPECT_TRUE(decision::check_reason_message(std::string(decision::kMaxReasonMessageOctets, 'a')));
  EXPECT_FALSE(decision::check_reason_message(std::string(decision::kMaxReasonMessageOctets + 1, 'a')));
}

TEST(Decider, HeloWhitelistNeedsTheForwardMatch) {
  FakeChecker fake;
  fake.results = {{"sender.example", R::fail}};
  FixedClock clock(0);
  dns::MemoryZone zone;
  zone.add("relay.partner.example", test::a_record("198.51.100.7"));
  zone.add("forged.partner.example", test::a_record("192.0.2.99"));
  Options o;
  o.authserv_id = "mx.example.org";
  o.helo_whitelist = {"relay.partner.example", "forged.partner.example"};
  Decider d(std::move(o), fake.checker(), &zone, clock);
  auto listed = run_sync(d.decide(tx("user@sender.example", "Relay.Partner.Example.")));
  EXPECT_EQ(listed.verdict, Verdict::prepend);
  EXPECT_EQ(listed.skipped, "SPF skipped - HELO name Relay.Partner.Example. whitelisted");
  auto forged = run_sync(d.decide(tx("user@sender.example", "forged.partner.example")));
  EXPECT_EQ(forged.skipped, "");
  EXPECT_EQ(forged.verdict, Verdict::reject);
  auto other = run_sync(d.decide(tx("user@sender.example", "other.partner.example")));
  EXPECT_EQ(other.verdict, Verdict::reject);
}

}  // namespace
}  // namespace postseal

// dmarc_step_test.cpp - DMARC in the inbound front ends (verifier/dmarc_check.hpp): through the
// before-queue proxy's message step, a From-domain spoof of a p=reject domain gets
// "550 5.7.1 Email rejected per DMARC policy for DOMAIN" and "dmarc=fail ... policy.dmarc=
// reject" in Authentication-Results; an aligned SPF pass is dmarc=pass; dmarc.enforce =
// "monitor" only reports; dmarc.enable off (the default) adds nothing; a null sender uses the
// HELO identity (RFC 9989 3.2.4); the milter session's Authentication-Results carries the
// verdict; with dmarc.report_record each evaluated message is counted for the aggregate report
// of a policy domain with rua (verifier/dmarc_record.hpp), and not without it.
#include "policy_test_support.hpp"

#include "core/dmarc/options.hpp"
#include "core/dmarc_report/aggregate.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/dns/zone_file.hpp"
#include "core/state/options.hpp"
#include "core/util/config.hpp"
#include "verifier/commands.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_record.hpp"
#include "verifier/milter/session.hpp"
#include "verifier/proxy/verify_step.hpp"

#include <gtest/gtest.h>

namespace postseal {
namespace {

using test::run_sync;

constexpr std::string_view kZone = R"(
example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.example.com. TXT "v=DMARC1; p=reject"
spf-pass.example.net. TXT "v=spf1 ip4:192.0.2.0/24 -all"
)";

struct Fixture {
  FixedClock clock{1'790'000'000};
  std::unique_ptr<verifier::InboundContext> inbound;
  proxy::Engine engine;
  explicit Fixture(std::string_view config_text, std::string_view zone_text = kZone) {
    config::declare(verifier::config_keys());
    config::declare(dkim::verify_config_keys());
    config::declare(dmarc::config_keys());
    config::declare(state::config_keys());
    auto zone = std::make_unique<dns::MemoryZone>();
    EXPECT_TRUE(dns::read_zone_text(zone_text, "test", *zone));
    decision::Options o;
    o.authserv_id = "mx.example.org";
    o.cache_ttl_seconds = 0;
    auto file = config::File::parse(config_text, "test.toml");
    inbound = verifier::make_inbound_context(file, std::move(zone), clock);
    inbound->rules.set(verifier::make_rules(*inbound, file, std::move(o)));
    engine.inbound = inbound.get();
  }
  relay::StepOutcome run(const std::string& header_block, relay::Envelope env) {
    auto fields = mail::parse_header_block(header_block);
    EXPECT_TRUE(fields.has_value());
    auto step = proxy::verify_steps(engine)(*fields, env);
    step->body("body\r\n");
    return run_sync(step->finish(*fields));
  }
};

relay::Envelope envelope(std::string sender) {
  relay::Envelope e;
  e.client_address = "192.0.2.10";
  e.client_name = "[UNAVAILABLE]";
  e.helo = "spf-pass.example.net";
  e.sender = std::move(sender);
  e.recipients = {"rcpt@dest.example"};
  e.queue_id = "4F1A2B3C4D";
  return e;
}

const std::string kSpoofed = "From: CEO <ceo@example.com>\r\nSubject: pay now\r\n";

TEST(DmarcStep, SpoofOfRejectDomainIsRefusedWith550) {
  Fixture f("[dmarc]\nenable = true\n");
  auto out = f.run(kSpoofed, envelope("bounce@spf-pass.example.net"));
  EXPECT_FALSE(out.relay);
  EXPECT_EQ(out.reply, "550 5.7.1 Email rejected per DMARC policy for example.com");
  EXPECT_NE(out.prepend.find("\tdmarc=fail (no aligned SPF or DKIM pass) header.from=example.com "
                             "policy.dmarc=reject\r\n"),
            std::string::npos)
      << out.prepend;
  EXPECT_NE(out.summary.find("dmarc=fail (reject)"), std::string::npos) << out.summary;
}

TEST(DmarcStep, AlignedSpfPassIsDmarcPass) {
  Fixture f("[dmarc]\nenable = true\n");
  auto out = f.run(kSpoofed, envelope("bounce@example.com"));
  EXPECT_TRUE(out.relay);
  EXPECT_NE(out.prepend.find("\tdmarc=pass header.from=example.com\r\n"), std::string::npos)
      << out.prepend;
}

TEST(DmarcStep, NullSenderUsesHeloIdentity) {
  Fixture f("[dmarc]\nenable = true\n");
  auto out = f.run("From: <a@spf-pass.example.net>\r\n", envelope(""));
  EXPECT_TRUE(out.relay);
  EXPECT_NE(out.prepend.find("dmarc=none (no DMARC record) header.from=spf-pass.example.net"),
            std::string::npos)
      << out.prepend;
  verifier::MessageReport report;
  report.decided = true;
  report.helo = "spf-pass.example.net";
  report.decision.helo.checked = true;
  report.decision.helo.outcome.result = spf::SpfResult::pass;
  auto fields = mail::parse_header_block("From: a@example.com\r\nFrom: b@example.net\r\n");
  ASSERT_TRUE(fields.has_value());
  dmarc::Message m = verifier::dmarc_message(*fields, report);
  EXPECT_EQ(m.spf_domain, "spf-pass.example.net");
  EXPECT_TRUE(m.spf_pass);
  EXPECT_EQ(m.from_fields.size(), 2u);
}

TEST(DmarcStep, MonitorModeOnlyReports) {
  Fixture f("[dmarc]\nenable = true\nenforce = \"monitor\"\n");
  auto out = f.run(kSpoofed, envelope("bounce@spf-pass.example.net"));
  EXPECT_TRUE(out.relay);
  EXPECT_NE(out.prepend.find("policy.dmarc=reject"), std::string::npos) << out.prepend;
  EXPECT_NE(out.summary.find("dmarc=fail (accept)"), std::string::npos) << out.summary;
}

TEST(DmarcStep, DisabledByDefault) {
  Fixture f("");
  auto out = f.run(kSpoofed, envelope("bounce@spf-pass.example.net"));
  EXPECT_TRUE(out.relay);
  EXPECT_EQ(out.prepend.find("dmarc="), std::string::npos) << out.prepend;
  EXPECT_EQ(f.inbound->rules.get()->dmarc, nullptr);
}

TEST(DmarcStep, MilterAuthenticationResultsCarriesTheVerdict) {
  milter::Session s;
  s.sender = "bounce@spf-pass.example.net";
  ASSERT_TRUE(milter::add_field(s, milter::raw_field("From", " ceo@example.com", true),
                                "mx.example.org"));
  dmarc::Message m = milter::dmarc_message(s, {});
  ASSERT_EQ(m.from_fields.size(), 1u);
  EXPECT_EQ(m.from_fields[0], " ceo@example.com");
  dmarc::Verdict v;
  v.result = dmarc::Result::fail;
  v.header_from = "example.com";
  v.policy = dmarc::Policy::quarantine;
  v.reason = "no aligned SPF or DKIM pass";
  auto ar = milter::auth_results_value(s, "mx.example.org", {}, std::nullopt, v);
  EXPECT_TRUE(ar.ends_with("dmarc=fail (no aligned SPF or DKIM pass) header.from=example.com "
                           "policy.dmarc=quarantine"))
      << ar;
}

TEST(DmarcStep, EvaluatedMessagesAreCountedForReports) {
  constexpr std::string_view zone = R"(
example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.example.com. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
spf-pass.example.net. TXT "v=spf1 ip4:192.0.2.0/24 -all"
)";
  Fixture f(
      "[dmarc]\nenable = true\nenforce = \"monitor\"\nreport_record = true\n[state]\nbackend = "
      "\"memory\"\n",
      zone);
  ASSERT_TRUE(f.inbound->dmarc_recording);
  verifier::start_dmarc_recording(*f.inbound->dmarc_recording, f.clock);
  for (int i = 0; i < 2; ++i) f.run(kSpoofed, envelope("bounce@spf-pass.example.net"));
  f.run(kSpoofed, envelope("bounce@example.com"));
  f.run("From: <a@spf-pass.example.net>\r\n", envelope(""));  // no DMARC record: not counted
  f.inbound->dmarc_recording->recorder->flush();  // the daemons' recorder adds up known rows
  auto& store = *f.inbound->dmarc_recording->store;
  const auto period = dmarc_report::period_of(f.clock.now());
  auto policies = dmarc_report::published_policies(store, period, 10);
  ASSERT_TRUE(policies);
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].p, "reject");
  EXPECT_EQ((*policies)[0].rua, std::vector<std::string>{"mailto:dmarc@example.com"});
  auto data = dmarc_report::domain_data(store, period, (*policies)[0], 10);
  ASSERT_TRUE(data);
  ASSERT_EQ(data->rows.size(), 2u);
  EXPECT_EQ(data->messages, 3);
  const auto& spoof = data->rows[0];
  EXPECT_EQ(spoof.count, 2);
  EXPECT_EQ(spoof.row().source_ip, "192.0.2.10");
  EXPECT_EQ(spoof.row().envelope_from, "spf-pass.example.net");
  EXPECT_EQ(spoof.row().spf_result, "pass");
  EXPECT_FALSE(spoof.row().spf_aligned);
  EXPECT_EQ(spoof.row().disposition, "none");
  EXPECT_EQ(spoof.row().override_type, "local_policy");  // monitor: reject not applied
  EXPECT_EQ(data->rows[1].row().disposition, "pass");
  EXPECT_TRUE(data->rows[1].row().spf_aligned);
}

TEST(DmarcStep, NothingIsCountedWithoutReportRecord) {
  Fixture f("[dmarc]\nenable = true\n[state]\nbackend = \"memory\"\n");
  EXPECT_FALSE(f.inbound->dmarc_recording);
}

}  // namespace
}  // namespace postseal

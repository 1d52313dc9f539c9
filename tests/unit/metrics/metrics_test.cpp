// metrics_test.cpp - core/metrics: counters move when their event happens, label values
// outside the fixed lists count as "other", and 100,000 distinct From domains passing add no
// series (the signed counter names configured signing domains only).
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/key_age.hpp"
#include "core/metrics/key_retire.hpp"
#include "core/metrics/options.hpp"
#include "core/metrics/registry.hpp"
#include "core/metrics/stage.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace postseal::metrics {
namespace {

// scrape - the registry as a scraper would see it.
std::string scrape() {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry().Collect());
}

// series_count - the samples of every family in a scrape.
std::size_t series_count() {
  std::size_t n = 0;
  for (const auto& family : registry().Collect()) n += family.metric.size();
  return n;
}

class Metrics : public ::testing::Test {
 protected:
  void SetUp() override { enable(); }
};

int g_stage_clock_reads = 0;
std::chrono::steady_clock::time_point counted_now() {
  ++g_stage_clock_reads;
  return std::chrono::steady_clock::now();
}

TEST(MetricsOff, NothingCountedBeforeEnable) {
  // first test of the binary: counting is off, so events leave the families untouched
  ASSERT_FALSE(enabled());
  count_dkim("pass");
  count_policy_answer("action=DUNNO\n\n");
  count_store_error("redis", "timeout");
  set_stage_clock(&counted_now);
  { StageTimer timer(Stage::spf); }
  set_stage_clock(nullptr);
  EXPECT_EQ(g_stage_clock_reads, 0) << "a timer reads no clock while counting is off";
  EXPECT_EQ(families().dkim_results.value({"pass"}), 0);
  EXPECT_EQ(families().policy_answers.value({"dunno"}), 0);
  EXPECT_EQ(families().store_errors.value({"redis", "timeout"}), 0);
  EXPECT_EQ(families()
                .stage_seconds[static_cast<std::size_t>(Stage::spf)]
                ->Collect()
                .histogram.sample_count,
            0u);
}

TEST_F(Metrics, SignedCountsConfiguredDomainsAndOther) {
  set_signing_domains({"example.com", "example.org"});
  const double before = families().messages_signed.value("example.com", "signed");
  count_signed("example.com", "signed");
  count_signed("example.com", "signed");
  count_signed("stranger.example", "unsigned");
  EXPECT_EQ(families().messages_signed.value("example.com", "signed"), before + 2);
  EXPECT_GE(families().messages_signed.value("other", "unsigned"), 1);
  EXPECT_NE(scrape().find(R"(postseal_messages_signed_total{domain="example.com",result="signed"})"),
            std::string::npos);
  EXPECT_EQ(scrape().find("stranger.example"), std::string::npos);
}

TEST_F(Metrics, HundredThousandFromDomainsAddNoSeries) {
  set_signing_domains({"example.com"});
  count_signed("example.com", "signed");  // the configured domain's series exist
  const std::size_t before = series_count();
  const double other_before = families().messages_signed.value("other", "unsigned");
  for (int i = 0; i < 100000; ++i) {
    const std::string domain = fmt::format("d{}.example.net", i);
    count_signed(domain, "unsigned");
    count_signed(domain, fmt::format("result{}", i % 7));  // unknown results too
  }
  EXPECT_EQ(series_count(), before);
  EXPECT_EQ(families().messages_signed.value("other", "unsigned"), other_before + 100000);
}

TEST_F(Metrics, ResultsMoveAndUnknownValuesAreOther) {
  const double pass = families().dkim_results.value({"pass"});
  const double spf_fail = families().spf_results.value({"fail"});
  const double dmarc_temp = families().dmarc_results.value({"temperror"});
  const double other = families().dkim_results.value({"other"});
  count_dkim("pass");
  count_spf("Fail");
  count_dmarc("temperror");
  count_dkim("something the code never says");
  EXPECT_EQ(families().dkim_results.value({"pass"}), pass + 1);
  EXPECT_EQ(families().spf_results.value({"fail"}), spf_fail + 1);
  EXPECT_EQ(families().dmarc_results.value({"temperror"}), dmarc_temp + 1);
  EXPECT_EQ(families().dkim_results.value({"other"}), other + 1);
}

TEST_F(Metrics, PolicyAnswersPerAction) {
  EXPECT_EQ(policy_action_label("action=DUNNO\n\n"), "dunno");
  EXPECT_EQ(policy_action_label("action=PREPEND Received-SPF: pass\n\n"), "prepend");
  EXPECT_EQ(policy_action_label("action=DEFER_IF_PERMIT 4.7.24 try later\n\n"), "defer_if_permit");
  EXPECT_EQ(policy_action_label("action=550 5.7.23 SPF fail\n\n"), "reject");
  EXPECT_EQ(policy_action_label("action=451 4.7.24 temp\n\n"), "defer");
  EXPECT_EQ(policy_action_label("garbage"), "other");
  const double before = families().policy_answers.value({"reject"});
  count_policy_answer("action=550 5.7.23 SPF fail\n\n");
  EXPECT_EQ(families().policy_answers.value({"reject"}), before + 1);
}

TEST_F(Metrics, SrsGreylistDnsAndSessions) {
  const double srs = families().srs.value({"reverse", "bad_hash"});
  const double grey = families().greylist.value({"store_error"});
  const double servfail = families().dns_lookups.value({"servfail"});
  count_srs("reverse", "bad_hash");
  count_greylist("store error");
  count_dns_lookup("SERVFAIL", std::chrono::milliseconds(30));
  session_started("policy");
  EXPECT_EQ(families().srs.value({"reverse", "bad_hash"}), srs + 1);
  EXPECT_EQ(families().greylist.value({"store_error"}), grey + 1);
  EXPECT_EQ(families().dns_lookups.value({"servfail"}), servfail + 1);
  const std::string text = scrape();
  EXPECT_NE(text.find("postseal_dns_lookup_seconds_bucket{le=\"0.05\"}"), std::string::npos);
  EXPECT_NE(text.find("postseal_sessions_in_flight{server=\"policy\"} 1"), std::string::npos);
  session_ended("policy");
  EXPECT_NE(scrape().find("postseal_sessions_in_flight{server=\"policy\"} 0"), std::string::npos);
}

TEST_F(Metrics, RelayOutcomesPerServer) {
  const double proxy_refused = families().messages_relayed.value({"proxy", "refused"});
  const double signer_relayed = families().messages_relayed.value({"signer", "relayed"});
  const double other = families().messages_relayed.value({"other", "other"});
  count_relayed("proxy", "refused");
  count_relayed("signer", "relayed");
  count_relayed("test server", "lost");  // RelayContext's default name; no such result
  EXPECT_EQ(families().messages_relayed.value({"proxy", "refused"}), proxy_refused + 1);
  EXPECT_EQ(families().messages_relayed.value({"signer", "relayed"}), signer_relayed + 1);
  EXPECT_EQ(families().messages_relayed.value({"other", "other"}), other + 1);
  EXPECT_NE(scrape().find(R"(postseal_messages_relayed_total{result="refused",server="proxy"})"), std::string::npos);
}

TEST_F(Metrics, StoreErrorsPerBackendAndError) {
  const double redis_timeout = families().store_errors.value({"redis", "timeout"});
  const double sqlite_reply = families().store_errors.value({"sqlite", "bad_reply"});
  const double other = families().store_errors.value({"other", "other"});
  count_store_error("redis", "timeout");
  count_store_error("sqlite", "bad reply");  // state::to_string's spelling
  count_store_error("mongodb", "on fire");
  EXPECT_EQ(families().store_errors.value({"redis", "timeout"}), redis_timeout + 1);
  EXPECT_EQ(families().store_errors.value({"sqlite", "bad_reply"}), sqlite_reply + 1);
  EXPECT_EQ(families().store_errors.value({"other", "other"}), other + 1);
  EXPECT_NE(scrape().find(R"(postseal_store_errors_total{backend="sqlite",error="bad_reply"})"),
            std::string::npos);
  EXPECT_EQ(scrape().find("bad reply"), std::string::npos);
}

TEST_F(Metrics, BuildInfo) {
  EXPECT_NE(scrape().find("postseal_build_info{version=\""), std::string::npos);
}

TEST(MetricsKeyAge, FromKeyFileMtime) {
  const std::string path = ::testing::TempDir() + "metrics_key_age.private";
  std::fclose(std::fopen(path.c_str(), "w"));
  set_key_files({{"example.com", "s1", path}, {"example.com", "gone", path + ".missing"}});
  auto families = key_age_collectable()->Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "postseal_key_age_seconds");
  ASSERT_EQ(families[0].metric.size(), 1u);  // the missing file is left out
  EXPECT_EQ(families[0].metric[0].label[1].value, "s1");
  EXPECT_GE(families[0].metric[0].gauge.value, 0);
  EXPECT_LT(families[0].metric[0].gauge.value, 60);
  std::remove(path.c_str());
}

TEST(MetricsKeyRetire, SecondsUntilRevokedAtScrapeTime) {
  FixedClock clock(1'000'000);
  set_key_retire_clock(&clock);
  set_retiring_keys(
      {{"example.com", "s2026a", 1'000'000 + 7 * 86400}, {"example.org", "old", 999'000}});
  auto families = key_retire_collectable()->Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "postseal_key_retire_seconds");
  EXPECT_EQ(families[0].type, prometheus::MetricType::Gauge);
  ASSERT_EQ(families[0].metric.size(), 2u);
  EXPECT_EQ(families[0].metric[0].label[0].value, "example.com");
  EXPECT_EQ(families[0].metric[0].label[1].value, "s2026a");
  EXPECT_EQ(families[0].metric[0].gauge.value, 7 * 86400);
  EXPECT_EQ(families[0].metric[1].gauge.value, -1000) << "overdue: the tick has not revoked it";
  clock.advance(86400);  // computed at each scrape, not when set
  EXPECT_EQ(key_retire_collectable()->Collect()[0].metric[0].gauge.value, 6 * 86400);
  set_retiring_keys({});  // a reload with no retiring key: the series go
  EXPECT_TRUE(key_retire_collectable()->Collect()[0].metric.empty());
  set_key_retire_clock(nullptr);
}

TEST(MetricsOptions, ListenChecked) {
  EXPECT_EQ(check_listen(""), "");
  EXPECT_EQ(check_listen("127.0.0.1:9151"), "");
  EXPECT_EQ(check_listen("[::1]:9151"), "");
  EXPECT_NE(check_listen("127.0.0.1"), "");
  EXPECT_NE(check_listen("localhost:9151"), "");
  EXPECT_NE(check_listen("::1:9151"), "");
  EXPECT_NE(check_listen("127.0.0.1:65535"), "");  // srsd's would be 65537
  EXPECT_NE(check_listen("127.0.0.1:0"), "");
  EXPECT_EQ(daemon_listen("127.0.0.1:9151", Daemon::signer), "127.0.0.1:9151");
  EXPECT_EQ(daemon_listen("127.0.0.1:9151", Daemon::verifier), "127.0.0.1:9152");
  EXPECT_EQ(daemon_listen("[::1]:9151", Daemon::srsd), "[::1]:9153");
  EXPECT_EQ(daemon_listen("", Daemon::srsd), "");
}

}  // namespace
}  // namespace postseal::metrics

// inbound_context_test.cpp - the context every inbound front end shares is built from the
// config file: spf.engine picks the engine the decider uses (a case where libspf2 and the
// native engine differ: the RFC 7208 suite's cidr4-0), spf.time_cap_seconds bounds each
// evaluation of either engine, an unknown engine is a config error naming the key.
#include "policy_test_support.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "tests/unit/spf/spf_test_util.hpp"
#include "verifier/commands.hpp"
#include "verifier/inbound_context.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace postseal {
namespace {

using R = spf::SpfResult;
using test::run_sync;

config::File config_text(std::string_view text) {
  config::declare(verifier::config_keys());
  config::declare(dkim::verify_config_keys());
  return config::File::parse(text, "test");
}

decision::Options options() {
  decision::Options o;
  o.authserv_id = "mx.example.org";
  o.cache_ttl_seconds = 0;
  return o;
}

decision::Transaction cidr4_0() {
  return decision::Transaction{asio::ip::make_address("1.2.3.4"), "", "", "foo@e1.example.com", "4F1A2B"};
}

std::unique_ptr<dns::MemoryZone> cidr4_0_zone() {
  auto z = std::make_unique<dns::MemoryZone>();
  z->add("e1.example.com", test::txt("v=spf1 ip4:1.1.1.1/0 -all"));
  return z;
}

R mail_from_result(std::string_view config) {
  FixedClock clock(1'700'000'000);
  auto file = config_text(config);
  auto c = verifier::make_inbound_context(file, cidr4_0_zone(), clock);
  auto d = run_sync(verifier::make_rules(*c, file, options())->decider->decide(cidr4_0()));
  EXPECT_TRUE(d.mail_from.checked);
  return d.mail_from.outcome.result;
}

TEST(InboundContext, SpfEngineFromConfig) {
  EXPECT_EQ(mail_from_result(""), R::pass);
  EXPECT_EQ(mail_from_result("[spf]\nengine = \"native\"\n"), R::pass);
  EXPECT_EQ(mail_from_result("[spf]\nengine = \"libspf2\"\n"), R::permerror);
}

TEST(InboundContext, UnknownEngineIsAConfigError) {
  FixedClock clock(0);
  try {
    verifier::make_inbound_context(config_text("[spf]\nengine = \"nonesuch\"\n"), cidr4_0_zone(), clock);
    FAIL() << "no error";
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    EXPECT_NE(std::string(e.what()).find("spf.engine: 'nonesuch'"), std::string::npos) << e.what();
  }
}

// DelayedZone - owns a zone whose every lookup takes 8 s of `clock`.
class DelayedZone final : public dns::Resolver {
 public:
  explicit DelayedZone(FixedClock& clock) : slow_(zone_, clock, 8) {
    zone_.add("example.com", test::txt("v=spf1 a:a1.example.com a:a2.example.com ip4:1.2.3.4 -all"));
    zone_.add("a1.example.com", test::a_record("198.51.100.1"));
    zone_.add("a2.example.com", test::a_record("198.51.100.2"));
  }
  asio::awaitable<dns::Answer> lookup(std::string name, dns::RrType type) override {
    return slow_.lookup(std::move(name), type);
  }

 private:
  dns::MemoryZone zone_;
  spf::testing::SlowZone slow_;
};

// Three lookups of 8 s: within a 30 s cap, past a 20 s one, with either engine.
TEST(InboundContext, TimeCapFromConfig) {
  for (std::string engine : {"native", "libspf2"}) {
    for (auto [cap, want] : {std::pair{20, R::temperror}, std::pair{30, R::pass}}) {
      FixedClock clock(1'700'000'000);
      auto text = fmt::format("[spf]\nengine = \"{}\"\ntime_cap_seconds = {}\n", engine, cap);
      auto file = config_text(text);
      auto c = verifier::make_inbound_context(file, std::make_unique<DelayedZone>(clock), clock);
      decision::Transaction t{asio::ip::make_address("1.2.3.4"), "", "", "u@example.com", "4F1A2B"};
      auto d = run_sync(verifier::make_rules(*c, file, options())->decider->decide(t));
      EXPECT_EQ(d.mail_from.outcome.result, want) << engine << " cap " << cap << ": " << d.mail_from.outcome.reason;
      if (want == R::temperror) {
        EXPECT_EQ(d.mail_from.outcome.reason, fmt::format("evaluation exceeded {} s", cap)) << engine;
      }
    }
  }
}

}  // namespace
}  // namespace postseal

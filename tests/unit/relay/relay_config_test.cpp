// relay_config_test.cpp - core/relay's settings: XFORWARD peer prefixes, and the DATA-phase and
// error-count limits (data_timeout, min_data_rate, hard_error_limit) with their defaults and
// bounds as an admin sees them; the idle downstream connections kept between sessions
// (relay_idle_seconds, relay_idle_max).
#include "core/relay/relay_config.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::relay {
namespace {

const Defaults kTestDefaults{.listen = "127.0.0.1:10927", .relay = "127.0.0.1:10928",
                             .listen_help = "test listen", .relay_help = "test relay"};

TEST(RelayConfig, XforwardPrefixes) {
  auto defaults = load_relay_config(nullptr, "relaytest", kTestDefaults);
  const auto& p = defaults.xforward_hosts;
  EXPECT_TRUE(p.matches(std::string_view("127.0.0.1")));
  EXPECT_TRUE(p.matches(std::string_view("127.255.0.9")));
  EXPECT_TRUE(p.matches(std::string_view("::1")));
  EXPECT_FALSE(p.matches(std::string_view("192.0.2.1")));
  EXPECT_FALSE(p.matches(std::string_view("unix")));
}

TEST(RelayConfig, DataAndErrorLimitDefaults) {
  auto c = load_relay_config(nullptr, "relaytest", kTestDefaults);
  EXPECT_EQ(c.data_timeout, std::chrono::seconds(kDefaultDataTimeoutSeconds));
  EXPECT_EQ(c.min_data_rate, static_cast<std::size_t>(kDefaultMinDataRate));
  EXPECT_EQ(c.hard_error_limit, static_cast<std::size_t>(kDefaultHardErrorLimit));
  EXPECT_EQ(kDefaultHardErrorLimit, 20);           // Postfix's smtpd_hard_error_limit
  EXPECT_LT(kDefaultDataTimeoutSeconds, kDefaultSessionTimeoutSeconds);  // DATA ends first
}

TEST(RelayConfig, DataAndErrorLimitsFromTheFile) {
  config::declare(relay_config_keys("relaytest", kTestDefaults));
  auto f = config::File::parse(
      "[relaytest]\ndata_timeout = 7\nmin_data_rate = 0\nhard_error_limit = 3\n", "t.toml");
  auto c = load_relay_config(&f, "relaytest", kTestDefaults);
  EXPECT_EQ(c.data_timeout.count(), 7);
  EXPECT_EQ(c.min_data_rate, 0u);
  EXPECT_EQ(c.hard_error_limit, 3u);
  EXPECT_THROW(config::File::parse("[relaytest]\nhard_error_limit = 0\n", "t.toml"), StartupError);
  EXPECT_THROW(config::File::parse("[relaytest]\ndata_timeout = 0\n", "t.toml"), StartupError);
}

TEST(RelayConfig, RelayIdleDefaultsAndBounds) {
  auto c = load_relay_config(nullptr, "relaytest", kTestDefaults);
  EXPECT_EQ(c.relay_idle, std::chrono::seconds(kDefaultRelayIdleSeconds));
  EXPECT_EQ(c.relay_idle_max, static_cast<std::size_t>(kDefaultRelayIdleMax));
  Defaults per_session = kTestDefaults;
  per_session.relay_idle_seconds = 0;  // the proxy's default
  EXPECT_EQ(load_relay_config(nullptr, "relayidle0", per_session).relay_idle.count(), 0);
  config::declare(relay_config_keys("relaytest", kTestDefaults));
  auto f = config::File::parse("[relaytest]\nrelay_idle_seconds = 0\nrelay_idle_max = 3\n", "t.toml");
  auto set = load_relay_config(&f, "relaytest", kTestDefaults);
  EXPECT_EQ(set.relay_idle.count(), 0);
  EXPECT_EQ(set.relay_idle_max, 3u);
  EXPECT_THROW(config::File::parse(fmt::format("[relaytest]\nrelay_idle_seconds = {}\n", kMaxRelayIdleSeconds + 1),
                                   "t.toml"),
               StartupError);
  EXPECT_THROW(config::File::parse(fmt::format("[relaytest]\nrelay_idle_max = {}\n", kMaxRelayIdleMax + 1), "t.toml"),
               StartupError);
}

}  // namespace
}  // namespace postseal::relay

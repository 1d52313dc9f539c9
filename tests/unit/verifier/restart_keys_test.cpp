// restart_keys_test.cpp - which keys a SIGHUP cannot change in `postseal verifier`
// (verifier/restart_keys.hpp): read only at start, less those the command line sets; the one
// warning line names each changed one with its file and line, and nothing when only
// reloadable keys changed.
#include "verifier/restart_keys.hpp"

#include "core/util/config_changes.hpp"

#include "core/dmarc/options.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/metrics/options.hpp"
#include "core/state/options.hpp"
#include "verifier/commands.hpp"
#include "verifier/greylist/options.hpp"
#include "verifier/milter/milter.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace postseal::verifier {
namespace {

class RestartKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    config::declare(config_keys());
    config::declare(milter::config_keys());
    config::declare(greylist::config_keys());
    config::declare(state::config_keys());
    config::declare(dns::dns_config_keys());
    config::declare(metrics::config_keys());
    config::declare(dmarc::config_keys());
  }
  static bool has(const std::vector<std::string>& keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  }
};

TEST_F(RestartKeys, ListenersThreadsResolverStoreAndUserNeedARestart) {
  const Settings none;
  auto keys = restart_keys(none);
  for (auto key : {"verifier.policy_listen", "verifier.threads", "verifier.user", "milter.listen",
                   "milter.timeout", "proxy.listen", "proxy.enable", "dns.server", "dns.timeout_ms",
                   "state.backend", "state.path", "spf.engine", "greylist.enable"})
    EXPECT_TRUE(has(keys, key)) << key;
  for (auto key :
       {"verifier.mail_from_reject", "milter.tag", "milter.refuse_fail", "proxy.received_spf",
        "proxy.max_message_size", "proxy.relay", "greylist.delay", "greylist.defer_text"})
    EXPECT_FALSE(has(keys, key)) << key << " is reloaded";
}

TEST_F(RestartKeys, FailureReportKeysNeedARestart) {
  auto keys = restart_keys(Settings{});
  for (auto key :
       {"dmarc.failure_reports", "dmarc.failure_report_redact", "dmarc.failure_report_rate",
        "dmarc.failure_report_global_rate", "dmarc.failure_report_queue",
        "dmarc.failure_report_redact_key", "dmarc.report_sendmail_timeout"})
    EXPECT_TRUE(has(keys, key)) << key;
}

TEST_F(RestartKeys, KeysTheCommandLineSetsAreLeftOut) {
  Settings s;
  s.listen = {"unix:/run/p.sock"};
  s.user = "postseal";
  s.milter = "127.0.0.1:10041";
  s.proxy = true;
  s.proxy_listen = "127.0.0.1:10025";
  s.greylist = true;
  s.dns.server = "127.0.0.1@5353";
  auto keys = restart_keys(s);
  for (auto key : {"verifier.policy_listen", "verifier.user", "milter.listen", "proxy.enable",
                   "proxy.listen", "greylist.enable", "dns.server"})
    EXPECT_FALSE(has(keys, key)) << key;
  EXPECT_TRUE(has(keys, "dns.timeout_ms"));
}

TEST_F(RestartKeys, TheNoteNamesEachChangedKeyWithItsLine) {
  const Settings none;
  const auto keys = restart_keys(none);
  auto running =
      config::File::parse("[milter]\nlisten = \"127.0.0.1:10041\"\ntag = \"[a]\"\n", "v.toml");
  struct Case {
    std::string reread;
    std::string want;
  };
  const Case cases[] = {
      {"[milter]\nlisten = \"127.0.0.1:10041\"\ntag = \"[b]\"\n", ""},
      {"[milter]\ntag = \"[b]\"\nlisten = \"127.0.0.1:10042\"\n",
       "changed, restart to apply (the running values stay): milter.listen (v.toml, line 3)"},
      {"[verifier]\nthreads = 4\n[milter]\nlisten = \"127.0.0.1:10041\"\n[state]\nbackend = "
       "\"memory\"\n",
       "changed, restart to apply (the running values stay): verifier.threads (v.toml, line 2), "
       "state.backend (v.toml, line 6)"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(config::restart_note(running, config::File::parse(c.reread, "v.toml"), keys), c.want)
        << c.reread;
}

}  // namespace
}  // namespace postseal::verifier

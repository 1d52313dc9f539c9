// dns_hook_test.cpp - keys/rotation/dns_hook.hpp and run_command.hpp: which records a tick
// asks the hook to publish or revoke, the hook gets them in argv and environment (no shell:
// a value with spaces and quotes is one argument), failures and time-outs are reported.
#include "keys/rotation/dns_hook.hpp"
#include "keys/rotation/run_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::rotation {
namespace {

Record key(std::string s, State state) {
  return Record{"example.com", std::move(s), crypto::KeyType::rsa, state, 1, 1, "/k/x.private", "v=DKIM1; k=rsa; p=AB"};
}

TEST(DnsHook, CallsForPendingAndRevoked) {
  std::vector<Event> events{{Change::waiting, key("new", State::pending), "no record"},
                            {Change::published, key("p", State::published), ""},
                            {Change::retired, key("old", State::retiring), ""},
                            {Change::revoked, key("older", State::revoked), ""},
                            {Change::withdrawn, key("gone", State::pending), ""}};
  auto calls = hook_calls(events);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].action, "publish");
  EXPECT_EQ(calls[0].name, "new._domainkey.example.com");
  EXPECT_EQ(calls[0].value, "v=DKIM1; k=rsa; p=AB");
  EXPECT_EQ(calls[1].action, "revoke");
  EXPECT_EQ(calls[1].name, "older._domainkey.example.com");
  EXPECT_EQ(calls[1].value, "v=DKIM1; k=rsa; p=");
  EXPECT_EQ(calls[2].name, "gone._domainkey.example.com");
}

struct Script {
  std::filesystem::path dir, path, out;
  explicit Script(const std::string& body) {
    char tmpl[] = "/tmp/postseal-hook-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir / "hook";
    out = dir / "out";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0700);
  }
  ~Script() { std::filesystem::remove_all(dir); }
  std::string output() const {
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

TEST(DnsHook, ArgvAndEnvironment) {
  Script s("printf '%s|%s|%s|%s|%s\\n' \"$#\" \"$1\" \"$2\" \"$3\" \"$POSTSEAL_DNS_VALUE\" > \"$(dirname \"$0\")/out\"");
  auto run = run_dns_hook(s.path, HookCall{"publish", "s1._domainkey.example.com", "v=DKIM1; k=rsa; p=\"AB\" $(x)"});
  ASSERT_TRUE(run.has_value()) << run.error();
  EXPECT_EQ(s.output(),
            "3|publish|s1._domainkey.example.com|v=DKIM1; k=rsa; p=\"AB\" $(x)|v=DKIM1; k=rsa; p=\"AB\" $(x)\n");
}

TEST(RunCommand, Failures) {
  Script fails("exit 3");
  auto exit3 = run_command({fails.path}, {});
  ASSERT_FALSE(exit3.has_value());
  EXPECT_NE(exit3.error().find("exit 3"), std::string::npos) << exit3.error();
  auto missing = run_command({"/nonexistent/postseal-hook"}, {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("could not be run"), std::string::npos) << missing.error();
  Script slow("exec sleep 30");
  auto timeout = run_command({slow.path}, {}, std::chrono::seconds(1));
  ASSERT_FALSE(timeout.has_value());
  EXPECT_NE(timeout.error().find("killed after 1 s"), std::string::npos) << timeout.error();
  EXPECT_FALSE(run_command({}, {}).has_value());
  EXPECT_TRUE(run_command({"true"}, {}).has_value()) << "found in PATH";
}

}  // namespace
}  // namespace postseal::rotation

// redis_faults_test.cpp - RedisStore against real and broken servers (integration: runs only
// when POSTSEAL_TEST_REDIS is set, tests/integration/state_redis.sh): AUTH and SELECT; a
// server stopped mid-run (unavailable or timeout, each within state.timeout_ms, and at once
// during the reconnect pause) and restarted (works again); a hung server (SIGSTOP: timeout);
// a server answering garbage or an error (bad_reply); one that accepts and never answers
// (timeout within timeout_ms); nothing listening (unavailable).
#include "redis_servers.hpp"
#include "test_backends.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace postseal::state::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kTimeoutMs = 200;
// kSlack - scheduling slack allowed over timeout_ms (2 shared cores, busy builds).
constexpr milliseconds kSlack{150};

class RedisFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis_from_env()) GTEST_SKIP() << "POSTSEAL_TEST_REDIS not set (integration only)";
  }
  static std::unique_ptr<RedisStore> store(const std::string& address, std::string password = "",
                                           int database = 0) {
    RedisOptions o;
    o.address = *parse_redis_address(address);
    o.password = std::move(password);
    o.database = database;
    o.key_prefix = unique_prefix("faults");
    o.timeout_ms = kTimeoutMs;
    return std::make_unique<RedisStore>(o);
  }
};

// timed - run `op`, return its result and how long it took.
template <typename F>
auto timed(F&& op) {
  auto start = Clock::now();
  auto result = op();
  return std::pair(result, std::chrono::duration_cast<milliseconds>(Clock::now() - start));
}

bool is_outage(StoreError e) { return e == StoreError::unavailable || e == StoreError::timeout; }

TEST_F(RedisFaults, PasswordAndDatabase) {
  RedisServer server({"--requirepass", "s3cret"});
  auto db3 = store(server.address(), "s3cret", 3);
  ASSERT_TRUE(db3->put("k", "in three", 60)) << "AUTH + SELECT 3";
  EXPECT_EQ(db3->get("k"), Result<std::optional<std::string>>("in three"));
  RedisOptions o;
  o.address = *parse_redis_address(server.address());
  o.password = "s3cret";
  o.key_prefix = unique_prefix("faults");
  RedisStore db0(o);
  EXPECT_EQ(db0.get("k"), Result<std::optional<std::string>>(std::nullopt)) << "database 0";
  EXPECT_EQ(store(server.address(), "wrong")->get("k").error(), StoreError::bad_reply);
  EXPECT_EQ(store(server.address())->get("k").error(), StoreError::bad_reply) << "NOAUTH";
}

TEST_F(RedisFaults, StoppedMidRunThenRestarted) {
  RedisServer server;
  auto s = store(server.address());
  ASSERT_TRUE(s->put("k", "v", 60));
  ASSERT_TRUE(s->increment("n", 1, 60));
  server.stop();
  // Fail open, fast: each operation within timeout_ms, for longer than the reconnect pause.
  milliseconds slowest{0};
  int outages = 0;
  auto until = Clock::now() + milliseconds(1500);
  while (Clock::now() < until) {
    auto [r, took] = timed([&] { return s->get("k"); });
    ASSERT_FALSE(r) << "server is down";
    EXPECT_TRUE(is_outage(r.error())) << to_string(r.error());
    slowest = std::max(slowest, took);
    ++outages;
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_LE(slowest, milliseconds(kTimeoutMs) + kSlack);
  EXPECT_GT(outages, 50);
  server.start();  // same port
  auto back = Clock::now() + milliseconds(3000);
  Result<std::optional<std::string>> r = std::unexpected(StoreError::unavailable);
  while (Clock::now() < back && !r) {
    r = s->get("k");
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(r) << "works again after the restart";
  EXPECT_EQ(*r, std::nullopt) << "a fresh server (no persistence)";
  EXPECT_EQ(s->increment("n", 1, 60), Result<std::int64_t>(1));
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(s->put("k" + std::to_string(i), "v", 60));
}

TEST_F(RedisFaults, HungServerTimesOutThenFailsAtOnce) {
  RedisServer server;
  auto s = store(server.address());
  ASSERT_TRUE(s->put("k", "v", 60));
  server.pause();
  auto [first, took] = timed([&] { return s->get("k"); });
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error(), StoreError::timeout);
  EXPECT_GE(took, milliseconds(kTimeoutMs - 10));
  EXPECT_LE(took, milliseconds(kTimeoutMs) + kSlack);
  // During the reconnect pause every call returns unavailable without waiting.
  for (int i = 0; i < 20; ++i) {
    auto [r, quick] = timed([&] { return s->put_if_absent("p", "v", 60); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), StoreError::unavailable);
    EXPECT_LT(quick, milliseconds(20));
  }
  server.resume();
  std::this_thread::sleep_for(kReconnectPause + milliseconds(50));
  EXPECT_EQ(s->get("k"), Result<std::optional<std::string>>("v"));
}

TEST_F(RedisFaults, GarbageIsBadReply) {
  FakeServer garbage("%%% not RESP at all\r\n");
  EXPECT_EQ(store(garbage.address())->get("k").error(), StoreError::bad_reply);
  FakeServer error("-ERR something broke\r\n");
  auto s = store(error.address());
  EXPECT_EQ(s->get("k").error(), StoreError::bad_reply);
  FakeServer wrong_type(":42\r\n");
  EXPECT_EQ(store(wrong_type.address())->get("k").error(), StoreError::bad_reply);
  FakeServer bad_scan("*1\r\n$1\r\n0\r\n");
  EXPECT_EQ(store(bad_scan.address())->count("").error(), StoreError::bad_reply);
  FakeServer huge_length("$99999999999\r\n");
  EXPECT_FALSE(store(huge_length.address())->get("k"));
}

TEST_F(RedisFaults, SilentServerTimesOutWithinTimeout) {
  FakeServer silent("");
  auto s = store(silent.address());
  auto [r, took] = timed([&] { return s->increment("n", 1, 60); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), StoreError::timeout);
  EXPECT_GE(took, milliseconds(kTimeoutMs - 10));
  EXPECT_LE(took, milliseconds(kTimeoutMs) + kSlack);
  auto with_auth = store(silent.address(), "pw", 2);
  auto [a, auth_took] = timed([&] { return with_auth->get("k"); });
  EXPECT_EQ(a.error(), StoreError::timeout);
  EXPECT_LE(auth_took, milliseconds(kTimeoutMs) + kSlack) << "AUTH + SELECT share the deadline";
}

TEST_F(RedisFaults, NothingListeningIsUnavailable) {
  auto s = store("127.0.0.1:" + std::to_string(free_port()));
  auto [r, took] = timed([&] { return s->get("k"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), StoreError::unavailable);
  EXPECT_LT(took, milliseconds(kTimeoutMs));
  auto unix_socket = store("unix:/nonexistent/redis.sock");
  EXPECT_EQ(unix_socket->get("k").error(), StoreError::unavailable);
}

}  // namespace
}  // namespace postseal::state::test

// sqlite_batched_test.cpp - SqliteStore's group commit (put_if_absent_or_get_batched,
// put_batched): answered at once from the pending writes, visible to this process, in the
// file (what other processes read) only once the upkeep committed them; the first write to
// reach the file wins; a synchronous write of a pending key waits for its commit; beyond
// kMaxPendingWrites writes are synchronous; closing the store commits what is pending.
#include "core/state/sqlite_store.hpp"
#include "test_backends.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

namespace postseal::state::test {
namespace {

// OtherProcess - a connection of its own to the file, as another postseal process has.
class OtherProcess {
 public:
  explicit OtherProcess(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~OtherProcess() { sqlite3_close(db_); }
  // value - the row of `key` in the file, or nullopt.
  std::optional<std::string> value(const std::string& key) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, "SELECT value FROM state WHERE key = ?1", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    std::optional<std::string> out;
    if (sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }
  void insert(const std::string& key, const std::string& value) {
    std::string sql = "INSERT INTO state (key, value, expires) VALUES ('" + key + "', '" + value + "', 0)";
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }

 private:
  sqlite3* db_ = nullptr;
};

class Batched : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "b.db").string(); }
  TempDir dir_;
  FixedClock clock_{kStart};
};

TEST_F(Batched, AnsweredAtOnceCommittedByTheUpkeep) {
  SqliteStore store(path(), clock_, 1000, 200, Upkeep::caller);
  OtherProcess other(path());
  auto first = store.put_if_absent_or_get_batched("t", "1,1", 60);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->set);
  auto second = store.put_if_absent_or_get_batched("t", "2,2", 60);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->set);
  EXPECT_EQ(second->existing, "1,1");
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>("1,1"));
  EXPECT_EQ(other.value("t"), std::nullopt);  // not in the file yet
  EXPECT_TRUE(store.put_batched("t", "1,5", 60));
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>("1,5"));
  EXPECT_EQ(store.maintain().committed, 1u);
  EXPECT_EQ(other.value("t"), "1,5");
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>("1,5"));
}

TEST_F(Batched, AnExpiredPendingWriteFreesTheKey) {
  SqliteStore store(path(), clock_, 1000, 200, Upkeep::caller);
  ASSERT_TRUE(store.put_if_absent_or_get_batched("t", "a", 5));
  clock_.advance(6);
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>(std::nullopt));
  auto again = store.put_if_absent_or_get_batched("t", "b", 5);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->set);
  store.maintain();
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>("b"));
}

TEST_F(Batched, TheFirstWriteToReachTheFileWins) {
  SqliteStore store(path(), clock_, 1000, 200, Upkeep::caller);
  OtherProcess other(path());
  auto mine = store.put_if_absent_or_get_batched("t", "mine", 60);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->set);   // told `set`: the other process's row was not there yet
  other.insert("t", "theirs");
  store.maintain();
  EXPECT_EQ(other.value("t"), "theirs");
  EXPECT_EQ(store.get("t"), Result<std::optional<std::string>>("theirs"));
}

TEST_F(Batched, ASynchronousWriteOfAPendingKeyComesAfterIt) {
  SqliteStore store(path(), clock_, 1000, 200, Upkeep::caller);
  OtherProcess other(path());
  ASSERT_TRUE(store.put_batched("k", "batched", 60));
  ASSERT_TRUE(store.put("k", "synchronous", 60));
  EXPECT_EQ(other.value("k"), "synchronous");
  EXPECT_EQ(store.maintain().committed, 0u);  // the pending write went first
  EXPECT_EQ(other.value("k"), "synchronous");
  ASSERT_TRUE(store.put_batched("c", "7", 60));
  EXPECT_EQ(store.increment("c", 1, 60), Result<std::int64_t>(8));
  ASSERT_TRUE(store.put_batched("e", "x", 60));
  EXPECT_EQ(store.erase("e"), Result<bool>(true));
  EXPECT_EQ(other.value("e"), std::nullopt);
}

// The same with the upkeep thread: the synchronous write waits for the thread's commit.
TEST_F(Batched, ASynchronousWriteWaitsForTheThreadsCommit) {
  SqliteStore store(path(), clock_, 1000, 2000);
  OtherProcess other(path());
  ASSERT_TRUE(store.put_batched("k", "batched", 60));
  EXPECT_EQ(store.put_if_absent("k", "synchronous", 60), Result<bool>(false));
  EXPECT_EQ(other.value("k"), "batched");
}

TEST_F(Batched, BeyondThePendingLimitWritesAreSynchronous) {
  SqliteStore store(path(), clock_, 1000000, 200, Upkeep::caller);
  OtherProcess other(path());
  for (std::size_t i = 0; i < kMaxPendingWrites; ++i)
    ASSERT_TRUE(store.put_if_absent_or_get_batched("t" + std::to_string(i), "v", 60));
  EXPECT_EQ(other.value("t0"), std::nullopt);
  ASSERT_TRUE(store.put_if_absent_or_get_batched("over", "v", 60));
  ASSERT_TRUE(store.put_batched("over2", "v", 60));
  EXPECT_EQ(other.value("over"), "v");
  EXPECT_EQ(other.value("over2"), "v");
  EXPECT_EQ(store.maintain().committed, kMaxPendingWrites);  // kMaxBatchWrites per transaction
  EXPECT_EQ(other.value("t" + std::to_string(kMaxPendingWrites - 1)), "v");
}

// Threads of one process claiming the same keys while the upkeep commits: one `set` a key.
TEST_F(Batched, OneProcessHandsAKeyOutOnce) {
  constexpr int kThreads = 4, kKeys = 3000;
  SqliteStore store(path(), clock_, 1000000, 2000);
  std::vector<std::atomic<int>> sets(kKeys);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeys; ++i) {
        int k = (i * 7 + t * 1000) % kKeys;
        auto claim = store.put_if_absent_or_get_batched("t" + std::to_string(k), std::to_string(t), 60);
        if (claim && claim->set) sets[k].fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < kKeys; ++k) ASSERT_EQ(sets[k].load(), 1) << "key t" << k;
  EXPECT_EQ(store.count("t"), Result<std::size_t>(kKeys));
}

TEST_F(Batched, ClosingCommitsWhatIsPending) {
  {
    SqliteStore store(path(), clock_, 1000, 200);
    ASSERT_TRUE(store.put_batched("k", "v", 60));
  }
  OtherProcess other(path());
  EXPECT_EQ(other.value("k"), "v");
}

}  // namespace
}  // namespace postseal::state::test

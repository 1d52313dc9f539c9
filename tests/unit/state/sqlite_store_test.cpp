// sqlite_store_test.cpp - what only SqliteStore does: the start-up checks of its file
// (read-only, corrupt, not a database, missing or unwritable directory: a StartupError naming
// the file), the state surviving a reopen, a lock held by another process giving timeout
// within state.timeout_ms, the max_entries bound checked every bound_interval() inserts (by
// the upkeep, or inline when it lags), WAL checkpoints kept off the writing thread, expire()
// in batches.
// As root, "read-only" and "unwritable" are tried in a child that became nobody (root writes
// anything); otherwise with file modes.
#include "core/state/sqlite_store.hpp"
#include "core/state/memory_store.hpp"
#include "core/util/errors.hpp"
#include "test_backends.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace postseal::state::test {
namespace {

// open_error - the StartupError message opening `path` gives ("" when it opens).
std::string open_error(const std::string& path) {
  FixedClock clock(kStart);
  try {
    SqliteStore store(path, clock, 100, 200);
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    return e.what();
  }
  return "";
}

// open_as_unprivileged - open `path` as a user who cannot write it; exits with the
// StartupError's code and its message on stderr (a death-test body).
[[noreturn]] void open_as_unprivileged(const std::string& path) {
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(1);
  std::string error = open_error(path);
  std::fprintf(stderr, "%s\n", error.c_str());
  _exit(error.empty() ? 0 : kExitConfig);
}

void make_store(const std::string& path) {
  FixedClock clock(kStart);
  SqliteStore store(path, clock, 100, 200);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store.put("key" + std::to_string(i), "value", 0));
}

class SqliteFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ::chmod(dir_.path().c_str(), 0755);  // nobody may look in (and not write)
  }
  std::string file(const char* name) const { return (dir_.path() / name).string(); }
  TempDir dir_;
};

TEST_F(SqliteFile, CreatesAndReopensWithTheState) {
  make_store(file("s.db"));
  FixedClock clock(kStart);
  SqliteStore again(file("s.db"), clock, 100, 200);
  EXPECT_EQ(again.count(""), Result<std::size_t>(50));
  EXPECT_EQ(again.name(), "sqlite:" + file("s.db"));
}

TEST_F(SqliteFile, ReadOnlyFileIsAStartupErrorNamingIt) {
  make_store(file("ro.db"));
  ASSERT_EQ(::chmod(file("ro.db").c_str(), 0444), 0);
  EXPECT_EXIT(open_as_unprivileged(file("ro.db")), ::testing::ExitedWithCode(kExitConfig),
              "state.path .*/ro.db: .*read-only");
}

TEST_F(SqliteFile, UnwritableDirectoryIsAStartupErrorNamingIt) {
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0555), 0);
  EXPECT_EXIT(open_as_unprivileged(file("new.db")), ::testing::ExitedWithCode(kExitConfig),
              "state.path .*/new.db: .*(cannot create|cannot write)");
  ::chmod(dir_.path().c_str(), 0755);
}

TEST_F(SqliteFile, MissingDirectoryIsAStartupErrorNamingIt) {
  std::string error = open_error(file("no/such/dir/state.db"));
  EXPECT_NE(error.find("state.path " + file("no/such/dir/state.db")), std::string::npos) << error;
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
}

TEST_F(SqliteFile, NotADatabaseIsAStartupErrorNamingIt) {
  std::ofstream(file("junk.db")) << std::string(8192, 'x');
  std::string error = open_error(file("junk.db"));
  EXPECT_NE(error.find("state.path " + file("junk.db") + ": corrupt"), std::string::npos) << error;
}

TEST_F(SqliteFile, DamagedPageIsAStartupErrorNamingIt) {
  make_store(file("damaged.db"));
  {
    std::fstream f(file("damaged.db"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 + 8);  // page 2 (the table's root): its cell pointers
    f << std::string(200, '\xee');
  }
  std::string error = open_error(file("damaged.db"));
  EXPECT_NE(error.find("state.path " + file("damaged.db") + ": corrupt"), std::string::npos)
      << error;
}

TEST_F(SqliteFile, DirectoryAtThePathIsAStartupError) {
  std::filesystem::create_directory(file("dir.db"));
  EXPECT_NE(open_error(file("dir.db")).find("state.path " + file("dir.db")), std::string::npos);
}

TEST_F(SqliteFile, LockedByAnotherProcessTimesOutWithinTheTimeout) {
  FixedClock clock(kStart);
  SqliteStore store(file("locked.db"), clock, 100, 100);
  ASSERT_TRUE(store.put("k", "v", 0));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(file("locked.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store.put("k", "w", 0), Result<void>(std::unexpected(StoreError::timeout)));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::milliseconds(1000));
  EXPECT_EQ(store.get("k"), Result<std::optional<std::string>>("v"));  // WAL: readers go on
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(store.put("k", "w", 0));
}

// The check interval: 1 for small bounds, max/kBoundCheckDivisor, at most kMaxRowsOverBound.
TEST(BoundedStores, CheckIntervalIsClamped) {
  TempDir dir;
  FixedClock clock(kStart);
  EXPECT_EQ(SqliteStore((dir.path() / "s.db").string(), clock, 10, 200).bound_interval(), 1u);
  EXPECT_EQ(SqliteStore((dir.path() / "l.db").string(), clock, 1000000000, 200).bound_interval(),
            kMaxRowsOverBound);
}

// The bound with a large max_entries: checked every max/kBoundCheckDivisor inserts, never far over.
TEST(BoundedStores, StayNearMaxEntries) {
  constexpr std::size_t kMax = 6400;
  TempDir dir;
  FixedClock clock(kStart);
  SqliteStore sqlite((dir.path() / "b.db").string(), clock, kMax, 200);
  MemoryStore memory(clock, kMax);
  EXPECT_EQ(sqlite.bound_interval(), kMax / kBoundCheckDivisor);
  for (std::size_t i = 0; i < 5 * kMax; ++i) {
    std::string key = "triplet:" + std::to_string(i);
    ASSERT_TRUE(sqlite.put_if_absent(key, "1", 3600 + static_cast<std::int64_t>(i)));
    ASSERT_TRUE(memory.put_if_absent(key, "1", 3600 + static_cast<std::int64_t>(i)));
  }
  EXPECT_EQ(memory.count(""), Result<std::size_t>(kMax));
  auto n = sqlite.count("");
  ASSERT_TRUE(n);
  EXPECT_GE(*n, kMax);
  EXPECT_LE(*n, kMax + kBoundLag * sqlite.bound_interval());
  // The newest survive (the oldest expiry went first).
  EXPECT_TRUE(*sqlite.get("triplet:" + std::to_string(5 * kMax - 1)));
  EXPECT_FALSE(*sqlite.get("triplet:0"));
}

// octets - the size of `path` in octets (0 when missing).
std::uintmax_t octets(const std::filesystem::path& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

// A write only appends to the WAL: copying it into the file (two fsyncs) is the upkeep's.
TEST(SqliteUpkeep, WritesNeverCheckpoint) {
  TempDir dir;
  FixedClock clock(kStart);
  auto db = dir.path() / "c.db";
  SqliteStore store(db.string(), clock, 1000000, 200, Upkeep::caller);
  const auto before = octets(db);
  for (int i = 0; i < 3 * kCheckpointFrames; ++i)
    ASSERT_TRUE(store.put("k" + std::to_string(i), std::string(100, 'v'), 0));
  EXPECT_EQ(octets(db), before);  // SQLite's automatic checkpoint would have grown it
  EXPECT_GT(octets(db.string() + "-wal"), std::uintmax_t(4096) * kCheckpointFrames);
  auto report = store.maintain();
  EXPECT_GE(report.checkpointed_frames, kCheckpointFrames);
  EXPECT_GT(octets(db), before);
  EXPECT_EQ(store.count(""), Result<std::size_t>(3 * kCheckpointFrames));
}

// maintain() checks the bound once bound_interval() inserts asked for it: expired rows
// first, then the oldest expiry.
TEST(SqliteUpkeep, MaintainHoldsTheBound) {
  constexpr std::size_t kMax = 6400, kInterval = kMax / kBoundCheckDivisor;
  TempDir dir;
  FixedClock clock(kStart);
  SqliteStore store((dir.path() / "m.db").string(), clock, kMax, 200, Upkeep::caller);
  for (std::size_t i = 0; i < kMax + kInterval; ++i) {
    auto ttl = i < 10 ? 5 : 3600 + static_cast<std::int64_t>(i);
    ASSERT_TRUE(store.put_if_absent("t:" + std::to_string(i), "1", ttl));
  }
  EXPECT_EQ(store.count(""), Result<std::size_t>(kMax + kInterval));  // not checked inline yet
  clock.advance(10);  // t:0..t:9 expired
  auto report = store.maintain();
  ASSERT_TRUE(report.rows);
  EXPECT_EQ(*report.rows, kMax + kInterval);
  EXPECT_EQ(report.removed, kInterval);
  EXPECT_EQ(store.count(""), Result<std::size_t>(kMax));
  // the 10 expired rows went, then the kInterval - 10 with the oldest expiry
  EXPECT_FALSE(*store.get("t:" + std::to_string(kInterval - 1)));
  EXPECT_TRUE(*store.get("t:" + std::to_string(kInterval)));
  EXPECT_FALSE(store.maintain().rows);  // not due again until bound_interval() inserts
}

// Without an upkeep that keeps up, inserts check inline: never over kBoundLag intervals.
TEST(SqliteUpkeep, InsertsCheckInlineWhenTheUpkeepLags) {
  constexpr std::size_t kMax = 6400;
  TempDir dir;
  FixedClock clock(kStart);
  SqliteStore store((dir.path() / "l.db").string(), clock, kMax, 200, Upkeep::caller);
  std::size_t most = 0;
  for (std::size_t i = 0; i < 3 * kMax; ++i) {
    ASSERT_TRUE(store.put_if_absent("t:" + std::to_string(i), "1", 3600));
    if (i % 50 == 0) most = std::max(most, *store.count(""));
  }
  EXPECT_GT(most, kMax);
  EXPECT_LE(most, kMax + kBoundLag * store.bound_interval());
  EXPECT_LE(*store.count(""), kMax + kBoundLag * store.bound_interval());
}

// expire() deletes every expired row, kDeleteBatch per statement.
TEST(SqliteUpkeep, ExpireRemovesEveryBatch) {
  TempDir dir;
  FixedClock clock(kStart);
  SqliteStore store((dir.path() / "e.db").string(), clock, 1000000, 200, Upkeep::caller);
  const std::size_t expiring = 3 * kDeleteBatch + 7;
  for (std::size_t i = 0; i < expiring; ++i) ASSERT_TRUE(store.put("x" + std::to_string(i), "1", 5));
  ASSERT_TRUE(store.put("kept", "1", 0));
  clock.advance(6);
  EXPECT_EQ(store.expire(), Result<std::size_t>(expiring));
  EXPECT_EQ(store.count(""), Result<std::size_t>(1));
}

}  // namespace
}  // namespace postseal::state::test

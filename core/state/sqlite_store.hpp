// sqlite_store.hpp - the default Store: one SQLite file (state.path, default
// /var/lib/postseal/state.db), nothing to run, survives restarts, shared by the postseal
// processes of one host (not across hosts: that is RedisStore).
//
// Layout: table state(key TEXT PRIMARY KEY, value TEXT, expires INTEGER: seconds since the
// epoch, 0 = none) with an index on expires; WAL journal, synchronous=NORMAL (a power loss
// may forget the last writes, never corrupt the file), busy_timeout = state.timeout_ms.
// Expiry is checked against the injected Clock. Opening checks the file (PRAGMA quick_check)
// and that it can be written: a missing or unwritable directory, a read-only file or a corrupt
// one is a StartupError (exit 78) naming the file and the problem. After that every failure
// is a StoreError (busy past the timeout: timeout; I/O error, disk full: unavailable).
// Untrusted input: keys and values (store.hpp limits; bound as SQL parameters, never
// spliced), and the file itself (checked at open). One connection behind a mutex answers the
// calls (they are serialised); a second one, on a background thread (WorkerThread), does
// what would stall them:
// - WAL checkpoints: SQLite's automatic checkpoint (copy the WAL into the file, fsync twice)
//   ran inside the commit that crossed 1000 WAL pages, on the answering thread, tens of ms on
//   a busy disk; here the commit only pokes the thread once the WAL holds kCheckpointFrames
//   and it checkpoints PASSIVE (never waiting for, nor blocking, a writer), repeating up to
//   kCheckpointRounds times for the frames written meanwhile so that the WAL restarts (the
//   thread also commits the batched writes below, so those never chase its checkpoint).
// - the max_entries bound (docs/security.md 51): every bound_interval() inserts the thread
//   counts the rows on its connection (a full scan: ms per 100,000 rows, no lock held); over
//   max_entries, expired rows go, then the oldest expiry, then the oldest rows without expiry
//   (MemoryStore's order), kDeleteBatch rows per statement with the mutex released between
//   statements. When the thread is kBoundLag intervals behind, the insert that finds it so
//   checks inline (after the check the thread may be running). So the table holds at most
//   max_entries + kBoundLag * bound_interval() rows (at most kBoundLag * kMaxRowsOverBound
//   over); below 2 * kBoundCheckDivisor entries (interval 1) every insert checks inline.
// - group commit of batched writes (put_if_absent_or_get_batched, put_batched: greylist
//   triplets only, store.hpp): they are answered at once from PendingWrites (an overlay
//   this process's reads consult first; a claim checks it and the file under the mutex, so
//   one process never hands a key out twice) and committed by the thread within
//   kBatchWindow, at most kMaxBatchWrites per transaction: one commit for many requests.
//   What changes: other processes see such a write up to kBatchWindow later; two of them
//   claiming one triplet in that window may both be told `set` (the first commit stays; the
//   other's is dropped, both deferred the sender); a crash loses at most the last
//   kBatchWindow of them (synchronous=NORMAL already lets a power loss forget the last
//   commits) - each only greylists a sender again. scan() and count() commit them first.
//   A synchronous write of a key with a pending write waits for its commit (at most
//   state.timeout_ms, then timeout); beyond kMaxPendingWrites, batched writes are made
//   synchronously; closing the store commits what is pending.
// expire() deletes in the same batches. Upkeep::caller (tests) starts no thread: the owner
// calls maintain().
#pragma once

#include "core/state/pending_writes.hpp"
#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct sqlite3;

namespace postseal::state {

// kBoundCheckDivisor / kMaxRowsOverBound - the row count is checked every
// max_entries/kBoundCheckDivisor inserts (at least 1, at most kMaxRowsOverBound), so a full
// table costs one COUNT per that many inserts, not one per insert.
inline constexpr std::size_t kBoundCheckDivisor = 64;
inline constexpr std::size_t kMaxRowsOverBound = 1024;
// kBoundLag - bound intervals the upkeep thread may fall behind before inserts check inline.
inline constexpr std::size_t kBoundLag = 2;
// kDeleteBatch - rows one eviction or expiry statement deletes (the mutex is released between).
inline constexpr std::size_t kDeleteBatch = 256;
// kCheckpointFrames - WAL frames (pages) after which a commit asks for a checkpoint (SQLite's
// own default for its automatic one).
inline constexpr int kCheckpointFrames = 1000;
// kCheckpointRounds - PASSIVE checkpoints in a row while writers added frames meanwhile.
inline constexpr int kCheckpointRounds = 3;
// kBatchWindow - a batched write is committed at most this long after it was answered
// (sooner when kMaxBatchWrites are pending).
inline constexpr std::chrono::milliseconds kBatchWindow{5};
// kUpkeepPeriod - the upkeep thread also runs this often unpoked (checkpoints what is left).
inline constexpr std::chrono::milliseconds kUpkeepPeriod{1000};

// kDefaultSqlitePath - where state.path points by default.
inline constexpr std::string_view kDefaultSqlitePath = "/var/lib/postseal/state.db";

class SqliteStatements;
class WorkerThread;

// Upkeep - who runs SqliteStore::maintain(): its own thread, or the owner (tests).
enum class Upkeep { thread, caller };

// UpkeepReport - what one maintain() did.
struct UpkeepReport {
  std::size_t committed = 0;        // batched writes committed
  int checkpointed_frames = 0;      // WAL frames copied into the file
  std::optional<std::size_t> rows;  // the row count, when the bound was checked
  std::size_t removed = 0;          // rows expired or evicted to hold the bound
};

// SqliteStore - see above; `clock` must outlive the store.
class SqliteStore final : public Store {
 public:
  // SqliteStore - open (creating) `path`; throws StartupError (kExitConfig) naming it.
  SqliteStore(std::string path, const Clock& clock, std::size_t max_entries, int timeout_ms,
              Upkeep upkeep = Upkeep::thread);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::optional<std::string>> get(std::string_view key) override;
  Result<void> put(std::string_view key, std::string_view value, std::int64_t ttl_seconds) override;
  Result<bool> put_if_absent(std::string_view key, std::string_view value,
                             std::int64_t ttl_seconds) override;
  // put_if_absent_or_get - one IMMEDIATE transaction: the live row's value, else the insert.
  Result<Claim> put_if_absent_or_get(std::string_view key, std::string_view value,
                                     std::int64_t ttl_seconds) override;
  // put_if_absent_or_get_batched / put_batched - answered from pending_ and the file,
  // committed by the upkeep thread within kBatchWindow (group commit, see above).
  Result<Claim> put_if_absent_or_get_batched(std::string_view key, std::string_view value,
                                             std::int64_t ttl_seconds) override;
  Result<void> put_batched(std::string_view key, std::string_view value,
                           std::int64_t ttl_seconds) override;
  Result<std::int64_t> increment(std::string_view key, std::int64_t by,
                                 std::int64_t ttl_seconds) override;
  Result<bool> erase(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view prefix,
                                                                std::size_t limit) override;
  Result<std::size_t> count(std::string_view prefix) override;
  Result<std::size_t> expire() override;
  std::string name() const override { return "sqlite:" + path_; }

  // bound_interval - inserts between two checks of max_entries (1 for small bounds).
  std::size_t bound_interval() const { return bound_interval_; }
  // maintain - the upkeep due now (see above), on the calling thread; the upkeep thread's job.
  UpkeepReport maintain();

 private:
  enum class Removal { expired, oldest_expiring, oldest_forever };
  static int on_commit(void* self, sqlite3* db, const char* name, int frames);
  void poke();
  void schedule_commit();
  Result<void> wait_committed(std::unique_lock<std::mutex>& lock, std::string_view key);
  std::size_t flush();
  Result<std::size_t> commit_batch(const std::vector<PendingWrite>& batch);
  int checkpoint();
  void inserted(std::int64_t now, std::unique_lock<std::mutex>& lock);
  Result<std::pair<std::size_t, std::size_t>> check_bound(sqlite3* db, std::int64_t now);
  Result<std::size_t> count_rows(sqlite3* db);
  Result<std::size_t> delete_batch_locked(Removal what, std::int64_t now, std::size_t limit);
  Result<std::size_t> shrink(std::size_t rows, std::int64_t now);
  Result<Claim> claim_locked(std::string_view key, std::string_view value, std::int64_t now,
                             std::int64_t ttl_seconds);
  template <typename T, typename F>
  Result<T> in_transaction(F body);
  Result<std::int64_t> increment_locked(std::string_view key, std::int64_t by, std::int64_t now,
                                        std::int64_t ttl_seconds);

  const std::string path_;
  const Clock& clock_;
  const std::size_t max_entries_;
  const std::size_t bound_interval_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  const std::chrono::milliseconds timeout_;
  std::unique_ptr<SqliteStatements> sql_;
  std::size_t inserts_since_check_ = 0;
  PendingWrites pending_;                  // guarded by mutex_
  std::condition_variable committed_;      // a batch of pending_ went into the file
  std::mutex flush_mutex_;                 // one flush() at a time; guards upkeep_sql_
  std::mutex upkeep_mutex_;        // one maintain() at a time; guards upkeep_db_
  std::mutex bound_mutex_;         // one bound check at a time (the thread's or an insert's)
  sqlite3* upkeep_db_ = nullptr;   // the upkeep connection (commits, checkpoints, counts)
  std::unique_ptr<SqliteStatements> upkeep_sql_;
  std::chrono::steady_clock::time_point last_checkpoint_;  // guarded by upkeep_mutex_
  std::atomic<bool> checkpoint_due_{false};
  std::atomic<bool> bound_due_{false};
  std::unique_ptr<WorkerThread> worker_;  // null with Upkeep::caller
};

}  // namespace postseal::state

// sqlite_store.cpp - SqliteStore (see sqlite_store.hpp).
#include "core/state/sqlite_store.hpp"

#include "core/state/checks.hpp"
#include "core/state/sqlite_open.hpp"
#include "core/state/sqlite_statement.hpp"
#include "core/state/worker_thread.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::state {

// SqliteStatements - every statement SqliteStore runs, prepared once at open.
class SqliteStatements {
 public:
  explicit SqliteStatements(sqlite3* db) : db_(db) {}
  // all_ok - every statement prepared (else the file's table is not ours).
  bool all_ok() const {
    for (const Statement* s :
         {&get, &put, &insert_if_absent, &read, &erase, &scan, &count, &expire, &evict_expiring,
          &evict_forever, &begin, &commit, &rollback}) {
      if (!s->ok()) return false;
    }
    return true;
  }

  sqlite3* db_;
  Statement get{db_, "SELECT value FROM state WHERE key = ?1 AND (expires = 0 OR expires > ?2)"};
  Statement put{db_, "INSERT OR REPLACE INTO state (key, value, expires) VALUES (?1, ?2, ?3)"};
  // insert_if_absent - one statement (one write transaction): a new row, or an expired one
  // taken over; a live row is left alone (sqlite3_changes() == 0).
  Statement insert_if_absent{db_,
                             "INSERT INTO state (key, value, expires) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                             "expires = excluded.expires "
                             "WHERE state.expires > 0 AND state.expires <= ?4"};
  Statement read{db_, "SELECT value, expires FROM state WHERE key = ?1"};
  Statement erase{db_, "DELETE FROM state WHERE key = ?1 RETURNING expires"};
  Statement scan{db_,
                 "SELECT key, value FROM state WHERE key >= ?1 AND (?2 IS NULL OR key < ?2) "
                 "AND (expires = 0 OR expires > ?3) LIMIT ?4"};
  Statement count{db_,
                  "SELECT count(*) FROM state WHERE key >= ?1 AND (?2 IS NULL OR key < ?2) "
                  "AND (expires = 0 OR expires > ?3)"};
  // expire, evict_expiring, evict_forever - at most ?2 / ?1 rows (kDeleteBatch) per run.
  Statement expire{db_,
                   "DELETE FROM state WHERE rowid IN (SELECT rowid FROM state "
                   "WHERE expires > 0 AND expires <= ?1 ORDER BY expires LIMIT ?2)"};
  Statement evict_expiring{db_,
                           "DELETE FROM state WHERE rowid IN (SELECT rowid FROM state "
                           "WHERE expires > 0 ORDER BY expires, rowid LIMIT ?1)"};
  Statement evict_forever{db_,
                          "DELETE FROM state WHERE rowid IN (SELECT rowid FROM state "
                          "WHERE expires = 0 ORDER BY rowid LIMIT ?1)"};
  Statement begin{db_, "BEGIN IMMEDIATE"};
  Statement commit{db_, "COMMIT"};
  Statement rollback{db_, "ROLLBACK"};
};

namespace {

// failure - the StoreError of an SQLite result code.
StoreError failure(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? StoreError::timeout
                                                            : StoreError::unavailable;
}

// run - execute a statement that returns no rows; SQLITE_DONE or the error.
Result<void> run(Statement::Use& use) {
  int rc = use.step();
  if (rc != SQLITE_DONE) return std::unexpected(failure(rc));
  return {};
}

Result<void> run(Statement& s) {
  Statement::Use use(s);
  return run(use);
}

// prefix_end - the smallest string greater than every string starting with `prefix`, or
// nullopt when there is none (empty, or all 0xff octets).
std::optional<std::string> prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) return std::nullopt;
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

std::size_t interval_for(std::size_t max_entries) {
  return std::clamp<std::size_t>(max_entries / kBoundCheckDivisor, 1, kMaxRowsOverBound);
}

}  // namespace

SqliteStore::SqliteStore(std::string path, const Clock& clock, std::size_t max_entries,
                         int timeout_ms, Upkeep upkeep)
    : path_(std::move(path)),
      clock_(clock),
      max_entries_(std::max<std::size_t>(max_entries, 1)),
      bound_interval_(interval_for(max_entries_)),
      timeout_(timeout_ms) {
  db_ = open_state_file(path_, timeout_ms);
  sql_ = std::make_unique<SqliteStatements>(db_);
  if (!sql_->all_ok()) {
    std::string why = sqlite3_errmsg(db_);
    sql_.reset();
    sqlite3_close_v2(db_);
    throw config_error(fmt::format("state.path {}: its state table is not postseal's ({})",
                                   printable(path_), why));
  }
  try {
    upkeep_db_ = open_second_connection(path_, timeout_ms);
  } catch (...) {
    sql_.reset();
    sqlite3_close_v2(db_);
    throw;
  }
  upkeep_sql_ = std::make_unique<SqliteStatements>(upkeep_db_);
  if (!upkeep_sql_->all_ok()) {  // the same file just passed: only memory can fail here
    upkeep_sql_.reset();
    sql_.reset();
    sqlite3_close_v2(upkeep_db_);
    sqlite3_close_v2(db_);
    throw config_error(fmt::format("state.path {}: cannot prepare the upkeep statements",
                                   printable(path_)));
  }
  // Our hooks replace SQLite's automatic checkpoints on both connections.
  sqlite3_wal_hook(db_, &SqliteStore::on_commit, this);
  sqlite3_wal_hook(upkeep_db_, &SqliteStore::on_commit, this);
  if (upkeep == Upkeep::thread)
    worker_ = std::make_unique<WorkerThread>([this] { maintain(); }, kUpkeepPeriod);
}

SqliteStore::~SqliteStore() {
  // the thread ends before worker_ changes: its job reads worker_ (maintain, poke)
  if (worker_) worker_->stop();
  worker_.reset();
  (void)flush();  // what the thread had not committed yet
  upkeep_sql_.reset();
  sql_.reset();
  sqlite3_close_v2(upkeep_db_);
  sqlite3_close_v2(db_);
}

// on_commit - SQLite's WAL hook: a commit left `frames` frames in the WAL.
int SqliteStore::on_commit(void* self, sqlite3*, const char*, int frames) {
  auto* store = static_cast<SqliteStore*>(self);
  if (frames >= kCheckpointFrames && !store->checkpoint_due_.exchange(true)) store->poke();
  return SQLITE_OK;
}

void SqliteStore::poke() {
  if (worker_) worker_->poke();
}

Result<std::optional<std::string>> SqliteStore::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  if (const PendingWrite* w = pending_.find(key))
    return is_live(w->expires, clock_.now()) ? std::optional<std::string>(w->value) : std::nullopt;
  Statement::Use use(sql_->get);
  use.bind(1, key).bind(2, clock_.now());
  int rc = use.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(use.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return std::unexpected(failure(rc));
}

Result<void> SqliteStore::put(std::string_view key, std::string_view value,
                              std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return ok;
  if (auto ok = check_value(value); !ok) return ok;
  std::unique_lock lock(mutex_);
  if (auto settled = wait_committed(lock, key); !settled) return settled;
  std::int64_t now = clock_.now();
  {  // reset before inserted() may release the mutex
    Statement::Use use(sql_->put);
    use.bind(1, key).bind(2, value).bind(3, expiry_at(now, ttl_seconds));
    if (auto done = run(use); !done) return done;
  }
  inserted(now, lock);
  return {};
}

Result<bool> SqliteStore::put_if_absent(std::string_view key, std::string_view value,
                                        std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mutex_);
  if (auto settled = wait_committed(lock, key); !settled) return std::unexpected(settled.error());
  std::int64_t now = clock_.now();
  {  // reset before inserted() may release the mutex
    Statement::Use use(sql_->insert_if_absent);
    use.bind(1, key).bind(2, value).bind(3, expiry_at(now, ttl_seconds)).bind(4, now);
    if (auto done = run(use); !done) return std::unexpected(done.error());
    if (sqlite3_changes(db_) == 0) return false;
  }
  inserted(now, lock);
  return true;
}

Result<std::int64_t> SqliteStore::increment_locked(std::string_view key, std::int64_t by,
                                                   std::int64_t now, std::int64_t ttl_seconds) {
  std::optional<std::string> current;
  {
    Statement::Use use(sql_->read);
    use.bind(1, key);
    int rc = use.step();
    if (rc == SQLITE_ROW && is_live(use.integer(1), now)) current = use.text(0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(failure(rc));
  }
  auto sum = add_counter(view(current), by);
  if (!sum) return sum;
  Statement::Use use(sql_->put);
  use.bind(1, key).bind(2, std::string_view(std::to_string(*sum)));
  use.bind(3, expiry_at(now, ttl_seconds));
  if (auto done = run(use); !done) return std::unexpected(done.error());
  return sum;
}

// in_transaction - `body` inside one IMMEDIATE transaction (other processes on the file
// wait), committed when it succeeds, rolled back when it fails. The mutex is held.
template <typename T, typename F>
Result<T> SqliteStore::in_transaction(F body) {
  if (auto begun = run(sql_->begin); !begun) return std::unexpected(begun.error());
  Result<T> result = body();
  auto ended = result ? run(sql_->commit) : run(sql_->rollback);
  if (!ended) {
    if (result) (void)run(sql_->rollback);
    return std::unexpected(result ? ended.error() : result.error());
  }
  return result;
}

Result<std::int64_t> SqliteStore::increment(std::string_view key, std::int64_t by,
                                            std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mutex_);
  if (auto settled = wait_committed(lock, key); !settled) return std::unexpected(settled.error());
  std::int64_t now = clock_.now();
  auto sum = in_transaction<std::int64_t>([&] { return increment_locked(key, by, now, ttl_seconds); });
  if (sum) inserted(now, lock);
  return sum;
}

Result<Claim> SqliteStore::claim_locked(std::string_view key, std::string_view value,
                                        std::int64_t now, std::int64_t ttl_seconds) {
  {
    Statement::Use use(sql_->get);
    use.bind(1, key).bind(2, now);
    int rc = use.step();
    if (rc == SQLITE_ROW) return Claim{false, use.text(0)};
    if (rc != SQLITE_DONE) return std::unexpected(failure(rc));
  }
  Statement::Use use(sql_->insert_if_absent);
  use.bind(1, key).bind(2, value).bind(3, expiry_at(now, ttl_seconds)).bind(4, now);
  if (auto done = run(use); !done) return std::unexpected(done.error());
  return Claim{true, std::nullopt};
}

Result<Claim> SqliteStore::put_if_absent_or_get(std::string_view key, std::string_view value,
                                                std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mutex_);
  if (auto settled = wait_committed(lock, key); !settled) return std::unexpected(settled.error());
  std::int64_t now = clock_.now();
  auto claim = in_transaction<Claim>([&] { return claim_locked(key, value, now, ttl_seconds); });
  if (claim && claim->set) inserted(now, lock);
  return claim;
}

Result<Claim> SqliteStore::put_if_absent_or_get_batched(std::string_view key,
                                                        std::string_view value,
                                                        std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mutex_);
  const std::int64_t now = clock_.now();
  const PendingWrite* w = pending_.find(key);
  if (w && is_live(w->expires, now)) return Claim{false, w->value};
  if (!w) {  // an expired pending write is newer than any row: the key is free
    Statement::Use use(sql_->get);
    use.bind(1, key).bind(2, now);
    int rc = use.step();
    if (rc == SQLITE_ROW) return Claim{false, use.text(0)};
    if (rc != SQLITE_DONE) return std::unexpected(failure(rc));
  }
  if (pending_.full()) {
    lock.unlock();
    return put_if_absent_or_get(key, value, ttl_seconds);
  }
  pending_.add(key, value, expiry_at(now, ttl_seconds), true);
  schedule_commit();
  return Claim{true, std::nullopt};
}

Result<void> SqliteStore::put_batched(std::string_view key, std::string_view value,
                                      std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return ok;
  if (auto ok = check_value(value); !ok) return ok;
  std::unique_lock lock(mutex_);
  if (pending_.full() && !pending_.find(key)) {
    lock.unlock();
    return put(key, value, ttl_seconds);
  }
  pending_.add(key, value, expiry_at(clock_.now(), ttl_seconds), false);
  schedule_commit();
  return {};
}

// schedule_commit - a write was added to pending_ (the mutex is held): commit within
// kBatchWindow (an earlier due time stays), at once when a batch is full.
void SqliteStore::schedule_commit() {
  if (!worker_) return;
  worker_->poke(pending_.size() >= kMaxBatchWrites ? std::chrono::milliseconds(0) : kBatchWindow);
}

// wait_committed - a synchronous write of `key` waits (the mutex released) until the
// batched write pending for it is in the file; timeout after timeout_ms.
Result<void> SqliteStore::wait_committed(std::unique_lock<std::mutex>& lock, std::string_view key) {
  if (!pending_.find(key)) return {};
  if (!worker_) {
    lock.unlock();
    (void)flush();
    lock.lock();
  } else {
    worker_->poke();
    committed_.wait_for(lock, timeout_, [&] { return !pending_.find(key); });
  }
  if (pending_.find(key)) return std::unexpected(StoreError::timeout);
  return {};
}

// flush - commit the pending writes on the upkeep connection, kMaxBatchWrites per
// transaction; the writes committed. A failed batch stays pending for the next run.
std::size_t SqliteStore::flush() {
  std::lock_guard flushing(flush_mutex_);
  std::size_t committed = 0;
  for (;;) {
    std::vector<PendingWrite> batch;
    {
      std::lock_guard lock(mutex_);
      batch = pending_.batch();
    }
    if (batch.empty()) return committed;
    auto inserted = commit_batch(batch);
    std::lock_guard lock(mutex_);
    if (!inserted) return committed;
    pending_.settle(batch);
    committed += batch.size();
    const std::size_t before = inserts_since_check_;
    inserts_since_check_ += *inserted;
    if (before / bound_interval_ != inserts_since_check_ / bound_interval_) bound_due_ = true;
    committed_.notify_all();
    if (batch.size() < kMaxBatchWrites) return committed;
  }
}

// commit_batch - one transaction of `batch` on the upkeep connection; the rows inserted.
Result<std::size_t> SqliteStore::commit_batch(const std::vector<PendingWrite>& batch) {
  SqliteStatements& q = *upkeep_sql_;
  const std::int64_t now = clock_.now();
  if (auto begun = run(q.begin); !begun) return std::unexpected(begun.error());
  std::size_t inserted = 0;
  for (const PendingWrite& w : batch) {
    Statement::Use use(w.claim ? q.insert_if_absent : q.put);
    use.bind(1, std::string_view(w.key)).bind(2, std::string_view(w.value)).bind(3, w.expires);
    if (w.claim) use.bind(4, now);
    if (auto done = run(use); !done) {
      (void)run(q.rollback);
      return std::unexpected(done.error());
    }
    inserted += sqlite3_changes(upkeep_db_) > 0 ? 1 : 0;
  }
  if (auto done = run(q.commit); !done) {
    (void)run(q.rollback);
    return std::unexpected(done.error());
  }
  return inserted;
}

Result<bool> SqliteStore::erase(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mutex_);
  if (auto settled = wait_committed(lock, key); !settled) return std::unexpected(settled.error());
  Statement::Use use(sql_->erase);
  use.bind(1, key);
  int rc = use.step();
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return std::unexpected(failure(rc));
  bool was_live = is_live(use.integer(0), clock_.now());
  rc = use.step();  // finish the statement so the delete is done
  if (rc != SQLITE_DONE) return std::unexpected(failure(rc));
  return was_live;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::scan(std::string_view prefix,
                                                                           std::size_t limit) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  limit = std::min(limit, kMaxScanEntries);
  auto end = prefix_end(prefix);
  std::vector<std::pair<std::string, std::string>> out;
  (void)flush();  // this process's batched writes first
  std::lock_guard lock(mutex_);
  Statement::Use use(sql_->scan);
  use.bind(1, prefix).bind(2, view(end)).bind(3, clock_.now());
  use.bind(4, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) out.emplace_back(use.text(0), use.text(1));
  if (rc != SQLITE_DONE) return std::unexpected(failure(rc));
  return out;
}

Result<std::size_t> SqliteStore::count(std::string_view prefix) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  auto end = prefix_end(prefix);
  (void)flush();  // this process's batched writes first
  std::lock_guard lock(mutex_);
  Statement::Use use(sql_->count);
  use.bind(1, prefix).bind(2, view(end)).bind(3, clock_.now());
  int rc = use.step();
  if (rc != SQLITE_ROW) return std::unexpected(failure(rc));
  return static_cast<std::size_t>(use.integer(0));
}

Result<std::size_t> SqliteStore::expire() {
  const std::int64_t now = clock_.now();
  std::size_t removed = 0;
  for (;;) {
    std::lock_guard lock(mutex_);
    auto batch = delete_batch_locked(Removal::expired, now, kDeleteBatch);
    if (!batch) return std::unexpected(batch.error());
    removed += *batch;
    if (*batch < kDeleteBatch) return removed;
  }
}

// inserted - count an insert (`lock` holds the mutex): every bound_interval_ inserts the
// upkeep thread checks the bound; when it is kBoundLag intervals behind (or absent), this
// call does, after releasing the mutex (waiting for a check the thread is running).
void SqliteStore::inserted(std::int64_t now, std::unique_lock<std::mutex>& lock) {
  ++inserts_since_check_;
  if (inserts_since_check_ % bound_interval_ == 0 && !bound_due_.exchange(true)) poke();
  // a small table (interval 1) is counted at once: cheap, and exactly as MemoryStore
  if (bound_interval_ > 1 && inserts_since_check_ < kBoundLag * bound_interval_) return;
  lock.unlock();
  (void)check_bound(db_, now);  // a failure here is retried at the next check
}

// check_bound - count the rows on `db` (the upkeep connection, or the answering one under
// the mutex) and shrink the table to max_entries; the rows counted and removed.
Result<std::pair<std::size_t, std::size_t>> SqliteStore::check_bound(sqlite3* db, std::int64_t now) {
  std::lock_guard bound(bound_mutex_);
  Result<std::size_t> rows;
  {
    std::lock_guard lock(mutex_);
    inserts_since_check_ = 0;
    if (db == db_) rows = count_rows(db_);
  }
  if (db != db_) rows = count_rows(db);
  if (!rows) return std::unexpected(rows.error());
  auto removed = shrink(*rows, now);
  if (!removed) return std::unexpected(removed.error());
  return std::pair(*rows, *removed);
}

// count_rows - the rows of the table, read on `db` (a full scan of the smallest index).
Result<std::size_t> SqliteStore::count_rows(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM state", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  auto rows = static_cast<std::size_t>(rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return std::unexpected(failure(rc));
  return rows;
}

// delete_batch_locked - delete at most `limit` rows of kind `what`; how many went.
Result<std::size_t> SqliteStore::delete_batch_locked(Removal what, std::int64_t now,
                                                     std::size_t limit) {
  auto n = static_cast<std::int64_t>(limit);
  Result<void> done;
  switch (what) {
    case Removal::expired: done = run(Statement::Use(sql_->expire).bind(1, now).bind(2, n)); break;
    case Removal::oldest_expiring: done = run(Statement::Use(sql_->evict_expiring).bind(1, n)); break;
    case Removal::oldest_forever: done = run(Statement::Use(sql_->evict_forever).bind(1, n)); break;
  }
  if (!done) return std::unexpected(done.error());
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

// shrink - bring a table of `rows` rows down to max_entries: every expired row, then the
// oldest expiry, then the oldest rows without expiry, kDeleteBatch at a time, the mutex held
// for each batch only. Returns the rows removed.
Result<std::size_t> SqliteStore::shrink(std::size_t rows, std::int64_t now) {
  std::size_t removed = 0;
  auto batch = [&](Removal what, std::size_t limit) -> Result<std::size_t> {
    std::lock_guard lock(mutex_);
    auto n = delete_batch_locked(what, now, limit);
    if (n) removed += *n;
    return n;
  };
  if (rows <= max_entries_) return removed;
  for (;;) {  // every expired row, not only the excess (MemoryStore's order)
    auto n = batch(Removal::expired, kDeleteBatch);
    if (!n) return std::unexpected(n.error());
    if (*n < kDeleteBatch) break;
  }
  for (Removal what : {Removal::oldest_expiring, Removal::oldest_forever}) {
    while (rows > max_entries_ + removed) {
      auto n = batch(what, std::min(kDeleteBatch, rows - max_entries_ - removed));
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
    }
  }
  return removed;
}

// checkpoint - PASSIVE checkpoints on the upkeep connection (no writer waits), again while
// writers added frames meanwhile, at most kCheckpointRounds; the frames copied.
int SqliteStore::checkpoint() {
  int copied = 0;
  for (int round = 0; round < kCheckpointRounds; ++round) {
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(upkeep_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK || log <= 0) break;
    copied += done;
    if (done >= log) break;
  }
  return copied;
}

UpkeepReport SqliteStore::maintain() {
  std::lock_guard upkeep(upkeep_mutex_);
  UpkeepReport report;
  report.committed = flush();
  // due, or the thread's periodic run (what is left after the last one), or a caller's call
  const auto now = std::chrono::steady_clock::now();
  if (checkpoint_due_.exchange(false) || now - last_checkpoint_ >= kUpkeepPeriod || !worker_) {
    report.checkpointed_frames = checkpoint();
    last_checkpoint_ = now;
  }
  if (bound_due_.exchange(false)) {
    if (auto checked = check_bound(upkeep_db_, clock_.now())) {
      report.rows = checked->first;
      report.removed = checked->second;
    }
  }
  return report;
}

}  // namespace postseal::state

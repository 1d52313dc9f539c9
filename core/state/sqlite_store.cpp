// sqlite_store.cpp - SqliteStore (see sqlite_store.hpp).
#include "core/state/sqlite_store.hpp"

#include "core/state/checks.hpp"
#include "core/state/sqlite_open.hpp"
#include "core/state/sqlite_statement.hpp"
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
         {&get, &put, &insert_if_absent, &read, &erase, &scan, &count, &expire,
          &count_all, &evict_expiring, &evict_forever, &begin, &commit, &rollback}) {
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
  Statement expire{db_, "DELETE FROM state WHERE expires > 0 AND expires <= ?1"};
  Statement count_all{db_, "SELECT count(*) FROM state"};
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
                         int timeout_ms)
    : path_(std::move(path)),
      clock_(clock),
      max_entries_(std::max<std::size_t>(max_entries, 1)),
      bound_interval_(interval_for(max_entries_)) {
  db_ = open_state_file(path_, timeout_ms);
  sql_ = std::make_unique<SqliteStatements>(db_);
  if (!sql_->all_ok()) {
    std::string why = sqlite3_errmsg(db_);
    sql_.reset();
    sqlite3_close_v2(db_);
    throw config_error(fmt::format("state.path {}: its state table is not postseal's ({})",
                                   printable(path_), why));
  }
}

SqliteStore::~SqliteStore() {
  sql_.reset();
  sqlite3_close_v2(db_);
}

Result<std::optional<std::string>> SqliteStore::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
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
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  Statement::Use use(sql_->put);
  use.bind(1, key).bind(2, value).bind(3, expiry_at(now, ttl_seconds));
  if (auto done = run(use); !done) return done;
  inserted(now);
  return {};
}

Result<bool> SqliteStore::put_if_absent(std::string_view key, std::string_view value,
                                        std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  Statement::Use use(sql_->insert_if_absent);
  use.bind(1, key).bind(2, value).bind(3, expiry_at(now, ttl_seconds)).bind(4, now);
  if (auto done = run(use); !done) return std::unexpected(done.error());
  if (sqlite3_changes(db_) == 0) return false;
  inserted(now);
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
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  auto sum = in_transaction<std::int64_t>([&] { return increment_locked(key, by, now, ttl_seconds); });
  if (sum) inserted(now);
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
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  auto claim = in_transaction<Claim>([&] { return claim_locked(key, value, now, ttl_seconds); });
  if (claim && claim->set) inserted(now);
  return claim;
}

Result<bool> SqliteStore::erase(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
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
  std::lock_guard lock(mutex_);
  Statement::Use use(sql_->count);
  use.bind(1, prefix).bind(2, view(end)).bind(3, clock_.now());
  int rc = use.step();
  if (rc != SQLITE_ROW) return std::unexpected(failure(rc));
  return static_cast<std::size_t>(use.integer(0));
}

Result<std::size_t> SqliteStore::expire() {
  std::lock_guard lock(mutex_);
  if (auto done = run(Statement::Use(sql_->expire).bind(1, clock_.now())); !done) {
    return std::unexpected(done.error());
  }
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

// inserted - count an insert; every bound_interval_ inserts, hold the table to max_entries.
void SqliteStore::inserted(std::int64_t now) {
  if (++inserts_since_check_ < bound_interval_) return;
  inserts_since_check_ = 0;
  (void)enforce_bound(now);  // a failure here is retried at the next check
}

Result<void> SqliteStore::enforce_bound(std::int64_t now) {
  auto rows = [this]() -> Result<std::size_t> {
    Statement::Use use(sql_->count_all);
    int rc = use.step();
    if (rc != SQLITE_ROW) return std::unexpected(failure(rc));
    return static_cast<std::size_t>(use.integer(0));
  };
  auto n = rows();
  if (!n) return std::unexpected(n.error());
  if (*n <= max_entries_) return {};
  if (auto done = run(Statement::Use(sql_->expire).bind(1, now)); !done) return done;
  std::size_t left = *n - static_cast<std::size_t>(sqlite3_changes(db_));
  if (left <= max_entries_) return {};
  auto excess = static_cast<std::int64_t>(left - max_entries_);
  if (auto done = run(Statement::Use(sql_->evict_expiring).bind(1, excess)); !done) return done;
  excess -= sqlite3_changes(db_);
  if (excess <= 0) return {};
  return run(Statement::Use(sql_->evict_forever).bind(1, excess));
}

}  // namespace postseal::state

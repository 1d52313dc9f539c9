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
// spliced), and the file itself (checked at open). Limits (docs/security.md 51):
// max_entries, checked every bound_interval() inserts (so the table holds at most
// max_entries + max_entries/kBoundCheckDivisor rows, at most kMaxRowsOverBound over): over it, expired rows go, then the
// oldest expiry, then the oldest rows without expiry - the order MemoryStore uses. One
// connection behind a mutex: calls are serialised.
#pragma once

#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

struct sqlite3;

namespace postseal::state {

// kBoundCheckDivisor / kMaxRowsOverBound - the row count is checked every
// max_entries/kBoundCheckDivisor inserts (at least 1, at most kMaxRowsOverBound), so a full
// table costs one COUNT per that many inserts, not one per insert.
inline constexpr std::size_t kBoundCheckDivisor = 64;
inline constexpr std::size_t kMaxRowsOverBound = 1024;

// kDefaultSqlitePath - where state.path points by default.
inline constexpr std::string_view kDefaultSqlitePath = "/var/lib/postseal/state.db";

class SqliteStatements;

// SqliteStore - see above; `clock` must outlive the store.
class SqliteStore final : public Store {
 public:
  // SqliteStore - open (creating) `path`; throws StartupError (kExitConfig) naming it.
  SqliteStore(std::string path, const Clock& clock, std::size_t max_entries, int timeout_ms);
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

 private:
  void inserted(std::int64_t now);
  Result<void> enforce_bound(std::int64_t now);
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
  std::unique_ptr<SqliteStatements> sql_;
  std::size_t inserts_since_check_ = 0;
};

}  // namespace postseal::state

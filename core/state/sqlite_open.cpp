// sqlite_open.cpp - open_state_file (see sqlite_open.hpp).
#include "core/state/sqlite_open.hpp"

#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace postseal::state {
namespace {

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
    "expires INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS state_expires ON state (expires);";

// Closer - closes the connection unless released (a failed open leaks nothing).
struct Closer {
  sqlite3* db;
  ~Closer() { sqlite3_close_v2(db); }
  sqlite3* release() { return std::exchange(db, nullptr); }
};

[[noreturn]] void fail(const std::string& path, std::string_view problem) {
  throw config_error(fmt::format("state.path {}: {}", printable(path), problem));
}

std::string message(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

// where_problem - why a file could not be opened or created, from what the file system says.
std::string where_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) return fmt::format("directory {} does not exist", dir.string());
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) return "not a regular file";
  return fmt::format("cannot create or open it (can postseal write to {}?)", dir.string());
}

// quick_check - "" when PRAGMA quick_check says ok, else its first complaint.
std::string quick_check(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return message(db);
  }
  std::string result;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    result = text ? text : "";
    if (result == "ok") result.clear();
  } else {
    result = message(db);
  }
  sqlite3_finalize(stmt);
  return result;
}

void exec(sqlite3* db, const std::string& path, const char* sql, std::string_view what) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string text = error ? error : message(db);
    sqlite3_free(error);
    fail(path, fmt::format("{}: {}", what, text));
  }
}

}  // namespace

sqlite3* open_state_file(const std::string& path, int timeout_ms) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Closer db{raw};
  if (rc != SQLITE_OK) fail(path, fmt::format("{} ({})", where_problem(path), message(raw)));
  sqlite3_extended_result_codes(db.db, 1);
  sqlite3_busy_timeout(db.db, timeout_ms);
  if (sqlite3_db_readonly(db.db, "main") == 1) {
    fail(path,
         "the file is read-only (postseal writes it and creates FILE-wal and FILE-shm "
         "beside it)");
  }
  if (std::string bad = quick_check(db.db); !bad.empty()) {
    fail(path, fmt::format("corrupt or not an SQLite database (PRAGMA quick_check: {}); move it "
                           "away and postseal starts a new one",
                           printable(bad)));
  }
  exec(db.db, path, "PRAGMA journal_mode=WAL", "cannot switch to WAL");
  exec(db.db, path, "PRAGMA synchronous=NORMAL", "cannot set synchronous");
  exec(db.db, path, std::string(kSchema).c_str(), "cannot create the state table");
  exec(db.db, path, "BEGIN IMMEDIATE; COMMIT", "cannot write (read-only file or directory?)");
  return db.release();
}

sqlite3* open_second_connection(const std::string& path, int timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  Closer db{raw};
  if (rc != SQLITE_OK) fail(path, fmt::format("second connection: {}", message(raw)));
  sqlite3_extended_result_codes(db.db, 1);
  sqlite3_busy_timeout(db.db, timeout_ms);
  exec(db.db, path, "PRAGMA synchronous=NORMAL", "cannot set synchronous");
  return db.release();
}

}  // namespace postseal::state

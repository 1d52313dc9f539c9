// sqlite_statement.hpp - a prepared SQLite statement that resets itself after each use.
//
// Internal to SqliteStore. Values are bound as parameters (never spliced into SQL), text
// with its length (keys and values may hold any octet). Limits: none of its own.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::state {

// Statement - one prepared statement; prepare() failures are reported by ok()/error().
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }

  // Use - one execution: binds, steps, and resets the statement when it goes.
  class Use {
   public:
    explicit Use(Statement& s) : stmt_(s.stmt_) {}
    ~Use() {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    Use& bind(int i, std::string_view text) {
      sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      return *this;
    }
    Use& bind(int i, std::int64_t n) {
      sqlite3_bind_int64(stmt_, i, n);
      return *this;
    }
    Use& bind(int i, std::optional<std::string_view> text) {
      if (text) return bind(i, *text);
      sqlite3_bind_null(stmt_, i);
      return *this;
    }
    // step - SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(stmt_); }
    std::string text(int col) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
      int n = sqlite3_column_bytes(stmt_, col);
      return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
    }
    std::int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }

   private:
    sqlite3_stmt* stmt_;
  };

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

inline Statement::Statement(sqlite3* db, std::string_view sql) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

}  // namespace postseal::state

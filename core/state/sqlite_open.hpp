// sqlite_open.hpp - open the state file and prove it usable before anything is served.
//
// Internal to SqliteStore. Untrusted input: the file at state.path (it may be missing,
// read-only, not a database or damaged; PRAGMA quick_check reads every page). Every problem
// is a StartupError (kExitConfig) "state.path FILE: PROBLEM". Limits: quick_check stops at
// its first problem (one is enough to refuse the file).
#pragma once

#include <string>

struct sqlite3;

namespace postseal::state {

// open_state_file - an open read-write connection to `path` (created when missing) in WAL
// mode with busy_timeout `timeout_ms`, holding the state table; throws StartupError.
sqlite3* open_state_file(const std::string& path, int timeout_ms);

// open_second_connection - another connection to `path`, already opened and checked by
// open_state_file (SqliteStore's upkeep connection); throws StartupError.
sqlite3* open_second_connection(const std::string& path, int timeout_ms);

}  // namespace postseal::state

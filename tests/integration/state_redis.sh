#!/usr/bin/env bash
# state_redis.sh - the state store's case table (tests/unit/state/store_cases.hpp) against a
# real redis-server (Debian), the same table the unit label runs against MemoryStore and
# SqliteStore, then RedisStore's fault tests (AUTH + SELECT, Redis stopped mid-run and
# restarted, a hung server, a fake server answering garbage or nothing; those start their own
# servers). The server runs on a free loopback port chosen here, without persistence, and is
# stopped at the end. Time-based cases sleep real seconds against Redis (its own clock; the
# table keeps them to 1-3 s TTLs). Env: POSTSEAL_BUILD (the build tree with tests/unit_state).
set -euo pipefail

: "${POSTSEAL_BUILD:?POSTSEAL_BUILD must name the build tree}"
TEST_BIN=$POSTSEAL_BUILD/tests/unit_state
[ -x "$TEST_BIN" ] || { echo "FAIL: $TEST_BIN not built" >&2; exit 1; }
# shellcheck source=../lib/redis.sh
. "$(dirname "$0")/../lib/redis.sh"

PORT=$(free_ports 1)
WORK=$(mktemp -d /tmp/postseal-state-redis.XXXXXX)
cleanup() {
  redis_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
redis_start "$WORK" PORT || { echo "FAIL: redis-server did not start" >&2; exit 1; }

# Only the Redis runs: the memory and SQLite ones are the unit label's.
POSTSEAL_TEST_REDIS=127.0.0.1:$PORT POSTSEAL_TEST_REDIS_SERVER=$REDIS_SERVER \
  "$TEST_BIN" --gtest_filter='*/redis*:RedisFaults.*' --gtest_brief=0 2>&1 | tee "$WORK/out.txt"
status=${PIPESTATUS[0]}
if grep -q '^\[  SKIPPED \].*redis_\(get_put\|increment\)' "$WORK/out.txt"; then
  echo "FAIL: the Redis table was skipped" >&2
  exit 1
fi
exit "$status"

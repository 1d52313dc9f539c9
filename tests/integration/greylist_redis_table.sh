#!/usr/bin/env bash
# greylist_redis_table.sh - the greylister's case table (tests/unit/greylist/greylister_test.cpp,
# which the unit label runs against MemoryStore and SqliteStore) against a real redis-server
# (Debian), started here on a free loopback port without persistence and stopped at the end:
# the same cases, the same answers, none skipped. Each case uses its own key prefix. Env: POSTSEAL_BUILD (the
# build tree with tests/unit_greylist).
set -euo pipefail

: "${POSTSEAL_BUILD:?POSTSEAL_BUILD must name the build tree}"
TEST_BIN=$POSTSEAL_BUILD/tests/unit_greylist
[ -x "$TEST_BIN" ] || { echo "FAIL: $TEST_BIN not built" >&2; exit 1; }
# shellcheck source=../lib/redis.sh
. "$(dirname "$0")/../lib/redis.sh"

PORT=$(free_ports 1)
WORK=$(mktemp -d /tmp/postseal-greylist-table.XXXXXX)
cleanup() {
  redis_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
redis_start "$WORK" PORT || { echo "FAIL: redis-server did not start" >&2; exit 1; }

# the table on all three backends in one run, so a difference shows side by side
set +e
POSTSEAL_TEST_REDIS=127.0.0.1:$PORT "$TEST_BIN" --gtest_filter='Backends/GreylisterTest.*' 2>&1 | tee "$WORK/out.txt"
status=${PIPESTATUS[0]}
set -e
# no case may be skipped against Redis
skipped=$(grep '^\[  SKIPPED \] Backends' "$WORK/out.txt" || true)
if [ -n "$skipped" ]; then
  echo "FAIL: cases were skipped: $skipped" >&2
  exit 1
fi
redis=$(grep -c '^\[       OK \] Backends/GreylisterTest\..*/redis ' "$WORK/out.txt" || true)
sqlite=$(grep -c '^\[       OK \] Backends/GreylisterTest\..*/sqlite ' "$WORK/out.txt" || true)
echo "cases passed: sqlite $sqlite, redis $redis"
[ "$redis" -gt 0 ] && [ "$redis" -eq "$sqlite" ] || { echo "FAIL: the redis table differs from the sqlite one" >&2; exit 1; }
exit "$status"

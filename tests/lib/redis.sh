# redis.sh - a private redis-server for tests (source it; bash).
#
#   free_ports N               N free loopback ports, one line, space-separated (ports.sh)
#   redis_start DIR PORT       start ${REDIS_SERVER:-/usr/bin/redis-server} on 127.0.0.1:PORT
#                              without persistence (its files and DIR/redis.log in DIR), wait
#                              (bounded: 5 s) until it listens itself (wait_listen, ports.sh);
#                              sets REDIS_PID. Returns non-zero with the server's log on stderr
#                              when it does not come up.
#   redis_start DIR PORTVAR    the same on the port named by the variable PORTVAR; when a test
#                              running beside this one took that port first, again on a new one
#                              (3 tries), which PORTVAR then holds (start_listening, ports.sh)
#   redis_stop                 stop it (SIGCONT first: a test may have frozen it with SIGSTOP)
# Callers trap EXIT to call redis_stop. Runs as root or not.

REDIS_SERVER=${POSTSEAL_TEST_REDIS_SERVER:-/usr/bin/redis-server}
REDIS_PID=""

# shellcheck source=tests/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"  # free_ports, wait_listen, start_listening

redis_start() {
  local dir=$1
  [ -x "$REDIS_SERVER" ] || { echo "redis.sh: $REDIS_SERVER missing (scripts/install-deps.sh)" >&2; return 1; }
  REDIS_DIR_=$dir
  if [[ $2 =~ ^[0-9]+$ ]]; then
    REDIS_PORT_=$2
    LISTEN_TRIES=1 START_LISTENING_TENTHS=50 start_listening redis_spawn_ "$dir/redis.log" REDIS_PORT_ && return 0
  else
    REDIS_PORT_=${!2}
    START_LISTENING_TENTHS=50 start_listening redis_spawn_ "$dir/redis.log" REDIS_PORT_ &&
      { printf -v "$2" '%s' "$REDIS_PORT_"; return 0; }
  fi
  REDIS_PID=""
  echo "redis.sh: redis-server did not start on 127.0.0.1:$REDIS_PORT_:" >&2
  cat "$dir/redis.log" >&2
  return 1
}

redis_spawn_() {
  "$REDIS_SERVER" --port "$REDIS_PORT_" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$REDIS_DIR_" --loglevel warning >>"$REDIS_DIR_/redis.log" 2>&1 &
  REDIS_PID=$!
  LISTEN_PID=$REDIS_PID
}

redis_stop() {
  [ -n "$REDIS_PID" ] || return 0
  { kill -CONT "$REDIS_PID"; kill "$REDIS_PID"; wait "$REDIS_PID"; } 2>/dev/null
  REDIS_PID=""
}

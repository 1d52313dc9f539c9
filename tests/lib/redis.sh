# redis.sh - a private redis-server for tests (source it; bash).
#
#   free_ports N               N free loopback ports, one line, space-separated
#   redis_start DIR PORT       start ${REDIS_SERVER:-/usr/bin/redis-server} on 127.0.0.1:PORT
#                              without persistence (its files and DIR/redis.log in DIR), wait
#                              (bounded: 5 s) until it accepts; sets REDIS_PID. Returns
#                              non-zero with the server's log on stderr when it does not come up.
#   redis_stop                 stop it (SIGCONT first: a test may have frozen it with SIGSTOP)
# Callers trap EXIT to call redis_stop. Runs as root or not.

REDIS_SERVER=${POSTSEAL_TEST_REDIS_SERVER:-/usr/bin/redis-server}
REDIS_PID=""

free_ports() {
  python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])' "$1"
}

redis_start() {
  local dir=$1 port=$2 i
  [ -x "$REDIS_SERVER" ] || { echo "redis.sh: $REDIS_SERVER missing (scripts/install-deps.sh)" >&2; return 1; }
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$dir" --loglevel warning >>"$dir/redis.log" 2>&1 &
  REDIS_PID=$!
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && kill -0 "$REDIS_PID" 2>/dev/null && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "redis.sh: redis-server did not start on 127.0.0.1:$port:" >&2
  cat "$dir/redis.log" >&2
  return 1
}

redis_stop() {
  [ -n "$REDIS_PID" ] || return 0
  { kill -CONT "$REDIS_PID"; kill "$REDIS_PID"; wait "$REDIS_PID"; } 2>/dev/null
  REDIS_PID=""
}

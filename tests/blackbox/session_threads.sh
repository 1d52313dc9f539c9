#!/usr/bin/env bash
# session_threads.sh - srs.threads = 2: srsd's sessions run on two session threads of their own, not on the daemon's main thread,
# which keeps signals, listeners and the drain (core/net/session_threads.hpp): two persistent
# connections, 400 requests each, and the main thread blocks for none of them
# (session_threads/placement.py). Then SIGHUP reloads with the sessions on their threads and
# SIGTERM stops the daemon with a connection still open (exit 0 within 5 s). (The verifier's
# policy and proxy sessions stay on its loop's threads: core/dns/unbound_resolver.hpp.) Free
# loopback ports (tests/lib/ports.sh).
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
. "$POSTSEAL_SRC/tests/lib/ports.sh"
H=$POSTSEAL_SRC/tests/blackbox/session_threads
T=$(mktemp -d /tmp/postseal-session-threads.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -8 "$f"; }; done; exit 1; }

# stop_with_open_connection PORT NAME - SIGHUP (reloaded), then SIGTERM with a connection open
stop_with_open_connection() {
  local port=$1 name=$2 log=$T/$2.log i
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "$name: cannot connect"
  kill -HUP "$PID"
  for i in $(seq 50); do grep -q "reloaded" "$log" && break; sleep 0.1; done
  grep -q "reloaded" "$log" || fail "$name: no reload after SIGHUP"
  kill -TERM "$PID"
  for i in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PID" 2>/dev/null && fail "$name still running 5 s after SIGTERM"
  wait "$PID" || fail "$name: exit status $? after SIGTERM"
  PID=""
  exec 3>&-
  grep -q "stopped" "$log" || fail "$name: no stop line"
}

read -r SRS <<<"$(free_ports 1)"
head -c 24 /dev/urandom | base64 > "$T/secret"; chmod 600 "$T/secret"
printf '[srs]\ndomain = "fwd.example"\nsecrets_file = "%s"\nsocketmap = ""\ntcp_forward = "127.0.0.1:%s"\ntcp_reverse = ""\nthreads = 2\n' \
  "$T/secret" "$SRS" > "$T/srs.toml"
"$POSTSEAL" srsd -c "$T/srs.toml" --log stderr > "$T/srsd.log" 2>&1 &
PID=$!
wait_listen "$SRS" "$PID" 50 || fail "srsd did not start"
/usr/bin/python3 "$H/placement.py" "$PID" "$SRS" 400 || fail "srsd: sessions not on two threads of their own"
stop_with_open_connection "$SRS" srsd
echo "PASS: srsd, srs.threads = 2: two connections on two session threads, SIGHUP, SIGTERM"


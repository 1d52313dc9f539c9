#!/usr/bin/env bash
# blackbox.lib_ports - tests/lib/ports.sh: a daemon whose chosen port was taken before it bound it
# is seen dead at once (not mistaken for the taker's listener), and start_listening starts it
# again on a new port. The daemon is python3 -m http.server (it exits "Address already in use").
set -u
. "${POSTSEAL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ports.sh"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/postseal-lib-ports.XXXXXX)
PIDS=()
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# hold PORT MODE - a stranger holding 127.0.0.1:PORT: MODE listen (a listener) or bind (bound
# only, as an outgoing connection's local port would be); prints its pid once it holds the port.
hold() {
  $PY -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
if sys.argv[2] == "listen": s.listen(5)
open(sys.argv[3], "w").write("held\n")
time.sleep(120)' "$1" "$2" "$W/held-$1" &
  PIDS+=($!)
  local _; for _ in $(seq 1 50); do [ -f "$W/held-$1" ] && break; sleep 0.1; done
  [ -f "$W/held-$1" ] || { bad "the holder of port $1 did not start"; exit 1; }
}

serve() {  # the daemon under test, on $PORT, logging to $W/http.log
  $PY -m http.server --bind 127.0.0.1 --directory "$W" "$PORT" >"$W/http.log" 2>&1 &
  LISTEN_PID=$!
  PIDS+=("$LISTEN_PID")
}

fetch() {  # fetch PORT - 0 when an HTTP GET of / on PORT answers 200
  $PY -c '
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=5).status == 200 else 1)' "$1" 2>/dev/null
}

# 1. The race: a listener of someone else on the chosen port. The old wait ("something listens
# on PORT") is satisfied at once although our daemon died.
HELD=$(free_port)
hold "$HELD" listen
PORT=$HELD serve
pid=$LISTEN_PID
for _ in $(seq 1 50); do ss -Hltn "sport = :$HELD" | grep -q . && break; sleep 0.1; done
sleep 1
if ss -Hltn "sport = :$HELD" | grep -q . && ! pid_alive "$pid"; then
  ok "the race is real: port $HELD listens (the holder) while our daemon exited"
else
  bad "expected our daemon dead and the holder listening on $HELD"
fi
grep -q "Address already in use" "$W/http.log" && ok "our daemon said 'Address already in use'" ||
  bad "http.server's log: $(cat "$W/http.log")"

# 2. wait_listen PORT PID fails at once when PID exited, though the port listens.
PORT=$HELD serve
pid=$LISTEN_PID
t0=$(date +%s%N)
wait_listen "$HELD" "$pid" 100 2>/dev/null; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 1 ] && ok "wait_listen: our daemon exited (rc 1) after $ms ms" ||
  bad "wait_listen returned $rc for a daemon that lost its port (want 1)"
[ "$ms" -lt 5000 ] && ok "wait_listen gave up at once ($ms ms < 5000)" || bad "wait_listen took $ms ms"

# 3. wait_listen does not take another's listener for PID's: a live PID that never listens.
sleep 30 &
PIDS+=($!)
wait_listen "$HELD" "$!" 10 2>"$W/wl3.err"; rc=$?
[ "$rc" -eq 2 ] && ok "wait_listen: the holder's listener is not ours (rc 2 on timeout)" ||
  bad "wait_listen returned $rc for a PID that never listened (want 2): $(cat "$W/wl3.err")"

# 4. start_listening: a new port when the chosen one is held by a listener.
PORT=$HELD
if start_listening serve "$W/http.log" PORT; then
  ok "start_listening started the daemon (pid $LISTEN_PID) on port $PORT"
  [ "$PORT" != "$HELD" ] && ok "PORT changed from the held $HELD to $PORT" || bad "PORT is still the held $HELD"
  port_pids "$PORT" | grep -qx "$LISTEN_PID" && ok "ss names our pid $LISTEN_PID on port $PORT" ||
    bad "ss names $(port_pids "$PORT" | tr '\n' ' ')on port $PORT, not $LISTEN_PID"
  fetch "$PORT" && ok "our daemon answers on port $PORT" || bad "no answer on port $PORT"
  kill "$LISTEN_PID"; wait "$LISTEN_PID" 2>/dev/null
else
  bad "start_listening failed with port $HELD held"
fi

# 5. The same when the port is only bound (no listener to see: the log tells).
HELD2=$(free_port)
hold "$HELD2" bind
PORT=$HELD2
if start_listening serve "$W/http.log" PORT 2>"$W/retry.err"; then
  [ "$PORT" != "$HELD2" ] && fetch "$PORT" && ok "bound-only port $HELD2: started on $PORT instead" ||
    bad "bound-only port $HELD2: PORT=$PORT"
  grep -q "a port was taken (try 1 of 3)" "$W/retry.err" && ok "the retry is logged" || bad "no retry logged: $(cat "$W/retry.err")"
  kill "$LISTEN_PID"; wait "$LISTEN_PID" 2>/dev/null
else
  bad "start_listening failed with port $HELD2 bound: $(cat "$W/retry.err")"
fi

# 6. The second of two ports taken: the daemon listens on the first, then must be seen dead.
two() {
  $PY -c '
import socket, sys, time
a = socket.socket(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
a.bind(("127.0.0.1", int(sys.argv[1]))); a.listen(5)
time.sleep(0.5)
b = socket.socket(); b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
b.bind(("127.0.0.1", int(sys.argv[2]))); b.listen(5)
time.sleep(60)' "$P1" "$P2" >"$W/two.log" 2>&1 &
  LISTEN_PID=$!
  PIDS+=("$LISTEN_PID")
}
P1=$(free_port) P2=$HELD
if start_listening two "$W/two.log" P1 P2 2>"$W/two.err"; then
  [ "$P2" != "$HELD" ] && port_pids "$P2" | grep -qx "$LISTEN_PID" &&
    port_pids "$P1" | grep -qx "$LISTEN_PID" && ok "two ports, the second held: both new ($P1 $P2) and ours" ||
    bad "two ports: P1=$P1 P2=$P2"
  kill "$LISTEN_PID"; wait "$LISTEN_PID" 2>/dev/null
else
  bad "start_listening failed for two ports: $(cat "$W/two.err")"
fi

# 7. A daemon failing for another reason is not retried.
calls=0
broken() { calls=$((calls + 1)); $PY -c 'import sys; sys.exit(3)' >"$W/broken.log" 2>&1 & LISTEN_PID=$!; }
PORT=$(free_port)
start_listening broken "$W/broken.log" PORT 2>/dev/null && bad "start_listening succeeded for a broken daemon" ||
  { [ "$calls" -eq 1 ] && ok "a broken daemon is started once, not retried" || bad "broken daemon started $calls times"; }

# 8. Three tries at most: every port it is given is held.
held_serve() { hold "$PORT" listen; serve; }
calls=0
counted() { calls=$((calls + 1)); held_serve; }
PORT=$(free_port)
start_listening counted "$W/http.log" PORT 2>/dev/null && bad "start_listening succeeded on held ports" ||
  { [ "$calls" -eq 3 ] && ok "gave up after 3 tries" || bad "tried $calls times (want 3)"; }

# 9. The shared daemon helpers given a port variable: redis_start and unbound_start move to a new
# port when the chosen one is held (skipped when the server is not installed).
HELD3=$(free_port)
hold "$HELD3" listen
. "$POSTSEAL_SRC/tests/lib/redis.sh"
if [ -x "$REDIS_SERVER" ]; then
  mkdir -p "$W/redis"
  P_REDIS=$HELD3
  if redis_start "$W/redis" P_REDIS 2>/dev/null; then
    [ "$P_REDIS" != "$HELD3" ] && port_pids "$P_REDIS" | grep -qx "$REDIS_PID" &&
      ok "redis_start: held port $HELD3, redis-server (pid $REDIS_PID) on $P_REDIS" || bad "redis_start: P_REDIS=$P_REDIS"
  else
    bad "redis_start failed with port $HELD3 held"
  fi
  redis_stop
  redis_start "$W/redis" "$HELD3" 2>/dev/null && bad "redis_start PORT succeeded on the held $HELD3" ||
    ok "redis_start with a port number: fails on the held $HELD3 (nothing to move)"
  redis_stop
else
  echo "SKIP: $REDIS_SERVER not installed"
fi
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
if [ -x "$UNBOUND_BIN" ]; then
  # unbound binds UDP and TCP: hold both
  HELD4=$($PY -c '
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket()
    try: t.bind(("127.0.0.1", p))
    except OSError: continue
    print(p); break')
  $PY -c '
import socket, sys, time
p = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
t = socket.socket(); t.bind(("127.0.0.1", p)); t.listen(5)
open(sys.argv[2], "w").write("held\n")
time.sleep(120)' "$HELD4" "$W/held-ub" &
  PIDS+=($!)
  for _ in $(seq 1 50); do [ -f "$W/held-ub" ] && break; sleep 0.1; done
  echo "local-data: 'x.example. 60 TXT \"x\"'" > "$W/ub-data"
  DNS=$HELD4
  if unbound_start "$W/unbound" DNS "$W/ub-data" 2>/dev/null; then
    [ "$DNS" != "$HELD4" ] && ok "unbound_start: held port $HELD4, unbound answers on $DNS" || bad "unbound_start: DNS=$DNS"
  else
    bad "unbound_start failed with port $HELD4 held"
  fi
  unbound_stop "$W/unbound"
else
  echo "SKIP: $UNBOUND_BIN not installed"
fi

echo "lib_ports: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

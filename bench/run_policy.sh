#!/bin/bash
# run_policy.sh [POSTSEAL_BINARY] - Postfix policy requests per second, warm DNS cache, over
# one connection and over eight: `postseal verifier` (daemon on TCP 127.0.0.1:10040),
# `postseal policy` (spawned, stdin/stdout, as master.cf's spawn does), postfix-policyd-spf-python
# (/usr/bin/policyd-spf) and postfix-policyd-spf-perl, all answering the same requests
# (bench/policy/client.py) against the same DNS data (bench/policy/zone.conf, a sender with two
# includes, ip4, mx, -all) in the same run. Everything runs inside a private network and mount
# namespace (unshare) holding one unbound on 127.0.0.1:53 and a bind-mounted /etc/resolv.conf
# naming it, so the peers (which use the system resolver) and postseal ask the same server and
# the host's DNS and ports are untouched. Prints medians of RUNS runs: requests/s, server CPU
# per request, ratio to the python daemon. Needs root (unshare), unbound and both peers.
# Env: RUNS (3), PEER_N (2000 requests per peer run), OURS_N (20000 per postseal run),
# CACHE_TTL (postseal --cache-ttl of the main rows; 0 = no SPF result cache, every request is
# evaluated, asking the resolver). One extra row, postseal-verifier(cached), runs a second daemon
# with --cache-ttl 300: with a few client IPs and senders nearly every request hits that cache.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/cli/postseal}
RUNS=${RUNS:-3}
PEER_N=${PEER_N:-2000}
OURS_N=${OURS_N:-20000}
CACHE_TTL=${CACHE_TTL:-0}
PY=/usr/bin/policyd-spf
PERL=/usr/sbin/postfix-policyd-spf-perl
client=$src/bench/policy/client.py
export RUNS PEER_N OURS_N CACHE_TTL

if [ "${POLICYBENCH_INSIDE:-}" != 1 ]; then
  if [ ! -x "$bin" ]; then
    build=$(dirname "$(dirname "$bin")")
    echo "run_policy.sh: $bin missing; building it in $build" >&2
    cmake --build "$build" -j2 --target postseal
  fi
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  for f in "$PY" "$PERL" /usr/sbin/unbound; do
    [ -x "$f" ] || { echo "run_policy.sh: $f not installed" >&2; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "run_policy.sh: needs root for unshare" >&2; exit 1; }
  exec env POLICYBENCH_INSIDE=1 unshare --net --mount --propagation private \
    /bin/bash "$src/bench/run_policy.sh" "$bin"
fi

# --- inside the namespace ---
ip link set lo up
tmp=$(mktemp -d /tmp/postseal-policybench.XXXXXX)
daemon_pid=
cached_pid=
cleanup() {
  for p in $daemon_pid $cached_pid; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  unbound_stop "$tmp/unbound"
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$src/tests/lib/unbound.sh"
unbound_start "$tmp/unbound" 53 "$src/bench/policy/zone.conf"
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf

common=(--dns 127.0.0.1@53 --authserv-id mx.bench.example)
results=$tmp/results
: >"$results"

# measure NAME CONNS N CLIENT-ARGS... : RUNS runs, one result line each into $results.
measure() {
  local name=$1 conns=$2 n=$3 i line
  shift 3
  for i in $(seq "$RUNS"); do
    line=$(timeout 600 /usr/bin/python3 "$client" "$n" "$conns" "$@")
    echo "$name $conns $line" >>"$results"
    echo "  $name x$conns run $i: $line" >&2
  done
}

# start_daemon PORT TTL - postseal verifier on 127.0.0.1:PORT; sets started_pid.
start_daemon() {
  "$bin" verifier --listen "127.0.0.1:$1" "${common[@]}" --cache-ttl "$2" \
    >"$tmp/verifier-$1.log" 2>&1 &
  started_pid=$!
  for _ in $(seq 50); do
    /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
      "$1" 2>/dev/null && break
    sleep 0.1
  done
  kill -0 "$started_pid" || { cat "$tmp/verifier-$1.log" >&2; exit 1; }
}
# postseal verifier: daemon on TCP, one process for all connections.
start_daemon 10040 "$CACHE_TTL"
daemon_pid=$started_pid
start_daemon 10041 300
cached_pid=$started_pid
for c in 1 8; do
  measure "postseal-verifier(tcp)" "$c" "$OURS_N" tcp 127.0.0.1:10040 "$daemon_pid"
  measure "postseal-verifier(cached)" "$c" "$OURS_N" tcp 127.0.0.1:10041 "$cached_pid"
  measure "postseal-policy(spawn)" "$c" "$OURS_N" spawn "$bin" policy "${common[@]}" \
    --cache-ttl "$CACHE_TTL"
  measure "policyd-spf-python" "$c" "$PEER_N" spawn "$PY"
  measure "policyd-spf-perl" "$c" "$PEER_N" spawn /usr/bin/perl "$PERL"
done

/usr/bin/python3 - "$results" "$RUNS" "$CACHE_TTL" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    key = (f[0], int(f[1]))
    rows.setdefault(key, []).append((float(f[3]), float(f[5]), f[9]))
print("Policy requests/s, warm DNS cache (unbound local-data, same namespace), median of %s runs;"
      % sys.argv[2])
print("postseal --cache-ttl %s (cached row: 300); CPU = server process(es) utime+stime per request" % sys.argv[3])
print("%-26s %5s %10s %10s %9s  %s" % ("service", "conns", "req/s", "CPU ms/req", "vs python",
                                       "answers (last run)"))
for conns in (1, 8):
    base = statistics.median(r[0] for r in rows[("policyd-spf-python", conns)])
    for name in ("postseal-verifier(tcp)", "postseal-verifier(cached)", "postseal-policy(spawn)", "policyd-spf-python",
                 "policyd-spf-perl"):
        r = rows[(name, conns)]
        rps = statistics.median(x[0] for x in r)
        cpu = statistics.median(x[1] for x in r)
        print("%-26s %5d %10.0f %10.3f %8.1fx  %s" % (name, conns, rps, cpu, rps / base, r[-1][2]))
PY

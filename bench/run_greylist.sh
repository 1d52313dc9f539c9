#!/bin/bash
# run_greylist.sh [POSTSEAL_BINARY] - greylisting policy requests per second and server CPU per
# request over one connection and over eight: `postseal verifier --greylist` with the SQLite
# store and with the Redis store (a private redis-server, no persistence; its CPU is shown
# apart and added in the per-core ratio), beside Debian's postgrey (/usr/sbin/postgrey
# --delay=300, its own dbdir) answering the same requests (bench/greylist/client.py: every
# request a distinct triplet, the store's write path) in the same run. Then the p99 answer
# latency of each at fixed rates (RATE, 5,000/s, the issue's target, and RATE2, 1,000/s;
# postgrey, far below either, is asked at RATE_PEER; a rate above what a service sustains
# shows as seconds of queueing). Everything on free loopback ports, in a temp dir; postseal answers
# SPF too (SPF none from a --dns-zone file), postgrey only greylists.
# Prints the hardware, medians of RUNS runs, ratios to postgrey per CPU-second.
# Env: RUNS (3), N (20000 requests per postseal run), PEER_N (2000 per postgrey run),
#      RATE (5000), RATE2 (1000), RATE_PEER (200), RATE_SECS (5). Needs root (postgrey drops to its user).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/cli/postseal}
RUNS=${RUNS:-3} N=${N:-20000} PEER_N=${PEER_N:-2000}
RATE=${RATE:-5000} RATE2=${RATE2:-1000} RATE_PEER=${RATE_PEER:-200} RATE_SECS=${RATE_SECS:-5}
client=$src/bench/greylist/client.py
[ -x "$bin" ] || { echo "run_greylist.sh: $bin missing (cmake --build build --target postseal)" >&2; exit 1; }
for f in /usr/sbin/postgrey /usr/bin/redis-server; do
  [ -x "$f" ] || { echo "run_greylist.sh: $f not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run_greylist.sh: needs root (postgrey runs as its user)" >&2; exit 1; }

tmp=$(mktemp -d /var/tmp/postseal-greylistbench.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$tmp/postgrey.pid" ] && kill "$(cat "$tmp/postgrey.pid")" 2>/dev/null
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
read -r P_SQL P_RED P_REDIS P_PG < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
wait_port() {
  local i; for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "run_greylist.sh: nothing listens on $1" >&2; return 1
}

echo "== hardware: nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== postgrey $(dpkg-query -W -f '${Version}' postgrey 2>/dev/null), redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), postseal $("$bin" --version 2>/dev/null | head -1)"

echo 'unrelated.example. TXT "v=spf1 -all"' > "$tmp/zone.txt"
common='[greylist]
whitelist_clients = []
whitelist_recipients = []
auto_whitelist_clients = 0'
printf '%s\n[state]\nbackend = "sqlite"\npath = "%s/state.db"\n' "$common" "$tmp" > "$tmp/sqlite.toml"
printf '%s\n[state]\nbackend = "redis"\nredis = "127.0.0.1:%s"\n' "$common" "$P_REDIS" > "$tmp/redis.toml"

redis-server --port "$P_REDIS" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --dir "$tmp" --loglevel warning >"$tmp/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
wait_port "$P_REDIS"
"$bin" verifier --greylist -c "$tmp/sqlite.toml" --listen "127.0.0.1:$P_SQL" --dns-zone "$tmp/zone.txt" \
  --authserv-id mx.bench.example --foreground >/dev/null 2>"$tmp/sqlite.log" &
sql_pid=$!; pids+=("$sql_pid")
"$bin" verifier --greylist -c "$tmp/redis.toml" --listen "127.0.0.1:$P_RED" --dns-zone "$tmp/zone.txt" \
  --authserv-id mx.bench.example --foreground >/dev/null 2>"$tmp/redis-verifier.log" &
red_pid=$!; pids+=("$red_pid")
mkdir -p "$tmp/postgrey" && chown postgrey "$tmp/postgrey"
/usr/sbin/postgrey --inet="127.0.0.1:$P_PG" --delay=300 --dbdir="$tmp/postgrey" \
  --pidfile="$tmp/postgrey.pid" --daemonize >"$tmp/postgrey.log" 2>&1
wait_port "$P_SQL"; wait_port "$P_RED"; wait_port "$P_PG"
for _ in $(seq 50); do [ -s "$tmp/postgrey.pid" ] && break; sleep 0.1; done
pg_pid=$(cat "$tmp/postgrey.pid")
# logging: postseal logs one line per request to stderr (a file here); postgrey to syslog

results=$tmp/results
: >"$results"
seed=1
measure() {  # NAME CONNS N PORT PIDS
  local name=$1 conns=$2 n=$3 port=$4 pidlist=$5 i line
  for i in $(seq "$RUNS"); do
    seed=$((seed + 1000000))
    line=$(timeout 600 python3 "$client" load "$n" "$conns" "$port" "$seed" "$pidlist")
    echo "$name $conns $line" >>"$results"
    echo "  $name x$conns run $i: $line" >&2
  done
}
for c in 1 8; do
  measure postseal-sqlite "$c" "$N" "$P_SQL" "$sql_pid"
  measure postseal-redis "$c" "$N" "$P_RED" "$red_pid"
  measure redis-server "$c" "$N" "$P_RED" "$redis_pid"   # the same load, redis-server's CPU
  measure postgrey "$c" "$PEER_N" "$P_PG" "$pg_pid"
done
# the open-loop client: bench/policy_rate_bench.cpp when built beside the binary (at 5,000/s the
# Python client's own delays were of the size measured), else client.py's rate mode
rate_client=(python3 "$client" rate)
rate_bin=$(dirname "$(dirname "$bin")")/bench/policy_rate_bench
[ -x "$rate_bin" ] && rate_client=("$rate_bin")
echo "== fixed-rate client: ${rate_client[*]}"
rates=$tmp/rates
: >"$rates"
for name in postseal-sqlite:$P_SQL:$RATE postseal-redis:$P_RED:$RATE postseal-sqlite:$P_SQL:$RATE2 \
    postseal-redis:$P_RED:$RATE2 postgrey:$P_PG:$RATE_PEER; do
  IFS=: read -r nm port r <<<"$name"
  seed=$((seed + 1000000))
  line=$(timeout 600 "${rate_client[@]}" "$r" "$RATE_SECS" 16 "$port" "$seed")
  echo "$nm $line" >>"$rates"
  echo "  $nm: $line" >&2
done

python3 - "$results" "$rates" "$RUNS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault((f[0], int(f[1])), []).append((float(f[3]), float(f[5]), f[9]))
med = lambda k, i: statistics.median(x[i] for x in rows[k])
print("Greylisting, every request a new triplet; median of %s runs; CPU = server utime+stime per request" % sys.argv[3])
print("%-16s %5s %9s %11s %12s %14s  %s" % ("service", "conns", "req/s", "CPU ms/req", "req/CPU-s",
                                           "vs postgrey/core", "answers (last run)"))
for conns in (1, 8):
    pg = 1000.0 / med(("postgrey", conns), 1)
    for name in ("postseal-sqlite", "postseal-redis", "postgrey"):
        k = (name, conns)
        cpu = med(k, 1)
        extra = ""
        if name == "postseal-redis":
            rcpu = med(("redis-server", conns), 1)
            extra = " (+redis-server %.3f)" % rcpu
            cpu_all = cpu + rcpu
        else:
            cpu_all = cpu
        per_core = 1000.0 / cpu_all
        print("%-16s %5d %9.0f %11.3f %12.0f %13.1fx  %s%s" % (name, conns, med(k, 0), cpu, per_core,
                                                            per_core / pg, rows[k][-1][2], extra))
print("Fixed rate (open loop, 16 connections):")
for line in open(sys.argv[2]):
    print("  " + line.strip())
PY

#!/bin/bash
# run_metrics.sh - the cost of metrics on the hot paths (issue 16's benchmark): the signing
# filter's and the policy service's rates with [metrics] listen set (counting, and a scraper
# reading /metrics every SCRAPE seconds) versus not set, in one run. On and off runs
# alternate (off, on, off, on, ...) so drift in the machine's load hits both alike; prints the
# medians of RUNS runs each and the on/off ratios (target: within 2%) of the rate and of the
# daemon's CPU time per message or request (utime+stime of all its threads, the exposer's
# included): on a machine shared with other work the CPU figure is the steadier one.
#  signer: smtp-source -> postseal signer (RSA-2048, 4 KB messages, 10 sessions) -> smtp-sink,
#          as bench/run_signer.sh part (a);
#  policy: bench/policy/client.py -> postseal verifier on TCP, 8 connections, SPF evaluated on
#          every request (--cache-ttl 0) against a private unbound, as bench/run_policy.sh.
# Then bench/metrics_bench (built beside the binary: build/bench/) gives the thread CPU cost of
# each counting call and of one scrape, and the share of the off runs' CPU per message or
# request they make: the cost itself, where the end-to-end figures are only as exact as the
# machine is quiet.
# Everything runs in a private network and mount namespace (unshare): loopback only, the
# host's ports and DNS untouched. Needs root, postfix (smtp-source, smtp-sink), unbound.
# usage: bench/run_metrics.sh [POSTSEAL_BINARY]
# Env: RUNS (3), MSGS (2000 messages per signer run), REQS (20000 requests per policy run),
#      SCRAPE (1 second between scrapes during "on" runs; 0: no scraper during the runs, only
#      the check after each; Prometheus' own default interval is 1 minute).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/cli/postseal}
micro=${MICRO:-$(dirname "$(dirname "$bin")")/bench/metrics_bench}
RUNS=${RUNS:-3}
MSGS=${MSGS:-2000}
REQS=${REQS:-20000}
SCRAPE=${SCRAPE:-1}
export RUNS MSGS REQS SCRAPE MICRO=$micro

if [ "${METRICSBENCH_INSIDE:-}" != 1 ]; then
  for f in "$bin" "$micro"; do
    [ -x "$f" ] || { echo "run_metrics.sh: $f missing (scripts/build.sh)" >&2; exit 1; }
  done
  micro=$(cd "$(dirname "$micro")" && pwd)/$(basename "$micro")
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  for f in /usr/sbin/smtp-source /usr/sbin/smtp-sink /usr/sbin/unbound /usr/bin/curl; do
    [ -x "$f" ] || { echo "run_metrics.sh: $f not installed" >&2; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "run_metrics.sh: needs root for unshare" >&2; exit 1; }
  exec env METRICSBENCH_INSIDE=1 unshare --net --mount --propagation private \
    /bin/bash "$src/bench/run_metrics.sh" "$bin"
fi

# --- inside the namespace ---
ip link set lo up
tmp=$(mktemp -d /tmp/postseal-metricsbench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; } || true; done
  unbound_stop "$tmp/unbound"
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$src/tests/lib/unbound.sh"
unbound_start "$tmp/unbound" 53 "$src/bench/policy/zone.conf"
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
results=$tmp/results
: >"$results"

wait_port() {
  for _ in $(seq 100); do
    /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
      "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run_metrics.sh: nothing on port $1" >&2
  exit 1
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
cpu_ms() { awk '{print ($14+$15)*1000/'"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
# scraper PORT - read /metrics every SCRAPE seconds until killed; sets scraper_pid
scraper() {
  (while curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" >"$tmp/scrape.txt"; do sleep "$SCRAPE"; done) &
  scraper_pid=$!
}
# config MODE LISTEN_LINE... - $tmp/MODE.toml with [metrics] listen when MODE is on
config() {
  local mode=$1 file=$tmp/$1.toml
  shift
  printf '%s\n' "$@" >"$file"
  [ "$mode" = on ] && printf '[metrics]\nlisten = "127.0.0.1:9151"\n' >>"$file"
  echo "$file"
}

mkdir -p "$tmp/keys"; chmod 700 "$tmp/keys"
openssl genrsa -out "$tmp/keys/rsa.private" 2048 2>/dev/null; chmod 600 "$tmp/keys/rsa.private"

# signer_run MODE - one smtp-source run through a fresh filter; appends "signer MODE rate cpu"
signer_run() {
  local mode=$1 file t0 t1 c0 c1 fpid signed
  file=$(config "$mode" "[signer]" 'listen = "127.0.0.1:10127"' 'relay = "127.0.0.1:10128"' \
    "[[signer.domain]]" 'name = "bench.example"' "keys = [\"r:$tmp/keys/rsa.private\"]")
  "$bin" signer -c "$file" --foreground >"$tmp/signer-$mode.log" 2>&1 </dev/null &
  fpid=$!
  wait_port 10127
  [ "$mode" = on ] && { wait_port 9151; [ "$SCRAPE" = 0 ] || scraper 9151; }
  c0=$(cpu_ms "$fpid"); t0=$(date +%s.%N)
  smtp-source -c -l 4096 -m "$MSGS" -s 10 -f alice@bench.example -t bob@dest.example 127.0.0.1:10127 \
    >/dev/null 2>&1
  t1=$(date +%s.%N); c1=$(cpu_ms "$fpid")
  [ "$mode" = on ] && [ "$SCRAPE" != 0 ] && stop "$scraper_pid"
  signed=$(grep -c "DKIM-Signature added" "$tmp/signer-$mode.log" || true)
  if [ "$mode" = on ]; then
    curl -fsS "http://127.0.0.1:9151/metrics" >"$tmp/scrape.txt"
    grep -q "postseal_messages_signed_total{domain=\"bench.example\",result=\"signed\"} $MSGS" "$tmp/scrape.txt" ||
      { echo "run_metrics.sh: the signed counter is not $MSGS" >&2; exit 1; }
    cp "$tmp/scrape.txt" "$tmp/scrape-signer.txt"
  fi
  stop "$fpid"
  [ "$signed" -ge "$MSGS" ] || { echo "run_metrics.sh: signer $mode: only $signed of $MSGS signed" >&2; exit 1; }
  echo "signer $mode $(echo "$MSGS / ($t1 - $t0)" | bc -l) $(echo "($c1 - $c0) / $MSGS" | bc -l)" >>"$results"
}

# policy_run MODE - one client.py run against a fresh verifier; appends "policy MODE rate cpu"
policy_run() {
  local mode=$1 file vpid line
  file=$(config "$mode" "[verifier]")
  "$bin" verifier -c "$file" --listen 127.0.0.1:10040 --dns 127.0.0.1@53 --authserv-id mx.bench.example \
    --cache-ttl 0 >"$tmp/verifier-$mode.log" 2>&1 </dev/null &
  vpid=$!
  wait_port 10040
  [ "$mode" = on ] && { wait_port 9152; [ "$SCRAPE" = 0 ] || scraper 9152; }
  line=$(timeout 600 /usr/bin/python3 "$src/bench/policy/client.py" "$REQS" 8 tcp 127.0.0.1:10040 "$vpid")
  if [ "$mode" = on ]; then
    [ "$SCRAPE" = 0 ] || stop "$scraper_pid"
    curl -fsS "http://127.0.0.1:9152/metrics" >"$tmp/scrape.txt"
    grep -q '^postseal_policy_answers_total{action="prepend"} [1-9]' "$tmp/scrape.txt" ||
      { echo "run_metrics.sh: the policy answer counter did not move" >&2; exit 1; }
  fi
  stop "$vpid"
  echo "  policy $mode: $line" >&2
  echo "policy $mode $(echo "$line" | awk '{print $2, $4}')" >>"$results"
}

smtp-sink -u postfix 127.0.0.1:10128 512 >/dev/null 2>&1 &
pids+=($!)
wait_port 10128
for run in $(seq "$RUNS"); do
  for mode in off on; do
    signer_run "$mode"
    echo "  signer $mode run $run: $(tail -1 "$results" | awk '{printf "%.1f msg/s, %.3f CPU ms/msg", $3, $4}')" >&2
  done
done
for run in $(seq "$RUNS"); do
  for mode in off on; do policy_run "$mode"; done
done

"$MICRO" 1000000 >"$tmp/micro"
/usr/bin/python3 - "$results" "$RUNS" "$MSGS" "$REQS" "$SCRAPE" "$tmp/micro" "$tmp/scrape.txt" \
  "$tmp/scrape-signer.txt" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    what, mode, rate, cpu = line.split()
    rows.setdefault((what, mode), []).append((float(rate), float(cpu)))
scrape_every = float(sys.argv[5])
print("Metrics on vs off, median of %s runs each (alternating); on = [metrics] listen set and /metrics %s"
      % (sys.argv[2], "scraped every %s s" % sys.argv[5] if scrape_every else "not scraped during the runs"))
print("%-7s %-31s %9s %9s %8s   %11s %11s %8s" % ("path", "load", "off /s", "on /s", "on/off",
                                                "off CPU ms", "on CPU ms", "on/off"))
loads = {"signer": "%s msgs, RSA-2048, 10 sessions" % sys.argv[3],
         "policy": "%s requests, 8 connections" % sys.argv[4]}
for what in ("signer", "policy"):
    med = lambda mode, i: statistics.median(r[i] for r in rows[(what, mode)])
    off, on, coff, con = med("off", 0), med("on", 0), med("off", 1), med("on", 1)
    print("%-7s %-31s %9.1f %9.1f %8.3f   %11.4f %11.4f %8.3f" % (what, loads[what], off, on, on / off, coff, con,
                                                                  con / coff))
    rows[(what, "cpu_off_ms")] = coff
    pairs = sorted(b[0] / a[0] for a, b in zip(rows[(what, "off")], rows[(what, "on")]))
    print("%-7s rate on/off of each off-on pair: median %.3f, from %.3f to %.3f (the machine's noise)"
          % (what, statistics.median(pairs), pairs[0], pairs[-1]))
micro = {}
for line in open(sys.argv[6]):
    m = re.match(r"(on|off): (.*): ([0-9.]+) ns", line)
    if m:
        micro[(m.group(1), m.group(2))] = float(m.group(3))
    m = re.match(r"scrape: ([0-9.]+) us \(([0-9]+) octets\)", line)
    if m:
        scrape_us, octets = float(m.group(1)), int(m.group(2))
print("Counting cost per call, thread CPU (bench/metrics_bench, median of 5 x 1,000,000): " +
      ", ".join("%s %.0f ns (off %.1f)" % (k[1], v, micro[("off", k[1])]) for k, v in micro.items() if k[0] == "on"))
print("One scrape: %.0f us for %d octets (%.3f%% of one core at one scrape per %s s)"
      % (scrape_us, octets, scrape_us / 1e4 / (scrape_every or 15), sys.argv[5] if scrape_every else "15"))
# events per unit of work, from the last "on" run's own counters (stage timers: the
# histogram's _count series)
def totals_of(path):
    totals = {}
    for line in open(path):
        m = re.match(r"(postseal_[a-z_]+_total|postseal_stage_duration_seconds_count)\{[^}]*\} ([0-9.e+]+)$",
                     line.strip())
        if m:
            totals[m.group(1)] = totals.get(m.group(1), 0) + float(m.group(2))
    return totals
totals, signer_totals = totals_of(sys.argv[7]), totals_of(sys.argv[8])
answers = totals["postseal_policy_answers_total"]
spf = totals.get("postseal_spf_results_total", 0) / answers
dns = totals.get("postseal_dns_lookups_total", 0) / answers
stages = totals.get("postseal_stage_duration_seconds_count", 0) / answers
signed = signer_totals["postseal_messages_signed_total"]
signer_stages = signer_totals.get("postseal_stage_duration_seconds_count", 0) / signed
timer = micro[("on", "stage timer")]
signer_ns = micro[("on", "count_signed(configured)")] + signer_stages * timer
policy_ns = (micro[("on", "count_policy_answer")] + spf * micro[("on", "count_spf")] +
             dns * micro[("on", "count_dns_lookup")] + stages * timer)
print("Share of the off runs' CPU per unit: signer %.0f ns per message (1 count, %.2f stage timers) = %.4f%%;"
      " policy %.0f ns per request (1 answer, %.2f SPF results, %.2f DNS lookups, %.2f stage timers per request,"
      " counted in the last on run) = %.3f%%"
      % (signer_ns, signer_stages, signer_ns / (rows[("signer", "cpu_off_ms")] * 1e6) * 100,
         policy_ns, spf, dns, stages, policy_ns / (rows[("policy", "cpu_off_ms")] * 1e6) * 100))
PY

#!/bin/bash
# run_dmarc_report.sh [POSTSEAL_BINARY] - DMARC aggregate report cost: MESSAGES messages over
# ROWS distinct rows of one policy domain are counted into a SQLite state store by the Recorder
# (bench/dmarc_report_bench.cpp, the store cost per message, batched as the daemons record;
# first the store cost per message of both modes on 100,000 messages over 1,000 rows), then `postseal dmarc report -o DIR`
# builds the report from it: wall time, CPU and peak RSS (/usr/bin/time -v), report size.
# The issue's target: 1,000,000 messages reported in under 10 s with RSS under 100 MB.
# Env: MESSAGES (1000000), ROWS (100000).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/cli/postseal}
fill=$src/build/bench/dmarc_report_bench
MESSAGES=${MESSAGES:-1000000} ROWS=${ROWS:-100000}
for f in "$bin" "$fill" /usr/bin/time; do
  [ -x "$f" ] || { echo "run_dmarc_report.sh: $f missing (cmake --build build --target postseal dmarc_report_bench)" >&2; exit 1; }
done
tmp=$(mktemp -d /var/tmp/postseal-dmarcreportbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "hardware: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for mode in sync batched; do "$fill" "$tmp/cost-$mode.db" 100000 1000 $mode; done
"$fill" "$tmp/state.db" "$MESSAGES" "$ROWS"
printf '[dmarc]\nreport_email = "dmarc@bench.example"\nreport_max_rows = %s\n[state]\npath = "%s"\nmax_entries = 10000000\n' \
  "$ROWS" "$tmp/state.db" > "$tmp/bench.toml"
mkdir "$tmp/out"
/usr/bin/time -v "$bin" dmarc report --period "$(date -u +%F)" -o "$tmp/out" -c "$tmp/bench.toml" \
  > "$tmp/report.log" 2> "$tmp/time.log" || { cat "$tmp/report.log" "$tmp/time.log"; exit 1; }
grep -E '^example.com:' "$tmp/report.log"
wall=$(grep 'Elapsed (wall clock)' "$tmp/time.log" | sed 's/.*): //')
user=$(grep 'User time' "$tmp/time.log" | sed 's/.*: //')
sys=$(grep 'System time' "$tmp/time.log" | sed 's/.*: //')
rss=$(grep 'Maximum resident' "$tmp/time.log" | sed 's/.*: //')
size=$(stat -c %s "$tmp"/out/*.xml.gz)
xml=$(gunzip -c "$tmp"/out/*.xml.gz | wc -c)
echo "report of $MESSAGES messages / $ROWS rows: wall $wall, user ${user}s, sys ${sys}s, peak RSS $((rss / 1024)) MB;" \
  "file $((size / 1024)) KiB gzip ($((xml / 1024 / 1024)) MiB XML)"

#!/bin/bash
# run_spf.sh [BUILD_DIR] - SPF evaluations per second per core, warm cache (answers from
# memory), on the same records (bench/spf/zone.txt) and client IPs: postseal's native engine,
# its libspf2 backend (bench/spf_bench.cpp) and pyspf's check2 (bench/spf/pyspf_bench.py),
# each run 5 times in this run; prints the medians and the ratios to pyspf.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${POSTSEAL_BUILD:-$src/build}}
bench="$build/bench/spf_bench"
[ -x "$bench" ] || { echo "run_spf.sh: $bench not built (cmake --build $build --target spf_bench)" >&2; exit 1; }
runs=5
ips="203.0.113.5 198.18.1.200 192.0.2.77 198.51.100.11 192.0.3.1"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
SPF_BENCH_ZONE="$src/bench/spf/zone.txt" "$bench" --benchmark_repetitions=$runs \
  --benchmark_min_time=1 --benchmark_format=json >"$json" 2>/dev/null
py=()
for _ in $(seq $runs); do
  py+=("$(/usr/bin/python3 "$src/bench/spf/pyspf_bench.py" "$src/bench/spf/zone.txt" 1 $ips)")
done
/usr/bin/python3 - "$json" "${py[@]}" <<'PY'
import json, statistics, sys
data = json.load(open(sys.argv[1]))
runs = {}
for b in data["benchmarks"]:
    if b.get("run_type") == "iteration":
        runs.setdefault(b["run_name"], []).append(b["items_per_second"])
py = statistics.median(float(x) for x in sys.argv[2:])
native = statistics.median(runs["BM_SpfNative"])
lib = statistics.median(runs["BM_SpfLibspf2"])
print("SPF evaluations/s, one core, warm cache (median of %d runs)" % len(sys.argv[2:]))
print("  postseal native : %10.0f   %6.1fx pyspf" % (native, native / py))
print("  postseal libspf2: %10.0f   %6.1fx pyspf" % (lib, lib / py))
print("  pyspf check2    : %10.0f" % py)
PY

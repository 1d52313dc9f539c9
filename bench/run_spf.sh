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
ours=$(SPF_BENCH_ZONE="$src/bench/spf/zone.txt" "$bench" 1 $runs)
py=()
for _ in $(seq $runs); do
  py+=("$(/usr/bin/python3 "$src/bench/spf/pyspf_bench.py" "$src/bench/spf/zone.txt" 1 $ips)")
done
native=$(printf '%s\n' "$ours" | awk '/^native median/ {print $3}')
lib=$(printf '%s\n' "$ours" | awk '/^libspf2 median/ {print $3}')
/usr/bin/python3 - "$native" "$lib" "${py[@]}" <<'PY'
import statistics, sys
native, lib = float(sys.argv[1]), float(sys.argv[2])
py = statistics.median(float(x) for x in sys.argv[3:])
print("SPF evaluations/s, one core, warm cache (median of %d runs of 1 s)" % len(sys.argv[3:]))
print("  postseal native : %10.0f   %6.1fx pyspf" % (native, native / py))
print("  postseal libspf2: %10.0f   %6.1fx pyspf" % (lib, lib / py))
print("  pyspf check2    : %10.0f" % py)
PY

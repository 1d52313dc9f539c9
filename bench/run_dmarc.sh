#!/bin/bash
# run_dmarc.sh [BUILD_DIR] - DMARC evaluations per second and CPU per evaluation on one core,
# answers from memory, postseal (bench/dmarc_bench.cpp: RFC 9989 tree walk and PSL mode) beside
# OpenDMARC's library (Debian libopendmarc-dev, tests/interop/dmarc/opendmarc_eval.c --bench,
# records given with opendmarc_dns_fake_record, PSL Organizational Domains), in the same run
# on the same records (tests/interop/dmarc/zone.conf) and cases (tests/interop/dmarc/cases.txt,
# single-From cases: OpenDMARC's API takes one From domain). Each side runs 3 times,
# interleaved; prints the hardware and the medians. DMARC_BENCH_ROUNDS (default 4000) passes
# over the cases per run. Every evaluation starts from an empty answer memo (one Discovery per
# message, as in the verifier); OpenDMARC keeps no cache between messages either.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${POSTSEAL_BUILD:-$src/build}}
bench="$build/bench/dmarc_bench"
[ -x "$bench" ] || { echo "run_dmarc.sh: $bench not built (cmake --build $build --target dmarc_bench)" >&2; exit 1; }
[ -r /usr/include/opendmarc/dmarc.h ] || { echo "run_dmarc.sh: libopendmarc-dev is not installed" >&2; exit 1; }
rounds=${DMARC_BENCH_ROUNDS:-4000}
data="$src/tests/interop/dmarc"
work=$(mktemp -d /tmp/postseal-dmarc-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cc -O2 -Wall -o "$work/opendmarc_eval" "$data/opendmarc_eval.c" -lopendmarc
# zone.conf (unbound local-data) -> a --dns-zone file and OpenDMARC fake records.
sed -n "s/^local-data: '\(.*\)'\$/\1/p" "$data/zone.conf" >"$work/zone.txt"
sed -n "s/^local-data: '\([^ ]*\)\. [0-9]* TXT \"\(.*\)\"'\$/\1 \2/p" "$data/zone.conf" >"$work/fake.txt"
grep -v '^#' "$data/cases.txt" | grep . | grep -v ',' >"$work/cases"

echo "hardware: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cases: $(wc -l <"$work/cases") single-From cases x $rounds rounds per run, 3 runs each"
for run in 1 2 3; do
  "$bench" "$work/zone.txt" "$work/cases" "$rounds" treewalk >>"$work/treewalk"
  "$bench" "$work/zone.txt" "$work/cases" "$rounds" psl >>"$work/psl"
  "$work/opendmarc_eval" --fake "$work/fake.txt" --bench "$rounds" <"$work/cases" >>"$work/opendmarc"
done
/usr/bin/python3 - "$work" <<'PY'
import statistics, sys
work = sys.argv[1]
def load(name):
    runs = []
    for line in open("%s/%s" % (work, name)):
        f = line.split()
        kv = dict(zip(f[0::2], f[1::2]))
        runs.append({k: float(v) for k, v in kv.items()})
    return runs
rows = [("postseal treewalk (RFC 9989)", load("treewalk")),
        ("postseal psl (RFC 7489 mode)", load("psl")),
        ("OpenDMARC 1.4.2 (libopendmarc)", load("opendmarc"))]
print("%-32s %14s %14s %12s   %s" % ("", "evals/s (wall)", "evals/s (CPU)", "CPU us/eval", "pass/fail/other per run"))
for name, runs in rows:
    wall = statistics.median(r["evaluations"] / r["wall_s"] for r in runs)
    cpu = statistics.median(r["evaluations"] / r["cpu_s"] for r in runs)
    us = statistics.median(1e6 * r["cpu_s"] / r["evaluations"] for r in runs)
    r0 = runs[0]
    print("%-32s %14.0f %14.0f %12.2f   %d/%d/%d" % (name, wall, cpu, us, r0["pass"], r0["fail"], r0["other"]))
print("(medians of %d runs; one core each; wall figures include waits for the CPU when the host is busy)" % len(rows[0][1]))
PY

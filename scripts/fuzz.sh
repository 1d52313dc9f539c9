#!/usr/bin/env bash
# fuzz.sh - coverage-guided fuzzing of the fuzz/*_fuzz.cpp targets with libFuzzer, ASan and
# UBSan (clang 16; the flags are in CMakeLists.txt, POSTSEAL_FUZZ).
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]      (default: all, 600 s per target)
#
# Builds the targets in build-fuzz/, then for each target: fuzzes for SECONDS into a scratch
# corpus seeded from fuzz/corpus/TARGET/, merges the inputs that add coverage into that
# committed corpus (libFuzzer -merge=1: the corpus only grows by inputs that reach new code),
# and copies crash artifacts (crash-, leak-, timeout-, oom-) into fuzz/regressions/TARGET/,
# where the test fuzz.TARGET replays them from then on. Prints per target the executions, the
# final cov:/ft: figures and the corpus size before/after. Exits 1 if any target crashed.
#
#   --smoke   fuzz only: no build, no merge, nothing written to fuzz/ (artifacts stay in the
#             build folder); scripts/test-asan.sh runs this on its build.
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL (targets fuzzed at once,
# default 1), FUZZ_ARGS (more libFuzzer flags, e.g. "-max_len=65536").
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
target=${1:-all}
seconds=${2:-600}
build=${FUZZ_BUILD_DIR:-build-fuzz}
parallel=${FUZZ_PARALLEL:-1}
# Per-input limits: an input slower than this or using more memory is reported as a failure.
TIMEOUT_SECONDS=25
RSS_LIMIT_MB=2048

if [ "$target" = all ]; then
  targets=()
  for f in fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
else
  [ -f "fuzz/$target.cpp" ] || { echo "fuzz.sh: no target fuzz/$target.cpp" >&2; exit 64; }
  targets=("$target")
fi

if [ $smoke -eq 0 ]; then
  bash scripts/install-deps.sh --fuzz
  args=(-G Ninja -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 -DPOSTSEAL_FUZZ=ON
    -DPOSTSEAL_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only"
    "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only")
  if command -v ccache >/dev/null; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$build" "${args[@]}" >/dev/null
  nice cmake --build "$build" -j 2 --target "${targets[@]}"
fi

work=$SRC/$build/fuzz-work
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

count_files() { [ -d "$1" ] && find "$1" -type f | wc -l || echo 0; }

# fuzz_one NAME - fuzz, merge, keep artifacts; writes $work/NAME.summary, fails on a crash.
fuzz_one() {
  local name=$1 bin=$SRC/$build/fuzz/$1 corpus=$SRC/fuzz/corpus/$1
  local scratch=$work/$name.corpus artifacts=$work/$name.artifacts log=$work/$name.log
  rm -rf "$scratch" "$artifacts" "$work/$name.summary"
  mkdir -p "$scratch" "$artifacts"
  [ $smoke -eq 1 ] || mkdir -p "$corpus"
  local seeds=("$scratch") before status=0
  [ -d "$corpus" ] && seeds+=("$corpus")
  before=$(count_files "$corpus")
  # The scratch folder comes first: libFuzzer writes new inputs only to the first folder.
  # shellcheck disable=SC2086
  nice "$bin" -max_total_time="$seconds" -timeout=$TIMEOUT_SECONDS -rss_limit_mb=$RSS_LIMIT_MB \
    -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
    "${seeds[@]}" >"$log" 2>&1 || status=$?
  if [ $smoke -eq 0 ]; then
    nice "$bin" -merge=1 -timeout=$TIMEOUT_SECONDS -rss_limit_mb=$RSS_LIMIT_MB \
      "$corpus" "$scratch" >>"$log" 2>&1 || true
    if compgen -G "$artifacts/*" >/dev/null; then
      mkdir -p "$SRC/fuzz/regressions/$name"
      cp "$artifacts"/* "$SRC/fuzz/regressions/$name/"
    fi
  fi
  local execs cov ft after
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  after=$(count_files "$corpus")
  local verdict=ok
  if [ $status -ne 0 ] || compgen -G "$artifacts/*" >/dev/null; then
    verdict="FAILED (exit $status): $(ls "$artifacts" | tr '\n' ' ')log $log"
    [ $smoke -eq 0 ] && verdict+=", reproducers in fuzz/regressions/$name/"
  fi
  printf '%-24s execs %10s  cov %6s  ft %7s  corpus %5s -> %5s  %s\n' "$name" "${execs:-?}" \
    "${cov:-?}" "${ft:-?}" "$before" "$after" "$verdict" >"$work/$name.summary"
  [ "$verdict" = ok ]
}

failed=0
running=0
for name in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$name" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done

for name in "${targets[@]}"; do
  [ -f "$work/$name.summary" ] || echo "$name: no summary (fuzz.sh failed; log $work/$name.log)" \
    >"$work/$name.summary"
  cat "$work/$name.summary"
  if grep -q FAILED "$work/$name.summary"; then
    grep -m 3 -A 15 'ERROR\|runtime error' "$work/$name.log" >&2 || true
  fi
done
if [ $failed -ne 0 ]; then
  echo "fuzz.sh: a target crashed (see above)" >&2
  exit 1
fi

#!/usr/bin/env bash
# test-asan.sh - the sanitizer stage of scripts/test.sh (runnable alone): build with clang 16,
# AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer for the fuzz targets
# (-DPOSTSEAL_FUZZ=ON, the flags are in CMakeLists.txt) into build-asan/, without benchmarks;
# run the labels unit, conformance, fuzz (corpus and regression replay) and blackbox (the
# daemons probed over loopback, POSTSEAL = the sanitized binary) under it; then fuzz every
# target for POSTSEAL_FUZZ_SMOKE_SECONDS (default 10; 0 skips), two targets at a time.
# Any sanitizer report stops the process with an error, leaks included.
# scripts/test.sh runs it by default. Cost on 2 cores with an empty ccache (measured under
# load, so as CPU time / 2): build ~15 min (1,800 CPU s), tests ~3 min (190 CPU s; the
# RFC 7208 CLI suite and the serialized blackbox scripts set the pace), fuzz smoke 23 targets x
# 10 s / 2 = ~2 min. The smoke was 30 s (~6 min), cut to keep CI under ~35 minutes; longer
# runs by hand: POSTSEAL_FUZZ_SMOKE_SECONDS=30, or scripts/fuzz.sh.
# Usage: scripts/test-asan.sh [ctest args...]   e.g. scripts/test-asan.sh -R unit.dkim
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
SMOKE_SECONDS=${POSTSEAL_FUZZ_SMOKE_SECONDS:-10}
JOBS=$(nproc)
[ "$JOBS" -gt 2 ] || JOBS=2

args=(-G Ninja -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 -DPOSTSEAL_FUZZ=ON
  -DPOSTSEAL_BENCH=OFF
  # Debug keeps assert() on; -O1 and line tables only: the build is no slower than -O0 -g and
  # the tests and the fuzz smoke run several times faster.
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only"
  "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only")
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" "${args[@]}" >/dev/null
start=$SECONDS
# Everything the labels below need and nothing else (no benchmarks; integration and interop
# tests are scripts around the same binary, run by the normal suite only).
nice cmake --build "$BUILD_DIR" -j "$JOBS"
echo "test-asan: build $((SECONDS - start)) s"

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
start=$SECONDS
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" -L 'unit|conformance|fuzz|blackbox' "$@")
echo "test-asan: tests $((SECONDS - start)) s"

if [ "$SMOKE_SECONDS" -gt 0 ] && [ $# -eq 0 ]; then
  start=$SECONDS
  FUZZ_BUILD_DIR=$BUILD_DIR FUZZ_PARALLEL=2 bash scripts/fuzz.sh --smoke all "$SMOKE_SECONDS"
  echo "test-asan: fuzz smoke $((SECONDS - start)) s"
fi

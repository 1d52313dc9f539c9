#!/usr/bin/env bash
# test-asan.sh - build with AddressSanitizer + UndefinedBehaviorSanitizer (Debug, no
# benchmarks) into build-asan/ and run the unit, conformance and fuzz-corpus tests under it.
# Not part of scripts/test.sh: it roughly doubles the build time on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --build-only
cmake -S . -B build-asan -G Ninja -DPOSTSEAL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DPOSTSEAL_BENCH=OFF >/dev/null
cmake --build build-asan -j "$(nproc)"
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$(nproc)" -L 'unit|conformance|fuzz' "$@"

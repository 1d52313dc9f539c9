#!/usr/bin/env bash
# test.sh - install every dependency (build and test peers), build, and run the whole suite:
# unit, conformance, fuzz-corpus replay, interop with Debian's peers, and integration with a
# real Postfix, unbound and smtp-sink (started and stopped by the tests themselves); with
# POSTSEAL_SANITIZER_STAGE=1 (not yet the default: see README), then the sanitizer stage,
# scripts/test-asan.sh (clang ASan+UBSan build: unit, conformance, fuzz replay,
# blackbox, and a fuzz smoke of POSTSEAL_FUZZ_SMOKE_SECONDS per target).
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
# Given ctest args, only those tests run (no sanitizer stage); POSTSEAL_SANITIZER_STAGE=1 adds it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" "$@")
if [ $# -eq 0 ] && [ "${POSTSEAL_SANITIZER_STAGE:-0}" = 1 ]; then
  bash scripts/test-asan.sh
fi

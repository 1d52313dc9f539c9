#!/usr/bin/env bash
# test.sh - install every dependency (build and test peers), build, and run the whole suite:
# unit, conformance, fuzz-corpus replay, interop with Debian's peers, and integration with a
# real Postfix, unbound and smtp-sink (started and stopped by the tests themselves); then the
# sanitizer stage, scripts/test-asan.sh (clang 16 ASan+UBSan build: unit, conformance, fuzz
# replay, blackbox, and a fuzz smoke of POSTSEAL_FUZZ_SMOKE_SECONDS, default 10, per target).
# The stage adds about 20 minutes on an idle 2-core machine with an empty ccache (the whole
# run about 34); POSTSEAL_SANITIZER_STAGE=0 leaves it out.
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
# Given ctest args, only those tests run, without the sanitizer stage; with
# POSTSEAL_SANITIZER_STAGE=1 the same ctest args are then run under the sanitizers too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" "$@")
stage=${POSTSEAL_SANITIZER_STAGE:-}
if [ "$stage" = 1 ] || { [ "$stage" != 0 ] && [ $# -eq 0 ]; }; then
  bash scripts/test-asan.sh "$@"
fi

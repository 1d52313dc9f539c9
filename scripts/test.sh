#!/usr/bin/env bash
# test.sh - install every dependency (build and test peers), build, and run the whole suite:
# unit, conformance, fuzz-corpus replay, interop with Debian's peers, and integration with a
# real Postfix, unbound and smtp-sink (started and stopped by the tests themselves).
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"

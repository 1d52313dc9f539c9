#!/usr/bin/env bash
# replay.sh - run a libFuzzer binary once over each input of the given folders (no fuzzing):
# the test fuzz.NAME of a POSTSEAL_FUZZ build. Folders that do not exist are skipped
# (fuzz/regressions/NAME exists only once a crash was found); the first one must exist.
# Usage: replay.sh FUZZER CORPUS_DIR [DIR...]
set -euo pipefail
fuzzer=$1 corpus=$2
shift 2
[ -d "$corpus" ] || { echo "replay.sh: no corpus folder $corpus" >&2; exit 1; }
dirs=("$corpus")
for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
# -runs=0: execute the inputs read from the folders, then stop; nothing is written to them.
exec "$fuzzer" -runs=0 "${dirs[@]}"

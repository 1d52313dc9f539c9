#!/usr/bin/env bash
# build.sh - install the build dependencies (Debian 12) and build postseal into build/.
# Usage: scripts/build.sh [--sanitize] [extra cmake args...]
# BUILD_TARGETS="postseal" builds only those targets (scripts/run.sh does); default: all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --build-only
BUILD_DIR=${BUILD_DIR:-build}
args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# ccache (installed by install-deps.sh) makes a rebuild of unchanged files cheap.
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ "${1:-}" = "--sanitize" ]; then
  shift
  BUILD_DIR=${BUILD_DIR}-asan
  args+=(-DPOSTSEAL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
cmake -S . -B "$BUILD_DIR" "${args[@]}" "$@" >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}

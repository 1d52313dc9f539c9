#!/usr/bin/env bash
# build.sh - install the build dependencies (Debian 12) and build postseal into build/.
# Usage: scripts/build.sh [--sanitize] [extra cmake args...]
# BUILD_TARGETS="postseal" builds only those targets (scripts/run.sh does); default: all.
#
# The compiler flags are the Debian package's (`debian/rules print-buildflags`: -O2 -g, the
# hardening flags, _FORTIFY_SOURCE, relro/now; assertions on, as the package ships), so the
# tests run the code the package installs, and scripts/package.sh, building in build-pkg/ under
# the same ccache base directory, finds every product object already compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --build-only
SRC=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}
args=(-G Ninja)
# ccache (installed by install-deps.sh) makes a rebuild of unchanged files cheap; paths under
# the source tree are hashed relative to it, and not the build directory, so that other
# checkouts and the package build (scripts/package.sh) share the objects.
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$SRC} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
  # ccache hashes the locale; debhelper (compat 13) builds the package under LC_ALL=C.UTF-8
  export LC_ALL=C.UTF-8
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ "${1:-}" = "--sanitize" ]; then
  shift
  BUILD_DIR=${BUILD_DIR}-asan
  args+=(-DPOSTSEAL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
else
  eval "$(POSTSEAL_DEV_BUILD=1 make -s -f debian/rules print-buildflags)"
  args+=(-DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=$CXXFLAGS" "-DCMAKE_C_FLAGS=$CFLAGS"
    "-DCMAKE_EXE_LINKER_FLAGS=$LDFLAGS" "-DCMAKE_SHARED_LINKER_FLAGS=$LDFLAGS"
    "-DCMAKE_MODULE_LINKER_FLAGS=$LDFLAGS")
fi
cmake -S . -B "$BUILD_DIR" "${args[@]}" "$@" >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}

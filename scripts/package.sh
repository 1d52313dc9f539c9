#!/usr/bin/env bash
# package.sh - build the Debian package (debian/, `dpkg-buildpackage -us -uc -b`) and check it
# with lintian. Prints the path of postseal_VERSION_ARCH.deb on stdout; fails when the build
# fails or lintian reports an error (its warnings are shown, not fatal).
#
# Usage: scripts/package.sh [OUTDIR]   (default build-deb/ in the source tree)
# The tree is copied (without .git, build*/ and run/) to a fixed work directory,
# ${POSTSEAL_PKG_WORK:-build-pkg/ in the source tree}, because dpkg-buildpackage writes beside
# the source. POSTSEAL_DEV_BUILD=1 (debian/rules) gives the compiler exactly the commands of
# scripts/build.sh, and ccache hashes paths relative to the source tree (CCACHE_BASEDIR): the
# copy one level below build-pkg/ compiles in obj-*/ as build.sh does in build/, so after
# scripts/build.sh every product object comes from the cache (in CI this saves compiling the
# product twice). Installs
# dpkg-dev, debhelper and lintian (and the build dependencies) with apt-get when missing.
# Runs as root (or via sudo for apt-get).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$SRC/build-deb}" && cd "${1:-$SRC/build-deb}" && pwd)
WORK=${POSTSEAL_PKG_WORK:-$SRC/build-pkg}
export POSTSEAL_DEV_BUILD=1 CCACHE_BASEDIR=${CCACHE_BASEDIR:-$SRC} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
# debhelper (compat 13) gives the build a HOME of its own, which would move ccache's default
# cache directory to an empty one under debian/: name the caller's
if command -v ccache >/dev/null; then export CCACHE_DIR=${CCACHE_DIR:-$(ccache -k cache_dir)}; fi

log() { echo "package.sh: $*" >&2; }

install_tools() {
  local want=(dpkg-dev debhelper lintian) missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  bash "$SRC/scripts/install-deps.sh" --build-only
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_tools
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
tree=$WORK/postseal-$version
rm -rf "$tree"
mkdir -p "$tree"
tar -C "$SRC" --exclude=./.git --exclude='./build*' --exclude=./run --exclude='./obj-*' \
  --exclude=./debian/postseal --exclude=./debian/.debhelper -cf - . | tar -C "$tree" -xf -
rm -f "$WORK"/postseal_"$version"_* "$WORK"/postseal-dbgsym_"$version"_*

start=$(date +%s)
log "building in $tree"
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" nice dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) \
  || { tail -40 "$WORK/build.log" >&2; log "dpkg-buildpackage failed (log: $WORK/build.log)"; exit 1; }
log "dpkg-buildpackage took $(( $(date +%s) - start )) s"

deb=$WORK/postseal_${version}_${arch}.deb
[ -f "$deb" ] || { log "no $deb after the build"; exit 1; }
cp "$deb" "$OUT/"
deb=$OUT/$(basename "$deb")

# lintian: errors fail the build, warnings and the rest are shown.
if ! lintian --fail-on error "$deb" >&2; then
  log "lintian reports errors for $deb"; exit 1
fi
echo "$deb"

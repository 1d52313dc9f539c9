#!/usr/bin/env bash
# install-deps.sh - install the Debian 12 packages postseal needs to build, test, fuzz and benchmark.
#
# Idempotent: packages already present are skipped by apt-get. Runs as root (or via sudo).
# Package scripts must not start system daemons (postfix, unbound, opendkim, postsrsd, prometheus):
# a policy-rc.d that refuses is put in place for the install and removed afterwards.
set -euo pipefail

BUILD_PKGS=(build-essential cmake ninja-build pkg-config ccache
  libssl-dev libunbound-dev libasio-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  libspf2-dev libevent-dev libgtest-dev libgmock-dev libbenchmark-dev
  libpsl-dev publicsuffix libsqlite3-dev libhiredis-dev zlib1g-dev prometheus-cpp-dev)
TEST_PKGS=(postfix swaks unbound python3 python3-dkim python3-spf python3-srs python3-yaml
  libmail-dkim-perl libmail-srs-perl postsrsd libopendkim-dev opendkim openssl
  postfix-policyd-spf-python postfix-policyd-spf-perl procps iproute2 sasl2-bin libsasl2-modules
  debhelper lintian redis-server postgrey sqlite3 rsyslog
  python3-authheaders libopendmarc-dev opendmarc libxml2-utils
  dmarc-cat  # reads RFC 7489-format aggregate reports back (tests/integration/dmarc_report.sh)
  prometheus)  # prometheus: promtool checks the /metrics text (tests/blackbox/signer_metrics.sh)
# The sanitizer stage and fuzzing (scripts/test-asan.sh, scripts/fuzz.sh): clang 16 with
# libFuzzer and the ASan/UBSan runtimes.
SANITIZE_PKGS=(clang-16 libclang-rt-16-dev)

# Usage: install-deps.sh [--build-only | --fuzz]   (default: everything)
want=("${BUILD_PKGS[@]}")
case "${1:-}" in
  --build-only) ;;
  --fuzz) want+=("${SANITIZE_PKGS[@]}") ;;
  *) want+=("${TEST_PKGS[@]}" "${SANITIZE_PKGS[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}" >&2

rcd=/usr/sbin/policy-rc.d
made_rcd=0
if [ ! -e "$rcd" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$rcd" >/dev/null
  $SUDO chmod 755 "$rcd"
  made_rcd=1
fi
trap '[ $made_rcd -eq 1 ] && $SUDO rm -f "$rcd"' EXIT

echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# dns_zone.sh - `postseal dns-lookup --dns-zone FILE`: the zone file answers (TXT strings
# quoted, CNAME followed, IP -> PTR), the TIMEOUT pseudo type gives rcode timeout and exit 75,
# NXDOMAIN exits 1, and a bad zone file is a config error (exit 78) naming file and line.
# No network. Env: POSTSEAL, POSTSEAL_SRC.
set -euo pipefail
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
ZONE=$POSTSEAL_SRC/tests/data/dns/example.zone
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
check() {  # check WANT_RC WANT_OUTPUT ARGS...
  local want_rc=$1 want=$2 got rc=0
  shift 2
  got=$("$POSTSEAL" dns-lookup "$@" 2>&1) || rc=$?
  if [ "$rc" -ne "$want_rc" ] || [ "$got" != "$want" ]; then
    fail "dns-lookup $*: exit $rc (want $want_rc), got:"$'\n'"$got"$'\n'"want:"$'\n'"$want"
  else
    echo "ok: $*"
  fi
}
check 0 $'rcode: NOERROR\ns2026._domainkey.example.com. IN TXT "v=DKIM1; k=ed25519; " "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="' \
  --dns-zone "$ZONE" s2026._domainkey.example.com TXT
check 0 $'rcode: NOERROR\nwww.example.com. IN MX 10 mail.example.com.' --dns-zone "$ZONE" www.example.com MX
check 0 $'rcode: NOERROR\n25.2.0.192.in-addr.arpa. IN PTR mail.example.com.' --dns-zone "$ZONE" 192.0.2.25
check 75 'rcode: timeout' --dns-zone "$ZONE" slow.example.com TXT
check 1 'rcode: NXDOMAIN' --dns-zone "$ZONE" nosuch.example.com MX
check 1 'rcode: NOERROR' --dns-zone "$ZONE" mail.example.com TXT
rc=0
out=$("$POSTSEAL" dns-lookup --dns-zone "$POSTSEAL_SRC/tests/data/dns/bad.zone" example.com 2>&1) || rc=$?
if [ "$rc" -ne 78 ] || [[ "$out" != *"bad.zone:4: bad A address"* ]]; then
  fail "bad zone file: exit $rc, output '$out' (want 78 naming bad.zone:4)"
else
  echo "ok: bad zone file refused with its line"
fi
rc=0
out=$("$POSTSEAL" dns-lookup --dns-zone "$ZONE" --dns 127.0.0.1 example.com 2>&1) || rc=$?
[ "$rc" -eq 64 ] || fail "--dns with --dns-zone: exit $rc (want 64 usage), output '$out'"
[ "$failures" -eq 0 ] || { echo "dns_zone: $failures check(s) failed" >&2; exit 1; }
echo "dns_zone: all checks passed"

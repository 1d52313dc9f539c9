#!/usr/bin/env bash
# verify_dns_config.sh - `postseal verify -c CONF` and `postseal dns-check -c CONF` ask the
# resolver named by [dns] server of CONF (a private unbound on a free loopback port serving
# the key record keygen wrote), not /etc/resolv.conf: a message signed by `postseal sign`
# verifies with dkim=pass and dns-check says ok; --dns still overrides the file; an unreadable
# -c file is refused (exit 78). No Postfix.
# Env: POSTSEAL, POSTSEAL_SRC.
set -euo pipefail

: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
# shellcheck source=../lib/unbound.sh
source "$POSTSEAL_SRC/tests/lib/unbound.sh"

WORK=$(mktemp -d /tmp/postseal-verify-dns.XXXXXX)
cleanup() {
  unbound_stop "$WORK/unbound"
  rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# free_port - a UDP and TCP port on 127.0.0.1 nobody holds now.
free_port() {
  /usr/bin/python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
PY
}

DOMAIN=verify-dns.example
"$POSTSEAL" keygen --domain "$DOMAIN" --selector s1 --dir "$WORK" >/dev/null 2>&1
# keygen's zone line: NAME IN TXT ( "..." "..." ) -> one unbound local-data line.
strings=$(grep -o '"[^"]*"' "$WORK/s1.txt" | tr '\n' ' ')
printf "local-data: 's1._domainkey.%s. 300 TXT %s'\n" "$DOMAIN" "$strings" >"$WORK/data.conf"

started=no
for _ in 1 2 3; do
  PORT=$(free_port)
  if unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf"; then started=yes; break; fi
done
[ "$started" = yes ] || { echo "FAIL: unbound did not start" >&2; exit 1; }

printf '[dns]\nserver = "127.0.0.1@%s"\ntimeout_ms = 2000\n' "$PORT" >"$WORK/postseal.toml"
printf 'From: a@%s\nTo: b@example.org\nSubject: verify -c\nDate: Sun, 6 Dec 2026 03:00:00 +0000\n\nbody\n' \
  "$DOMAIN" | "$POSTSEAL" sign --domain "$DOMAIN" --key "s1:$WORK/s1.private" >"$WORK/signed.eml"

rc=0
out=$("$POSTSEAL" verify -c "$WORK/postseal.toml" <"$WORK/signed.eml" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || [[ "$out" != *"dkim=pass header.d=$DOMAIN header.s=s1"* ]]; then
  fail "verify -c: exit $rc, want 0 and dkim=pass; output:"$'\n'"$out"
else
  echo "ok: verify -c CONF uses [dns] server (dkim=pass)"
fi

rc=0
out=$("$POSTSEAL" dns-check -c "$WORK/postseal.toml" --domain "$DOMAIN" --key "s1:$WORK/s1.private" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || [ "$out" != "s1._domainkey.$DOMAIN: ok" ]; then
  fail "dns-check -c: exit $rc, want 0 and 's1._domainkey.$DOMAIN: ok'; output:"$'\n'"$out"
else
  echo "ok: dns-check -c CONF uses [dns] server (ok)"
fi

# The command line still wins over the file: a dead --dns server is a temporary error.
rc=0
out=$("$POSTSEAL" verify -c "$WORK/postseal.toml" --dns "127.0.0.1@9" --dns-timeout 500 \
  <"$WORK/signed.eml" 2>&1) || rc=$?
if [ "$rc" -eq 0 ] || [[ "$out" != *"dkim=temperror"* ]]; then
  fail "verify -c with --dns of a dead server: exit $rc, want 1 and dkim=temperror; output:"$'\n'"$out"
else
  echo "ok: --dns overrides [dns] server"
fi

# A config file that cannot be read is refused before the message is read (exit 78).
rc=0
out=$("$POSTSEAL" verify -c "$WORK/missing.toml" </dev/null 2>&1) || rc=$?
if [ "$rc" -ne 78 ] || [[ "$out" != *"$WORK/missing.toml"* ]]; then
  fail "verify -c MISSING: exit $rc, want 78 naming the file; output:"$'\n'"$out"
else
  echo "ok: verify -c MISSING refused (78)"
fi

if [ "$failures" -ne 0 ]; then
  echo "verify_dns_config: $failures check(s) failed" >&2
  exit 1
fi
echo "verify_dns_config: all checks passed"

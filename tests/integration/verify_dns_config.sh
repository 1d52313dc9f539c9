#!/usr/bin/env bash
# verify_dns_config.sh - `postseal verify -c CONF` and `postseal dns-check -c CONF` ask the
# resolver named by [dns] server of CONF (a private unbound on a free loopback port serving
# the key record keygen wrote), not /etc/resolv.conf: a message signed by `postseal sign`
# verifies with dkim=pass and dns-check says ok; --dns still overrides the file; an unreadable
# -c file is refused (exit 78). dns-check also lints the domain's DMARC record from the same
# unbound: where the policy comes from (the domain's own record, or inherited by a subdomain),
# problems by tag (bad p=, unknown tags, pct= noted as removed by RFC 9989), and whether the
# signer.domain[] d= of the config aligns under adkim (exact d= ok; a parent's d= under
# adkim=s not; a domain the signer does not sign for). No Postfix.
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
cat >>"$WORK/data.conf" <<EOF
local-data: '_dmarc.$DOMAIN. 300 TXT "v=DMARC1; p=reject; adkim=s; pct=100; rua=mailto:dmarc@$DOMAIN"'
local-data: '_dmarc.bad.example. 300 TXT "v=DMARC1; p=block; foo=1; rua=mailto:dmarc@bad.example"'
EOF

started=no
for _ in 1 2 3; do
  PORT=$(free_port)
  if unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf"; then started=yes; break; fi
done
[ "$started" = yes ] || { echo "FAIL: unbound did not start" >&2; exit 1; }

printf '[dns]\nserver = "127.0.0.1@%s"\ntimeout_ms = 2000\n' "$PORT" >"$WORK/postseal.toml"
# The same plus the signer's domains, for the DMARC alignment lint.
cp "$WORK/postseal.toml" "$WORK/signer.toml"
printf '\n[[signer.domain]]\nname = "%s"\nkeys = ["s1:%s"]\nsubdomains = true\n' \
  "$DOMAIN" "$WORK/s1.private" >>"$WORK/signer.toml"
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
if [ "$rc" -ne 0 ] || [ "$(head -n 1 <<<"$out")" != "s1._domainkey.$DOMAIN: ok" ]; then
  fail "dns-check -c: exit $rc, want 0 and 's1._domainkey.$DOMAIN: ok' first; output:"$'\n'"$out"
else
  echo "ok: dns-check -c CONF uses [dns] server (ok)"
fi

# dns_check NAME WANT_RC CONF DOMAIN WANT_LINES... - run dns-check (no --key: DMARC lint only);
# every WANT line must appear as a whole line.
dns_check() {
  local name=$1 want_rc=$2 conf=$3 domain=$4 got rc=0 w
  shift 4
  got=$("$POSTSEAL" dns-check -c "$conf" --domain "$domain" 2>&1) || rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    fail "$name: exit $rc, want $want_rc; output:"$'\n'"$got"
    return
  fi
  for w in "$@"; do
    if ! grep -qxF -- "$w" <<<"$got"; then
      fail "$name: no line '$w' in:"$'\n'"$got"
      return
    fi
  done
  echo "ok: $name"
}

dns_check "dmarc lint: own record, exact signer d=" 0 "$WORK/signer.toml" "$DOMAIN" \
  "_dmarc.$DOMAIN: ok" \
  "  query: _dmarc.$DOMAIN TXT -> \"v=DMARC1; p=reject; adkim=s; pct=100; rua=mailto:dmarc@$DOMAIN\"" \
  "  ok: discovery: _dmarc.$DOMAIN is $DOMAIN's own record: p=reject applies to mail from $DOMAIN" \
  "  info: pct: pct= ignored (removed by RFC 9989)" \
  "  ok: adkim: signer d=$DOMAIN aligns with From $DOMAIN (adkim=s; strict and relaxed)"
dns_check "dmarc lint: subdomain inherits, parent d= fails adkim=s" 1 "$WORK/signer.toml" \
  "news.$DOMAIN" \
  "_dmarc.news.$DOMAIN: problems" \
  "  query: _dmarc.news.$DOMAIN TXT -> NXDOMAIN" \
  "  ok: discovery: news.$DOMAIN has no record of its own; the policy comes from _dmarc.$DOMAIN, its Organizational Domain (tree walk): p=reject (no sp=) applies to mail from news.$DOMAIN (RFC 9989 4.10.1)" \
  "  problem: adkim: signer d=$DOMAIN does not align with From news.$DOMAIN (adkim=s: d= must be news.$DOMAIN itself); add a [[signer.domain]] named news.$DOMAIN"
dns_check "dmarc lint: problems by tag, domain not signed" 1 "$WORK/signer.toml" bad.example \
  "_dmarc.bad.example: problems" \
  "  problem: p: p=block is not valid, see RFC 9989 4.10.1" \
  "  info: foo: foo= is not a DMARC tag, ignored" \
  "  problem: p: invalid policy tag with a valid rua: treated as p=none (RFC 9989 4.10.1)" \
  "  problem: adkim: our signer does not sign mail from bad.example (no signer.domain for it, nor for a parent with subdomains = true): no aligned DKIM signature, DMARC then rests on SPF alone"
dns_check "dmarc lint: no record is a problem" 1 "$WORK/postseal.toml" nothing.example \
  "_dmarc.nothing.example: problems" \
  "  info: adkim: no [[signer.domain]] in the config: our signer's d= alignment not checked"
out=$("$POSTSEAL" dns-check -c "$WORK/postseal.toml" --domain nothing.example 2>&1 || true)
if grep -q "^  problem: discovery: no DMARC record applies to nothing.example" <<<"$out"; then
  echo "ok: dmarc lint: no record named"
else
  fail "no-record finding missing:"$'\n'"$out"
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

#!/usr/bin/env bash
# dmarc_unbound.sh - `postseal dmarc` against a real unbound (Debian package) serving DMARC
# records: the discovery trace and the verdict for a spoofed From (p=reject -> 550 5.7.1), an
# aligned DKIM pass (relaxed), the RFC 9989 4.10 tree walk of a 12-label name (8 queries, the
# second shortened to 7 labels), psd=y stopping the walk, np for an NXDOMAIN subdomain against
# sp for an existing one (RFC 8020), t=y lowering reject to quarantine, two records at one name
# discarded, dmarc.enforce = "monitor" and dmarc.trusted_forwarders from a config file, PSL
# mode (Debian's publicsuffix list), a dead server giving temperror (exit 75) within the
# timeout, and a bad [dmarc] value refused (exit 78). Env: POSTSEAL, POSTSEAL_SRC;
# DNS_TEST_PORT (default 5353, falling back to 25353 when 5353 is busy).
set -euo pipefail

: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
PORT=${DNS_TEST_PORT:-5353}
# shellcheck source=../lib/unbound.sh
source "$POSTSEAL_SRC/tests/lib/unbound.sh"

WORK=$(mktemp -d /tmp/postseal-dmarc-unbound.XXXXXX)
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

cat >"$WORK/data.conf" <<'EOF'
local-data: 'example.com. 300 TXT "v=spf1 -all"'
local-data: '_dmarc.example.com. 300 TXT "v=DMARC1; p=reject; sp=none; np=quarantine; " "rua=mailto:dmarc@example.com"'
local-data: "example.com. 300 A 192.0.2.1"
local-data: "mail.example.com. 300 A 192.0.2.25"
local-data: '_dmarc.bank.example. 300 TXT "v=DMARC1; p=quarantine; psd=y"'
local-data: '_dmarc.example. 300 TXT "v=DMARC1; p=none"'
local-data: '_dmarc.test.example.net. 300 TXT "v=DMARC1; p=reject; t=y"'
local-data: '_dmarc.multi.example.org. 300 TXT "v=DMARC1; p=reject"'
local-data: '_dmarc.multi.example.org. 300 TXT "v=DMARC1; p=none"'
local-data: '_dmarc.example.co.uk. 300 TXT "v=DMARC1; p=reject"'
EOF

if ! unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf"; then
  [ -z "${DNS_TEST_PORT:-}" ] || { echo "FAIL: unbound did not start on $PORT" >&2; exit 1; }
  PORT=25353
  echo "dmarc_unbound: port 5353 busy, using $PORT" >&2
  unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf" ||
    { echo "FAIL: unbound did not start on 5353 nor $PORT" >&2; exit 1; }
fi

: >"$WORK/empty.toml"
# check NAME WANT_RC WANT_LINES... ARGS - run `postseal dmarc ARGS`; every WANT line must
# appear in the output as a whole line. WANT lines come first, ARGS after "--".
check() {
  local name=$1 want_rc=$2 got rc=0
  shift 2
  local wants=()
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  got=$("$POSTSEAL" dmarc --dns "127.0.0.1@$PORT" "$@" 2>&1) || rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    fail "$name: exit $rc, want $want_rc; output:"$'\n'"$got"
    return
  fi
  for w in "${wants[@]}"; do
    if ! grep -qxF -- "$w" <<<"$got"; then
      fail "$name: no line '$w' in:"$'\n'"$got"
      return
    fi
  done
  echo "ok: $name"
}

check "spoofed From, p=reject" 1 \
  'query: _dmarc.example.com TXT -> "v=DMARC1; p=reject; sp=none; np=quarantine; rua=mailto:dmarc@example.com"' \
  'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=example.com policy.dmarc=reject' \
  'action: reject (550 5.7.1 Email rejected per DMARC policy for example.com) (enforce = policy)' \
  -- --from example.com --spf-domain spoofer.example --spf-result pass -c "$WORK/empty.toml"

check "aligned DKIM pass with SPF fail" 0 \
  'result: dmarc=pass header.from=mail.example.com' \
  -- --from mail.example.com --spf-domain bounce.example.net --spf-result fail \
  --dkim example.com:pass -c "$WORK/empty.toml"

check "tree walk of 12 labels: 8 queries" 1 \
  'query: _dmarc.a.b.c.d.e.f.g.h.i.j.example.com TXT -> NXDOMAIN' \
  'query: _dmarc.f.g.h.i.j.example.com TXT -> NXDOMAIN' \
  'query: _dmarc.j.example.com TXT -> NXDOMAIN' \
  'query: _dmarc.com TXT -> NXDOMAIN' \
  'query: a.b.c.d.e.f.g.h.i.j.example.com A -> NXDOMAIN: the domain does not exist, RFC 8020' \
  'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=a.b.c.d.e.f.g.h.i.j.example.com policy.dmarc=quarantine' \
  -- --from a.b.c.d.e.f.g.h.i.j.example.com -c "$WORK/empty.toml"
queries=$("$POSTSEAL" dmarc --dns "127.0.0.1@$PORT" --from a.b.c.d.e.f.g.h.i.j.example.com \
  -c "$WORK/empty.toml" | grep -c '^query: _dmarc\.' || true)
[ "$queries" -eq 8 ] && echo "ok: 8 _dmarc queries" || fail "tree walk asked $queries _dmarc names, want 8"

check "existing subdomain: sp" 0 \
  'result: dmarc=pass header.from=mail.example.com' \
  -- --from mail.example.com --dkim example.com:pass -c "$WORK/empty.toml"
check "existing subdomain failing: sp=none" 1 \
  'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=mail.example.com policy.dmarc=none' \
  'action: accept (enforce = policy)' \
  -- --from mail.example.com -c "$WORK/empty.toml"

out=$("$POSTSEAL" dmarc --dns "127.0.0.1@$PORT" --from x.giant.bank.example -c "$WORK/empty.toml" || true)
if grep -qF '_dmarc.example TXT' <<<"$out"; then
  fail "psd=y did not stop the walk:"$'\n'"$out"
elif grep -qxF 'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=x.giant.bank.example policy.dmarc=quarantine' <<<"$out"; then
  echo "ok: psd=y stops the walk, the PSD's policy applies"
else
  fail "psd=y:"$'\n'"$out"
fi

check "t=y lowers reject to quarantine" 1 \
  '  policy: reject (t=y: lowered one level)' \
  'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=test.example.net policy.dmarc=quarantine' \
  -- --from test.example.net -c "$WORK/empty.toml"

check "two records at one name are discarded" 2 \
  'query: _dmarc.multi.example.org TXT -> 2 DMARC records, all discarded: RFC 9989 4.10' \
  'result: dmarc=none (no DMARC record) header.from=multi.example.org' \
  -- --from multi.example.org -c "$WORK/empty.toml"

printf '[dmarc]\nenforce = "monitor"\n' >"$WORK/monitor.toml"
check "enforce = monitor" 1 \
  'action: accept, override=local_policy (enforce = monitor)' \
  -- --from example.com -c "$WORK/monitor.toml"

printf '[dmarc]\ntrusted_forwarders = ["198.51.100.0/24"]\n' >"$WORK/forwarders.toml"
check "trusted forwarder" 1 \
  'action: accept, override=forwarded (enforce = policy)' \
  -- --from example.com --ip 198.51.100.9 -c "$WORK/forwarders.toml"
check "untrusted client" 1 \
  'action: reject (550 5.7.1 Email rejected per DMARC policy for example.com) (enforce = policy)' \
  -- --from example.com --ip 203.0.113.9 -c "$WORK/forwarders.toml"

check "PSL mode" 0 \
  'discovery: psl' \
  'query: _dmarc.mail.example.co.uk TXT -> NXDOMAIN' \
  'result: dmarc=pass header.from=mail.example.co.uk' \
  -- --from mail.example.co.uk --dkim news.example.co.uk:pass --discovery psl -c "$WORK/empty.toml"

check "multi-author From" 1 \
  'result: dmarc=fail (no aligned SPF or DKIM pass) header.from=example.com policy.dmarc=reject' \
  -- --from 'a@example.net, b@example.com' -c "$WORK/empty.toml"

# A dead server: temperror, exit 75, within the timeout (bounded by 8 queries x 0.5 s).
start=$(date +%s)
rc=0
out=$("$POSTSEAL" dmarc --dns "127.0.0.1@$((PORT + 1))" --dns-timeout 500 --from example.com \
  -c "$WORK/empty.toml" 2>&1) || rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -ne 75 ] || ! grep -q '^result: dmarc=temperror' <<<"$out" || [ "$took" -gt 10 ]; then
  fail "dead server: exit $rc after ${took}s (want 75, temperror):"$'\n'"$out"
else
  echo "ok: dead server gives temperror in ${took}s"
fi

printf '[dmarc]\nenforce = "reject"\n' >"$WORK/bad.toml"
rc=0
out=$("$POSTSEAL" dmarc --dns "127.0.0.1@$PORT" --from example.com -c "$WORK/bad.toml" 2>&1) || rc=$?
if [ "$rc" -ne 78 ] || [[ "$out" != *"quarantine-only"* ]]; then
  fail "bad dmarc.enforce: exit $rc, output '$out' (want 78 naming the choices)"
else
  echo "ok: bad dmarc.enforce refused"
fi

if [ "$failures" -ne 0 ]; then
  echo "dmarc_unbound: $failures check(s) failed" >&2
  exit 1
fi
echo "dmarc_unbound: all checks passed"

#!/usr/bin/env bash
# milter_robustness.sh - hostile milter wire input (docs/security.md 41) against `postseal verifier
# --milter` without an MTA: a good session (A-R inserted, forged A-R deleted), zero and
# oversized lengths, a truncated packet, an unknown command, body before end-of-headers,
# garbage before negotiation: sessions close cleanly (a stalled one at libmilter's timeout), the daemon keeps serving, never crashes;
# a 70,000-octet header field taken, a forged A-R past the 1,000-field cap deleted, a
# connection over milter.max_connections (3 here) tempfailed at connect (milter_wire.py).
# DNS from a zone file (--dns-zone). Port: milter 10042 (not 10041, so it can run beside
# milter_postfix.sh). Runs as any user.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
MILTER=10042
R=$(mktemp -d /tmp/postseal-milter-wire.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
! ss -Hltn "sport = :$MILTER" | grep -q . || { echo "FAIL: port $MILTER is already in use"; exit 1; }
printf 'spf-pass.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$R/zone.txt"
# libmilter's I/O timeout bounds a session that stalls (a zero-length packet makes libmilter
# wait for the next one): 3 s here, so the test sees it closed.
printf '[milter]\ntimeout = 3\nmax_connections = 3\n' > "$R/postseal.toml"
"$POSTSEAL" verifier -c "$R/postseal.toml" --listen "unix:$R/policy.sock" --milter "127.0.0.1:$MILTER" --dns-zone "$R/zone.txt" \
  --authserv-id mx.test.local > "$R/verifier.log" 2>&1 &
PID=$!
for i in $(seq 1 100); do ss -Hltn "sport = :$MILTER" | grep -q . && break; sleep 0.1; done
ss -Hltn "sport = :$MILTER" | grep -q . || { echo "FAIL: milter did not start"; cat "$R/verifier.log"; exit 1; }
timeout 120 /usr/bin/python3 "$POSTSEAL_SRC/tests/blackbox/milter/milter_wire.py" $MILTER
rc=$?
if ! kill -0 "$PID" 2>/dev/null; then echo "FAIL: postseal verifier died"; cat "$R/verifier.log"; exit 1; fi
echo "PASS: postseal verifier still running"
[ $rc -eq 0 ] || { tail -20 "$R/verifier.log"; exit 1; }

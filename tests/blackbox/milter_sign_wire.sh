#!/usr/bin/env bash
# milter_sign_wire.sh - the signing milter (`postseal verifier --milter`, milter.mode =
# "sign+verify") on the milter wire without an MTA: every body chunk size, internal and
# outside and authenticated clients, out-of-order and oversized packets, a 50 MB message with
# flat RSS (milter/milter_sign_wire.py says what each case checks). RSA-2048 key made here,
# DNS from a zone file (--dns-zone). Port: milter 10044. Runs as any user.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
MILTER=10044
R=$(mktemp -d /tmp/postseal-milter-sign-wire.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
! ss -Hltn "sport = :$MILTER" | grep -q . || { echo "FAIL: port $MILTER is already in use"; exit 1; }
/usr/bin/python3 -c 'import dkim' 2>/dev/null || { echo "FAIL: python3-dkim (dkimpy) must be installed"; exit 1; }
openssl genrsa -out "$R/s1.private" 2048 2>/dev/null && chmod 600 "$R/s1.private" || { echo "FAIL: openssl genrsa"; exit 1; }
record="s1._domainkey.sign.example v=DKIM1; k=rsa; p=$(openssl pkey -in "$R/s1.private" -pubout -outform DER 2>/dev/null | base64 -w0)"
printf 'spf-pass.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$R/zone.txt"
cat > "$R/postseal.toml" <<CONF
[milter]
mode = "sign+verify"
timeout = 10
[[signer.domain]]
name = "sign.example"
keys = ["s1:$R/s1.private"]
CONF
"$POSTSEAL" verifier -c "$R/postseal.toml" --listen "unix:$R/policy.sock" --milter "127.0.0.1:$MILTER" \
  --dns-zone "$R/zone.txt" --authserv-id mx.test.local > "$R/verifier.log" 2>&1 &
PID=$!
# the verifier's own listener, the verifier still running (wait_listen, tests/lib/ports.sh)
. "$POSTSEAL_SRC/tests/lib/ports.sh"
wait_listen "$MILTER" "$PID" || { echo "FAIL: milter did not start"; cat "$R/verifier.log"; exit 1; }
timeout 300 /usr/bin/python3 "$POSTSEAL_SRC/tests/blackbox/milter/milter_sign_wire.py" $MILTER $PID "$record"
rc=$?
if ! kill -0 "$PID" 2>/dev/null; then echo "FAIL: postseal verifier died"; tail -20 "$R/verifier.log"; exit 1; fi
echo "PASS: postseal verifier still running"
[ $rc -eq 0 ] || { tail -20 "$R/verifier.log"; exit 1; }

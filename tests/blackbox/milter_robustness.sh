#!/usr/bin/env bash
# milter_robustness.sh - hostile milter wire input (docs/security.md 41) against `postseal verifier
# --milter` without an MTA: a good session (A-R inserted, forged A-R deleted), zero and
# oversized lengths, a truncated packet, an unknown command, body before end-of-headers,
# garbage before negotiation: sessions close cleanly (a stalled one at milter.timeout), the daemon keeps serving, never crashes;
# a 70,000-octet header field taken, a forged A-R past the 1,000-field cap deleted, a
# connection over milter.max_connections (3 here) tempfailed at connect (milter_wire.py);
# postseal_sessions_in_flight{server="milter"} counts two open sessions, then 0 ([metrics]).
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
# milter.timeout bounds a session that stalls (the server's read timeout, verifier/milter/
# server.cpp): 3 s here, so the test sees it closed.
# start_listening (tests/lib/ports.sh): the verifier's own listeners, again on new ports when a
# test running beside this one took one first (METRICS is a free port chosen now)
. "$POSTSEAL_SRC/tests/lib/ports.sh"
METRICS=$(free_port)
spawn_verifier() {
  # [metrics] listen PORT: the verifier serves on PORT+1
  printf '[milter]\ntimeout = 3\nmax_connections = 3\n[metrics]\nlisten = "127.0.0.1:%s"\n' $((METRICS - 1)) > "$R/postseal.toml"
  "$POSTSEAL" verifier -c "$R/postseal.toml" --listen "unix:$R/policy.sock" --milter "127.0.0.1:$MILTER" --dns-zone "$R/zone.txt" \
    --authserv-id mx.test.local > "$R/verifier.log" 2>&1 &
  LISTEN_PID=$!
}
start_listening spawn_verifier "$R/verifier.log" MILTER METRICS || { echo "FAIL: milter did not start"; cat "$R/verifier.log"; exit 1; }
PID=$LISTEN_PID
timeout 120 /usr/bin/python3 "$POSTSEAL_SRC/tests/blackbox/milter/milter_wire.py" $MILTER
rc=$?
if ! kill -0 "$PID" 2>/dev/null; then echo "FAIL: postseal verifier died"; cat "$R/verifier.log"; exit 1; fi
echo "PASS: postseal verifier still running"
[ $rc -eq 0 ] || { tail -20 "$R/verifier.log"; exit 1; }

# sessions in flight: two negotiated connections held open, then closed
/usr/bin/python3 - "$MILTER" "$METRICS" > "$R/inflight.txt" <<'PYEOF'
import socket, struct, sys, time, urllib.request
port, mport = int(sys.argv[1]), int(sys.argv[2])
def gauge():
    text = urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith('postseal_sessions_in_flight{server="milter"} '):
            return line.split()[1]
    return "absent"
held = []
for _ in range(2):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(struct.pack(">I", 13) + b"O" + struct.pack(">III", 6, 0x1FF, 0x1FFFFF & ~0x3F))
    s.recv(4096)
    held.append(s)
time.sleep(0.3)
print("open", gauge())
for s in held:
    s.close()
time.sleep(0.5)
print("closed", gauge())
PYEOF
grep -qx "open 2" "$R/inflight.txt" || { echo "FAIL: sessions in flight with two milter sessions open: $(cat "$R/inflight.txt")"; exit 1; }
grep -qx "closed 0" "$R/inflight.txt" || { echo "FAIL: sessions in flight after they closed: $(cat "$R/inflight.txt")"; exit 1; }
echo "PASS: postseal_sessions_in_flight{server=\"milter\"}: 2 while two sessions are open, 0 after"

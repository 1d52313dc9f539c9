#!/usr/bin/env bash
# srs_protocol.sh - `postseal srsd` over real loopback sockets: socketmap and tcp_table
# dialogs, malformed input (docs/security.md 39), many clients at once, the secrets-file permission
# check, SRS domains that are not host names, a clean stop on SIGTERM, and (from a config file) the idle timeout and the
# connection cap. Ports 10101-10103 and 10107 (the srs range is 10101-10109).
set -euo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
HOST=127.0.0.1 SMAP=10101 TFWD=10102 TREV=10103 CAP=10107
T=$(mktemp -d /tmp/postseal-srs-proto.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$T/srsd.log" ] && tail -20 "$T/srsd.log" >&2; exit 1; }

for p in $SMAP $TFWD $TREV $CAP; do
  ! ss -Hltn "sport = :$p" | grep -q . || fail "port $p is already in use"
done
head -c 24 /dev/urandom | base64 > "$T/secret"

# 1. a secrets file others can read is refused, naming the file and the chmod
chmod 644 "$T/secret"
set +e
"$POSTSEAL" srsd --domain fwd.example --secrets-file "$T/secret" --socketmap "$HOST:$SMAP" \
  --tcp-forward "" --tcp-reverse "" > "$T/refused.log" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] || fail "group/other-readable secrets file: exit $rc, want 77"
grep -q "chmod 600 $T/secret" "$T/refused.log" || fail "refusal does not name the chmod: $(cat "$T/refused.log")"
chmod 600 "$T/secret"

# 1b. an SRS domain that is not a host name is refused by srsd, srs forward and check-config,
# naming it (RFC 5321 4.1.2: SRS addresses are mailbox domains; a space or '@' would make
# addresses Postfix cannot route back)
for bad in "fwd example" "fwd@example" "-fwd.example" "fwd..example"; do
  set +e
  "$POSTSEAL" srsd --domain "$bad" --secrets-file "$T/secret" --socketmap "$HOST:$SMAP" \
    --tcp-forward "" --tcp-reverse "" > "$T/refused.log" 2>&1
  rc=$?
  set -e
  [ $rc -ne 0 ] || fail "srsd started with SRS domain '$bad'"
  grep -qF "SRS domain (--domain or srs.domain) '$bad' is not a host name" "$T/refused.log" \
    || fail "srsd's refusal of '$bad' does not name it: $(cat "$T/refused.log")"
  ! "$POSTSEAL" srs forward --domain "$bad" --secrets-file "$T/secret" alice@example.com \
    > "$T/refused.log" 2>&1 || fail "srs forward rewrote into SRS domain '$bad'"
  grep -qF "'$bad' is not a host name" "$T/refused.log" || fail "srs forward: $(cat "$T/refused.log")"
  printf '[srs]\ndomain = "%s"\nsecrets_file = "%s"\n' "$bad" "$T/secret" > "$T/bad.toml"
  ! "$POSTSEAL" check-config -c "$T/bad.toml" > "$T/refused.log" 2>&1 \
    || fail "check-config says ok for SRS domain '$bad'"
  grep -qF "'$bad' is not a host name" "$T/refused.log" || fail "check-config: $(cat "$T/refused.log")"
done
"$POSTSEAL" srs forward --domain fwd.example. --secrets-file "$T/secret" alice@example.com \
  | grep -q '@fwd.example$' || fail "a final dot on the SRS domain is not dropped"

# 2. start and wait for the listeners (POSTSEAL_TEST_THREADS, blackbox.*.threads2: srs.threads)
"$POSTSEAL" srsd --domain fwd.example --secrets-file "$T/secret" --local-domain local.example \
  --socketmap "$HOST:$SMAP" --tcp-forward "$HOST:$TFWD" --tcp-reverse "$HOST:$TREV" \
  --threads "${POSTSEAL_TEST_THREADS:-1}" > "$T/srsd.log" 2>&1 &
PID=$!
# srsd's own listener (wait_listen, tests/lib/ports.sh): 1 when srsd exited, 2 when it does not listen
. "$POSTSEAL_SRC/tests/lib/ports.sh"
rc=0; wait_listen "$TREV" "$PID" || rc=$?
[ "$rc" -ne 1 ] || fail "srsd exited at start"
[ "$rc" -eq 0 ] || fail "srsd not listening"

# 3. the dialogs
timeout 120 /usr/bin/python3 "$POSTSEAL_SRC/tests/blackbox/srs/protocol_client.py" $HOST $SMAP $TFWD $TREV \
  || fail "protocol checks failed"
kill -0 $PID 2>/dev/null || fail "srsd died during the protocol checks"

# 4. SIGTERM stops it cleanly, even with a client connected
exec 3<>/dev/tcp/$HOST/$SMAP
kill -TERM $PID
for i in $(seq 1 50); do kill -0 $PID 2>/dev/null || break; sleep 0.1; done
kill -0 $PID 2>/dev/null && fail "srsd still running 5 s after SIGTERM"
set +e; wait $PID; rc=$?; set -e
exec 3<&-
PID=""
[ $rc -eq 0 ] || fail "srsd exit status $rc after SIGTERM"
# 5. from a config file: idle connections are closed, connections over the cap are refused
cat > "$T/postseal.toml" <<TOML
[srs]
domain = "fwd.example"
secrets_file = "$T/secret"
socketmap = "$HOST:$CAP"
tcp_forward = ""
tcp_reverse = ""
idle_timeout = 1
max_connections = 2
TOML
"$POSTSEAL" check-config -c "$T/postseal.toml" > /dev/null || fail "check-config refuses the [srs] section"
"$POSTSEAL" srsd -c "$T/postseal.toml" > "$T/srsd.log" 2>&1 &
PID=$!
wait_listen "$CAP" "$PID" || fail "srsd not listening on $CAP"
timeout 30 /usr/bin/python3 - "$HOST" "$CAP" <<'PY' || fail "idle timeout / connection cap"
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
a = socket.create_connection((host, port), timeout=5)
b = socket.create_connection((host, port), timeout=5)
a.sendall(b"25:forward alice@example.com,")
assert a.recv(100).startswith(b"45:OK SRS0="), "first client not served"
time.sleep(0.2)
c = socket.create_connection((host, port), timeout=5)
assert c.recv(100) == b"", "third connection over max_connections=2 was not closed"
start = time.time()
assert a.recv(100) == b"" and b.recv(100) == b"", "idle connections not closed"
waited = time.time() - start
assert waited < 4, "idle connections closed after %.1f s, idle_timeout is 1 s" % waited
print("idle timeout and connection cap hold (closed after %.1f s)" % waited)
PY
kill -TERM $PID; wait $PID || fail "srsd exit status $? after SIGTERM"
PID=""
echo "srs_protocol: all checks passed"

#!/bin/bash
# proxy_protocol.sh - protocol probes against `postseal verifier --proxy` without Postfix
# (proxy/probes.py, which also plays the after-filter smtpd and records what reaches it):
# smuggling, dot-stuffing, SPF from XFORWARD ADDR with reject at end of DATA -> RSET
# downstream, temperror -> 451, pipelining, 1 MB lines, NUL, XFORWARD checks, SIZE and size
# limit, 10,000 headers, disconnect in DATA, idle deadline, connection cap, SIGTERM in DATA.
# DNS from proxy/zone.txt (--dns-zone). Ports 10025 (proxy), 10035 (restricted proxy),
# 10026 (the probes' after-filter server).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
H=$POSTSEAL_SRC/tests/blackbox/proxy
R=$(mktemp -d /var/tmp/postseal-proxy-proto.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; for f in "$R"/*.log; do echo "== $f"; tail -8 "$f"; done >&2; exit 1; }
. "$POSTSEAL_SRC/tests/lib/ports.sh"  # wait_listen PORT PID: PID still runs and the listener is its own
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }

for p in 10025 10026 10035; do
  ss -Hltn "sport = :$p" | grep -q . && fail "port $p is already in use"
done
# POSTSEAL_TEST_THREADS (blackbox.*.threads2): verifier.threads, sessions on that many threads
cat > "$R/main.toml" <<TOML
[verifier]
threads = ${POSTSEAL_TEST_THREADS:-1}
[proxy]
max_message_size = 1048576
shutdown_grace = 10
TOML
cat > "$R/restricted.toml" <<TOML
[verifier]
threads = ${POSTSEAL_TEST_THREADS:-1}
[proxy]
xforward_hosts = ["192.0.2.1"]
max_connections = 2
command_timeout = 2
TOML
common=(--dns-zone "$H/zone.txt" --authserv-id mx.test.local --foreground)
"$POSTSEAL" verifier -c "$R/main.toml" --listen "unix:$R/p1.sock" --proxy-listen 127.0.0.1:10025 \
  --proxy-relay 127.0.0.1:10026 "${common[@]}" >"$R/proxy.log" 2>&1 & PIDS+=($!); PROXY_PID=$!
"$POSTSEAL" verifier -c "$R/restricted.toml" --listen "unix:$R/p2.sock" --proxy-listen 127.0.0.1:10035 \
  --proxy-relay 127.0.0.1:10026 "${common[@]}" >"$R/restricted.log" 2>&1 & PIDS+=($!)
wait_port 10025 $PROXY_PID; wait_port 10035 $!
$PY "$H/probes.py" 10025 10035 10026 "$PROXY_PID" || fail "protocol probes failed"
grep -q "4F1A2B3C4D: rejected: 550 5.7.23" "$R/proxy.log" || fail "XFORWARD IDENT not used as queue id in the reject log line"
for _ in $(seq 1 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PROXY_PID" 2>/dev/null && fail "proxy still running 5 s after SIGTERM with no session left"
echo "PASS: proxy protocol probes"

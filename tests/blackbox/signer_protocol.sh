#!/bin/bash
# signer_protocol.sh - protocol probes against postseal signer without Postfix
# (signer/protocol_probes.py): smuggling, pipelining, long lines, 10,000 headers, XFORWARD,
# RSET/disconnect in DATA, a 50 MB message with peak RSS checked, connection cap, deadline.
# Ports 10127 (filter), 10131 (restricted filter), 10128 (fake downstream).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
H=$POSTSEAL_SRC/tests/blackbox/signer
DOWN=$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py  # shared with signer_faults.sh
R=$(mktemp -d /var/tmp/postseal-proto.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$R/signer.log" ] && tail -5 "$R/signer.log" >&2; exit 1; }
. "$POSTSEAL_SRC/tests/lib/ports.sh"  # wait_listen PORT PID: PID still runs and the listener is its own
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }

for p in 10127 10128 10131; do
  ss -Hltn "sport = :$p" | grep -q . && fail "port $p is already in use"
done
mkdir -p "$R/down" "$R/keys"; chmod 700 "$R/keys"
openssl genrsa -out "$R/keys/r1.private" 2048 2>/dev/null; chmod 600 "$R/keys/r1.private"
$PY "$DOWN" 10128 accept "$R/down" >"$R/fake.log" 2>&1 & PIDS+=($!)
wait_port 10128 $!
"$POSTSEAL" signer --listen 127.0.0.1:10127 --relay 127.0.0.1:10128 --foreground \
  --key rsa.example:r1:$R/keys/r1.private >"$R/signer.log" 2>&1 & PIDS+=($!); FPID=$!
cat > "$R/restricted.toml" <<TOML
[signer]
xforward_hosts = ["192.0.2.1"]
max_connections = 3
command_timeout = 2
TOML
"$POSTSEAL" signer -c "$R/restricted.toml" --listen 127.0.0.1:10131 --relay 127.0.0.1:10128 --foreground \
  >"$R/restricted.log" 2>&1 & PIDS+=($!)
wait_port 10127 $FPID; wait_port 10131 $!
$PY "$H/protocol_probes.py" 10127 10131 "$R/down" "$FPID" || fail "protocol probes failed"
grep -q "^postseal/signer\[[0-9]*\]: ABCDEF1234: DKIM-Signature added" "$R/signer.log" || fail "XFORWARD IDENT not used as queue id in the log"
echo "PASS: protocol probes"

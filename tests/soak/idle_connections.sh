#!/bin/bash
# idle_connections.sh - soak: 2,000 idle connections to each listener (signer, policy, proxy,
# srsd socketmap, milter), each configured with max_connections = 2000: the memory per idle
# session is measured and printed (RSS with them open minus RSS before, divided by 2,000;
# bound 16 KiB),
# all 2,000 are accepted, the 2,001st is refused as the listener refuses (signer, proxy: 421;
# policy, srsd: closed at once; milter: tempfail at connect), and once they close a new
# client is served. Daemons run as units run them (umask 022, LimitNOFILE=65536), as
# SOAK_USER (user = in the config file). Prints RSS/fds/threads and the log line counts.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
soak_init idle
read -r SIGNER POLICY PROXY MILTER SRSD SINK < <(soak_ports 6)
N=2000
soak_key "$S/keys"
soak_sink "$SINK"
head -c 32 /dev/urandom | base64 > "$S/srs.secret"; chmod 600 "$S/srs.secret"
cat > "$S/postseal.toml" <<TOML
[signer]
user = "$SOAK_USER"
max_connections = $N
[[signer.domain]]
name = "example.com"
keys = ["soak:$S/keys/soak.private"]
[verifier]
user = "$SOAK_USER"
max_connections = $N
[proxy]
max_connections = $N
[milter]
max_connections = $N
[srs]
domain = "fwd.example"
secrets_file = "$S/srs.secret"
socketmap = "127.0.0.1:$SRSD"
tcp_forward = ""
tcp_reverse = ""
user = "$SOAK_USER"
max_connections = $N
TOML
cat > "$S/zone.txt" <<ZONE
spf-pass.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"
ZONE
soak_daemon signer "$POSTSEAL" signer -c "$S/postseal.toml" --listen "127.0.0.1:$SIGNER" \
  --relay "127.0.0.1:$SINK" --log stderr
SPID=$DAEMON_PID
soak_daemon verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" --milter "127.0.0.1:$MILTER" \
  --dns-zone "$S/zone.txt" --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
soak_daemon srsd "$POSTSEAL" srsd -c "$S/postseal.toml" --log stderr
RPID=$DAEMON_PID
soak_wait_port "$SIGNER" "$SPID"; for p in $POLICY $PROXY $MILTER; do soak_wait_port "$p" "$VPID"; done
soak_wait_port "$SRSD" "$RPID"
for p in $SPID $VPID $RPID; do [ "$(stat -c %U /proc/$p)" = "$SOAK_USER" ] || fail "pid $p does not run as $SOAK_USER"; done
run() {  # run KIND PORT PID NAME
  echo "== $4 ($1 on $2)"
  timeout 300 $SOAK_PY idle "$1" "$2" "$3" "$N" || fail "$4: idle connections"
}
run smtp "$SIGNER" "$SPID" signer
run policy "$POLICY" "$VPID" policy
run smtp "$PROXY" "$VPID" proxy
run milter "$MILTER" "$VPID" milter
run srsd "$SRSD" "$RPID" srsd
for d in signer verifier srsd; do
  lines=$(soak_log_lines $d); echo "$d log: $lines line(s)"
  [ "$lines" -le 40 ] || fail "$d wrote $lines log lines"
done
kill -0 "$SPID" && kill -0 "$VPID" && kill -0 "$RPID" || fail "a daemon died"
echo "PASS: $N idle connections per listener"

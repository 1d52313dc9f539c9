#!/bin/bash
# fd_limit.sh - soak: each daemon started under `ulimit -n 64` (soft and hard, so its raise
# of the soft limit to the hard one does not help) gets 200 connections held for HOLD s
# (6 s; SOAK_SCALE multiplies): no busy loop (the daemon's CPU time over the hold under
# 0.5 s, its log under 20 lines, the shortage logged) and a new client is served once they
# close. The milter's listener is core/net's, as the others' (verifier/milter/server.hpp). Listeners:
# signer, policy, proxy, milter (one verifier), srsd socketmap. Daemons run as units run them
# (umask 022) as SOAK_USER. Prints the CPU seconds and log lines of each.
# Not with a UBSan build (build-asan/): out of descriptors, UBSan's vptr check cannot probe
# memory (it needs a pipe) and reports a valid object as "invalid vptr" (the signer then
# aborts in Asio; the milter, whose accept() pause is interposed, ran clean under ASan+UBSan).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
soak_init fdlimit
read -r SIGNER POLICY PROXY MILTER SRSD SINK < <(soak_ports 6)
HOLD=$((6 * SOAK_SCALE))
soak_key "$S/keys"
soak_sink "$SINK"
head -c 32 /dev/urandom | base64 > "$S/srs.secret"; chmod 600 "$S/srs.secret"
cat > "$S/postseal.toml" <<TOML
[signer]
user = "$SOAK_USER"
[[signer.domain]]
name = "example.com"
keys = ["soak:$S/keys/soak.private"]
[verifier]
user = "$SOAK_USER"
[srs]
domain = "fwd.example"
secrets_file = "$S/srs.secret"
socketmap = "127.0.0.1:$SRSD"
tcp_forward = ""
tcp_reverse = ""
user = "$SOAK_USER"
TOML
printf 'spf-pass.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$S/zone.txt"
low() {  # low NAME CMD... - start CMD at ulimit -n 64
  local name=$1; shift
  ( umask 022; ulimit -n 64; exec "$@" ) >"$S/$name.log" 2>&1 &
  DAEMON_PID=$!; SOAK_PIDS+=("$DAEMON_PID")
}
low signer "$POSTSEAL" signer -c "$S/postseal.toml" --listen "127.0.0.1:$SIGNER" --relay "127.0.0.1:$SINK" --log stderr
SPID=$DAEMON_PID
low verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" --milter "127.0.0.1:$MILTER" \
  --dns-zone "$S/zone.txt" --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
low srsd "$POSTSEAL" srsd -c "$S/postseal.toml" --log stderr
RPID=$DAEMON_PID
soak_wait_port "$SIGNER" "$SPID"; for p in $POLICY $PROXY $MILTER; do soak_wait_port "$p" "$VPID"; done
soak_wait_port "$SRSD" "$RPID"
grep -q "Max open files *64 *64" /proc/$VPID/limits || fail "the verifier's fd limit is not 64"
run() {  # run KIND PORT PID NAME LOG LISTENER
  local before after out cpu lines
  echo "== $4 ($1 on $2)"
  before=$(soak_log_lines "$5")
  out=$(timeout 120 $SOAK_PY fdlimit "$1" "$2" "$3" 200 "$HOLD") || { echo "$out"; fail "$4: at the fd limit"; }
  echo "$out" | grep -v '^cpu_used='
  cpu=$(echo "$out" | sed -n 's/^cpu_used=//p')
  lines=$(( $(soak_log_lines "$5") - before ))
  echo "$4: cpu ${cpu} s over ${HOLD} s held, $lines log line(s)"
  awk -v c="$cpu" 'BEGIN { exit !(c < 0.5) }' || fail "$4: ${cpu} s of CPU in ${HOLD} s at the fd limit (busy loop)"
  [ "$lines" -lt 20 ] || fail "$4: $lines log lines at the fd limit"
  grep -q "$6: accept: Too many open files" "$S/$5.log" || fail "$4: the fd shortage was not logged"
}
run smtp "$SIGNER" "$SPID" signer signer signer
run policy "$POLICY" "$VPID" policy verifier policy
run smtp "$PROXY" "$VPID" proxy verifier proxy
run milter "$MILTER" "$VPID" milter verifier milter
run srsd "$SRSD" "$RPID" srsd srsd socketmap
kill -0 "$SPID" && kill -0 "$VPID" && kill -0 "$RPID" || fail "a daemon died"
echo "PASS: no busy loop at ulimit -n 64 with 200 connections; service afterwards"

#!/bin/bash
# slowloris.sh - soak: 4 clients per listener sending one byte every 2 s (a command line, a
# message body after DATA, a policy request, a socketmap request) are cut at the named
# timeouts (signer/proxy command_timeout and data_timeout 3 s; policy idle_timeout 3 s; srsd
# idle_timeout 3 s, re-armed at most every second) within 3 s of slack (bound 6 s), while a
# normal client of the same listener is served every 0.5 s meanwhile (each within 2 s).
# Daemons run as units run them (umask 022, LimitNOFILE) as SOAK_USER. Prints how long each
# slow client lasted and its last reply, and the log line counts.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
soak_init slow
read -r SIGNER POLICY PROXY SRSD SINK < <(soak_ports 5)
CUT=6
soak_key "$S/keys"
soak_sink "$SINK"
head -c 32 /dev/urandom | base64 > "$S/srs.secret"; chmod 600 "$S/srs.secret"
cat > "$S/postseal.toml" <<TOML
[signer]
user = "$SOAK_USER"
command_timeout = 3
data_timeout = 3
[[signer.domain]]
name = "example.com"
keys = ["soak:$S/keys/soak.private"]
[verifier]
user = "$SOAK_USER"
idle_timeout = 3
[proxy]
command_timeout = 3
data_timeout = 3
[srs]
domain = "fwd.example"
secrets_file = "$S/srs.secret"
socketmap = "127.0.0.1:$SRSD"
tcp_forward = ""
tcp_reverse = ""
user = "$SOAK_USER"
idle_timeout = 3
TOML
printf 'spf-pass.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$S/zone.txt"
soak_daemon signer "$POSTSEAL" signer -c "$S/postseal.toml" --listen "127.0.0.1:$SIGNER" --relay "127.0.0.1:$SINK" --log stderr
SPID=$DAEMON_PID
soak_daemon verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" \
  --dns-zone "$S/zone.txt" --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
soak_daemon srsd "$POSTSEAL" srsd -c "$S/postseal.toml" --log stderr
RPID=$DAEMON_PID
soak_wait_port "$SIGNER" "$SPID"; soak_wait_port "$POLICY" "$VPID"; soak_wait_port "$PROXY" "$VPID"
soak_wait_port "$SRSD" "$RPID"
run() {  # run KIND PORT NAME
  echo "== $3 ($1)"
  timeout 120 $SOAK_PY slow "$1" "$2" 2 "$CUT" || fail "$3: slowloris ($1)"
}
run smtp-command "$SIGNER" signer
run smtp-data "$SIGNER" signer
run smtp-command "$PROXY" proxy
run smtp-data "$PROXY" proxy
run policy "$POLICY" policy
run srsd "$SRSD" srsd
for d in signer verifier srsd; do echo "$d log: $(soak_log_lines $d) line(s)"; done
kill -0 "$SPID" && kill -0 "$VPID" && kill -0 "$RPID" || fail "a daemon died"
echo "PASS: slow clients cut at the named timeouts, others served"

#!/bin/bash
# smtp_load.sh - soak: 10,000 messages (SOAK_SCALE=10: 100,000) through `postseal signer`
# and as many through the before-queue proxy (`postseal verifier --proxy`, XFORWARD client
# 192.0.2.10, SPF pass), each to Postfix's smtp-sink: every message answered 250 and found
# at the sink (signed, for the signer; with our Authentication-Results, for the proxy), RSS
# flat after the first 10 % (bound RSS_SLACK_KB, 4 MiB), fds back where they were once the
# sessions close (for the signer, once the reinjection connections it parks for the next
# session, signer.relay_idle_seconds = 1 here, are closed too). 8 sessions of 50 messages at a time. Both daemons run as a unit runs them
# (umask 022, LimitNOFILE) and drop to SOAK_USER (user = in the config file). Prints RSS, fds
# and CPU before, after warm-up and at the end, and the log line counts (bound: one per
# message + 10).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
soak_init smtp
read -r SIGNER PROXY SINK POLICY < <(soak_ports 4)
TOTAL=$((10000 * SOAK_SCALE))
soak_key "$S/keys"
soak_sink "$SINK"
cat > "$S/postseal.toml" <<TOML
[signer]
user = "$SOAK_USER"
spool_directory = "$S"
relay_idle_seconds = 1
[[signer.domain]]
name = "example.com"
keys = ["soak:$S/keys/soak.private"]
[verifier]
user = "$SOAK_USER"
[proxy]
spool_directory = "$S"
TOML
printf 'example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$S/zone.txt"
soak_daemon signer "$POSTSEAL" signer -c "$S/postseal.toml" --listen "127.0.0.1:$SIGNER" \
  --relay "127.0.0.1:$SINK" --log stderr
SPID=$DAEMON_PID
soak_daemon verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" --dns-zone "$S/zone.txt" \
  --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
soak_wait_port "$SIGNER" "$SPID"; soak_wait_port "$PROXY" "$VPID"
for p in $SPID $VPID; do [ "$(stat -c %U /proc/$p)" = "$SOAK_USER" ] || fail "pid $p does not run as $SOAK_USER"; done

echo "== signer"
# the fds are compared once the reinjection connections parked at the sessions' end are closed
SOAK_LINGER=2 timeout 1200 $SOAK_PY smtp "$SIGNER" "$SPID" "$TOTAL" 8 50 || fail "signer load"
want=$((TOTAL + 1))
soak_wait_sink "$want" 60 || fail "the sink holds $(soak_sink_count) messages, want $want"
signed=$(grep -l '^DKIM-Signature: .*d=example.com' -r "$S/sink" | wc -l)
echo "sink: $(soak_sink_count) messages, $signed signed"
[ "$signed" -eq "$want" ] || fail "$signed of $want messages at the sink are signed"
lines=$(soak_log_lines signer); echo "signer log: $lines line(s)"
# one line per message, plus OpenDKIM's "DKIM-Signature field added" per signature (one key here)
[ "$lines" -le $((2 * want + 10)) ] || fail "signer wrote $lines log lines for $want messages"

echo "== proxy"
rm -rf "$S/sink"/*
timeout 1200 $SOAK_PY smtp "$PROXY" "$VPID" "$TOTAL" 8 50 xforward || fail "proxy load"
soak_wait_sink "$want" 60 || fail "the sink holds $(soak_sink_count) messages, want $want"
verified=$(grep -l -Pzo '\nAuthentication-Results: mx.soak.example;\r?\n\tspf=pass ' -r "$S/sink" | wc -l)
echo "sink: $(soak_sink_count) messages, $verified with spf=pass from us"
[ "$verified" -eq "$want" ] || fail "$verified of $want messages at the sink carry our spf=pass"
lines=$(soak_log_lines verifier); echo "verifier log: $lines line(s)"
[ "$lines" -le $((want + 10)) ] || fail "verifier wrote $lines log lines for $want messages"
kill -0 "$SPID" && kill -0 "$VPID" || fail "a daemon died"
echo "PASS: smtp soak, $TOTAL messages through the signer and through the proxy"

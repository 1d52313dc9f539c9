#!/usr/bin/env bash
# greylist_postfix.sh - greylisting through real Postfix on both ends: a SENDING Postfix (a
# private instance relaying everything to the receiver, as a remote MTA would) and a RECEIVING
# Postfix whose smtpd asks `postseal verifier --greylist` (check_policy_service after
# reject_unauth_destination, as conf/postfix/policy-main.cf says) and relays to smtp-sink.
# The retry is the sending Postfix's own queue run (postqueue -f), not a script's.
# Checks (greylist.delay = 4 s, state in a SQLite file):
#  - the first attempt gets 450 4.7.1 Greylisted and the message stays in the sender's queue;
#  - a retry before the delay is deferred again;
#  - a retry after the delay is delivered once to the sink, the second recipient's answer adds
#    X-Greylist (the first carries Received-SPF: one PREPEND per answer);
#  - greylist.auto_whitelist_clients = 1 (a second verifier with its own state, behind a second
#    receiving smtpd, for aw.example): once one greylisted message went through, a new triplet
#    from that client network is delivered at the first attempt;
#  - a client listed in a whitelist_clients file (a third verifier, for wl.example) is
#    delivered at the first attempt.
# (Auto-whitelisting is kept off the first verifier: a client network whitelisted by the first
# recipient's pass has the second recipient skipped, and that one would carry X-Greylist.)
# The client must not be loopback (localhost is never greylisted): both instances talk over
# the machine's first global IPv4 address (the sender binds to it); without one the test is
# skipped (exit 77). Ports are free ones chosen at run time. Runs as root.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: greylist_postfix.sh must run as root (private Postfix instances)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"

IP=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
[ -n "$IP" ] || { echo "SKIP: no global IPv4 address to use as a non-loopback client"; exit 77; }
read -r P_SINK P_RX1 P_RX2 P_RX3 P_TX P_POL1 P_POL2 P_POL3 < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(8)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
EOF
)
DELAY=4
R=$(mktemp -d /var/tmp/postseal-greylist-rx.XXXXXX)   # receiving Postfix
S=$(mktemp -d /var/tmp/postseal-greylist-tx.XXXXXX)   # sending Postfix
W=$(mktemp -d /var/tmp/postseal-greylist-pol.XXXXXX)  # verifiers' config, state, logs
chmod 755 "$W"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  PF_ROOT=$S; pf_cleanup
  PF_ROOT=$R; pf_cleanup
  if [ -n "${KEEP:-}" ]; then echo "kept $R $S $W"; else rm -rf "$R" "$S" "$W"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
die() {
  echo "FAIL: $*"
  local f
  for f in "$R/log/maillog" "$S/log/maillog" "$W"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -15 "$f"; }; done
  exit 1
}

# SPF none for every sender (no record): Received-SPF: none, then greylisting.
echo 'unrelated.example. TXT "v=spf1 -all"' > "$W/zone.txt"
echo "$IP" > "$W/whitelist_clients"
cat > "$W/greylist.toml" <<EOT
[greylist]
delay = $DELAY
whitelist_clients = []
whitelist_recipients = []
[state]
backend = "sqlite"
path = "$W/state.db"
EOT
cat > "$W/auto.toml" <<EOT
[greylist]
delay = $DELAY
auto_whitelist_clients = 1
whitelist_clients = []
whitelist_recipients = []
[state]
backend = "sqlite"
path = "$W/state3.db"
EOT
cat > "$W/whitelist.toml" <<EOT
[greylist]
delay = $DELAY
whitelist_clients = ["$W/whitelist_clients"]
whitelist_recipients = []
[state]
backend = "sqlite"
path = "$W/state2.db"
EOT
# start_verifier PORTVAR CONFIG LOG - a verifier on the port named by PORTVAR. The port was
# free when chosen, but a test running beside this one may take it first (a listener, or an
# outgoing connection's local port); then our verifier exits "Address already in use" while a
# wait for "something listens" sees the other's socket, and Postfix would ask a stranger. So
# start_listening (tests/lib/ports.sh) waits for the verifier's own listener and, when it lost
# the port, starts it again on a new one (3 tries); the policy ports are written into the
# receiver's configuration only after this.
start_verifier() {
  SV_CONF=$2 SV_LOG=$W/$3 SV_VAR=$1
  start_listening spawn_verifier "$SV_LOG" "$1" || die "postseal verifier ($2) did not start"
  PIDS+=("$LISTEN_PID")
}
spawn_verifier() {
  "$POSTSEAL" verifier --greylist -c "$SV_CONF" --listen "127.0.0.1:${!SV_VAR}" --dns-zone "$W/zone.txt" \
    --authserv-id mx.test.local --foreground >"$SV_LOG" 2>&1 &
  LISTEN_PID=$!
}
start_verifier P_POL1 "$W/greylist.toml" verifier.log
start_verifier P_POL2 "$W/whitelist.toml" verifier-whitelist.log
start_verifier P_POL3 "$W/auto.toml" verifier-auto.log

# The receiver: three smtpd listeners on $IP, each asking one verifier; relays to the sink.
# The first listener uses main.cf's restrictions: conf/postfix/policy-main.cf pasted as shipped,
# its daemon port changed to the verifier's (the client, $IP, is not in mynetworks).
pf_init "$R" "$P_SINK" || die "pf_init receiver"
sed -i '/^smtpd_recipient_restrictions =$/d' "$R/etc/main.cf"
pf_paste "$POSTSEAL_SRC/conf/postfix/policy-main.cf"
grep -q "check_policy_service inet:127.0.0.1:10040" "$R/etc/main.cf" || die "policy-main.cf changed: no 10040"
sed -i "s/check_policy_service inet:127.0.0.1:10040/check_policy_service inet:127.0.0.1:$P_POL1/" "$R/etc/main.cf"
postconf -c "$R/etc" -e "relay_domains = dest.example, wl.example, aw.example" "mynetworks = 127.0.0.1/32" \
  "smtpd_relay_restrictions = reject_unauth_destination"
pf_master "$IP:$P_RX1 inet n - n - - smtpd" \
  "$IP:$P_RX2 inet n - n - - smtpd" \
  "  -o smtpd_recipient_restrictions=reject_unauth_destination,check_policy_service,inet:127.0.0.1:$P_POL2" \
  "$IP:$P_RX3 inet n - n - - smtpd" \
  "  -o smtpd_recipient_restrictions=reject_unauth_destination,check_policy_service,inet:127.0.0.1:$P_POL3"
pf_sink_start "$P_SINK" || die "smtp-sink did not start"
pf_start || die "receiving postfix did not start"

# The sender: accepts from 127.0.0.1, relays from $IP to the receiver (wl.example to the
# second listener, aw.example to the third); another myhostname, or it would see mail looping back to itself.
pf_init "$S" "$P_RX1" || die "pf_init sender"
printf 'wl.example relay:[%s]:%s\naw.example relay:[%s]:%s\n' "$IP" "$P_RX2" "$IP" "$P_RX3" > "$S/etc/transport"
postmap -c "$S/etc" "$S/etc/transport" || die "postmap"
postconf -c "$S/etc" -e "myhostname = sender.test.local" "relayhost = [$IP]:$P_RX1" \
  "smtp_bind_address = $IP" "transport_maps = hash:$S/etc/transport"
pf_master "127.0.0.1:$P_TX inet n - n - - smtpd"
pf_start || die "sending postfix did not start"
PF_ROOT=$R; pf_wait_master "$P_RX1" && pf_wait_master "$P_RX2" && pf_wait_master "$P_RX3" || die "receiver does not listen on $IP"

on() { PF_ROOT=$1; }
# in_queue - messages in the sending Postfix's queue.
in_queue() { on "$S"; pf_queue_count; }
sink_with() { grep -l -- "$1" "$R"/sink/* 2>/dev/null; }
wait_sink_with() {  # TOKEN SECONDS
  local i; for i in $(seq 1 $(($2 * 10))); do [ -n "$(sink_with "$1")" ] && return 0; sleep 0.1; done; return 1
}
flush_until_sink() {  # TOKEN SECONDS - flush the sender every 2 s until TOKEN reaches the sink
  local i; for i in $(seq 1 $(($2 / 2))); do
    [ -n "$(sink_with "$1")" ] && return 0
    on "$S"; pf_flush; wait_sink_with "$1" 2 && return 0
  done; return 1
}
wait_deferred() {  # N SECONDS - until the sender's log shows N deferrals
  local i; for i in $(seq 1 $(($2 * 10))); do
    [ "$(grep -c 'status=deferred' "$S/log/maillog")" -ge "$1" ] && return 0; sleep 0.1
  done; return 1
}
submit() {  # FROM TO TOKEN
  swaks --server 127.0.0.1 --port "$P_TX" --from "$1" --to "$2" --header "Subject: $3" \
    --silent 2 </dev/null || bad "submission of $3 to the sending Postfix failed"
}

# 1. first attempt: 450 4.7.1, stays queued (and the first message for aw.example too)
T0=$(date +%s.%N)
submit alice@sender.example r1@dest.example,r2@dest.example first-try
submit dave@sender.example a1@aw.example auto-first
if wait_deferred 3 20; then
  if grep 'status=deferred' "$S/log/maillog" | grep -q '450 4.7.1 .*Greylisted, try again in'; then
    ok "first attempt deferred with 450 4.7.1 Greylisted"
  else bad "first deferral is not the greylisting one: $(grep 'status=deferred' "$S/log/maillog" | tail -1)"; fi
else die "the sending Postfix never got a deferral"; fi
[ "$(in_queue)" -eq 2 ] && ok "the messages stay in the sending Postfix's queue" \
  || bad "sender queue holds $(in_queue) messages, wanted 2"
postqueue -c "$S/etc" -p | grep -q 'Greylisted' && ok "postqueue -p shows the greylisting reason" \
  || bad "postqueue -p: $(postqueue -c "$S/etc" -p | head -5)"
[ -z "$(sink_with first-try)" ] || bad "greylisted message reached the sink"

# 2. an early retry (the sender's queue run before the delay): deferred again
on "$S"; pf_flush
if wait_deferred 6 10; then ok "early retry deferred again"
else bad "early retry: $(grep -c 'status=deferred' "$S/log/maillog") deferrals logged, wanted 2 per recipient"; fi
[ -z "$(sink_with first-try)" ] || bad "message delivered before the delay"

# 3. after the delay: delivered once, with X-Greylist
python3 -c "import time; time.sleep(max(0, $T0 + $DELAY + 1.5 - time.time()))"
on "$S"; pf_flush
if wait_sink_with first-try 30; then
  f=$(sink_with first-try)
  n=$(echo "$f" | wc -l)
  [ "$n" -eq 1 ] && ok "retry after the delay delivered once" || bad "retry delivered $n times"
  if grep -q '^X-Greylist: delayed [0-9]* seconds by postseal-' "$f"; then ok "X-Greylist header added"
  else bad "no X-Greylist header: $(grep -iE '^(X-Greylist|Received-SPF)' "$f")"; fi
  grep -q '^Received-SPF: none ' "$f" && ok "Received-SPF kept beside it" || bad "no Received-SPF header"
else
  bad "message not delivered after the delay"; tail -5 "$S/log/maillog"
fi
# auto-first was first tried with first-try; under load that try may have come late, so its
# delay may not be over at the flush above: flush again until it arrives (bounded)
flush_until_sink auto-first 30 || bad "the first message for aw.example was not delivered after the delay"
on "$S"; pf_wait_queue_empty 20 && ok "sending queue empty after the retry" || bad "sending queue not empty"
sleep 1
[ "$(sink_with first-try | wc -l)" -eq 1 ] || bad "message delivered more than once"
grep -q "greylist pass, delayed" "$W/verifier.log" && ok "verifier logs the pass" \
  || bad "no pass in the verifier's log"

# 4. auto-whitelisted client network: a new triplet goes through at the first attempt
before=$(grep -c 'status=deferred' "$S/log/maillog")
submit bob@other.example a3@aw.example auto-whitelisted
if wait_sink_with auto-whitelisted 20; then ok "auto-whitelisted client network not delayed"
else bad "auto-whitelisted client was delayed: $(grep 'status=deferred' "$S/log/maillog" | tail -1)"; fi
[ "$(grep -c 'status=deferred' "$S/log/maillog")" -eq "$before" ] || bad "a deferral for the auto-whitelisted client"
grep -q "auto-whitelisted after 1 deliveries" "$W/verifier-auto.log" && ok "auto-whitelisting logged" \
  || bad "no auto-whitelist log line"

# 5. a client in the whitelist file (second verifier, fresh state): not delayed
before=$(grep -c 'status=deferred' "$S/log/maillog")
submit carol@sender.example w@wl.example whitelisted-client
if wait_sink_with whitelisted-client 20; then ok "client in whitelist_clients not delayed"
else bad "whitelisted client was delayed: $(grep 'status=deferred' "$S/log/maillog" | tail -1)"; fi
[ "$(grep -c 'status=deferred' "$S/log/maillog")" -eq "$before" ] || bad "a deferral for the whitelisted client"

echo "greylist_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] || { [ -f "$W/verifier.log" ] && tail -10 "$W/verifier.log"; exit 1; }

#!/usr/bin/env bash
# policy_postfix.sh - the SPF policy service with a real Postfix (check_policy_service after
# reject_unauth_destination), both ways an administrator wires it:
#  a. `postseal verifier` daemon on 127.0.0.1:10140, resolving through a real unbound on
#     127.0.0.1:5353 (tests/lib/unbound.sh) — Postfix port 2701;
#  b. `postseal policy` spawned by master.cf on stdin/stdout with --dns-zone (its TIMEOUT entry
#     gives the temperror) — Postfix port 2702.
# Client addresses are set with XCLIENT (the real client is 127.0.0.1, which is always skipped).
# Checks: an SPF-fail sender is rejected with 550 5.7.23; a pass is delivered to smtp-sink with
# one Received-SPF header even with two recipients; a temperror defers (450); localhost skipped;
# a SASL-authenticated client (XCLIENT LOGIN, with smtpd_sasl_auth_enable on both smtpds, so
# Postfix sends sasl_username in the policy request) is skipped, not rejected, in both wirings.
# Ports: Postfix 2701, 2702, smtp-sink 2703, policy 10140, unbound 5353. Runs as root.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: policy_postfix.sh must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"

P_DAEMON=2701 P_SPAWN=2702 P_SINK=2703 POLICY=10140 DNS=${POLICY_DNS_PORT:-5353}
HERE="$POSTSEAL_SRC/tests/integration/policy"
R=$(mktemp -d /var/tmp/postseal-policy-it.XXXXXX)
# unbound and the daemon's log live beside $R, not in it: pf_init wipes $R (and with it the
# pid file and a log opened before it).
UB=$(mktemp -d /var/tmp/postseal-policy-dns.XXXXXX)
VERIFIER_PID=""
cleanup() {
  [ -n "$VERIFIER_PID" ] && kill "$VERIFIER_PID" 2>/dev/null
  pf_cleanup
  unbound_stop "$UB" 2>/dev/null
  rm -rf "$UB"
  [ -n "${KEEP:-}" ] || rm -rf "$R"; [ -n "${KEEP:-}" ] && echo "kept $R"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
die() {
  echo "FAIL: $*"
  [ -f "$R/log/maillog" ] && tail -20 "$R/log/maillog"
  [ -f "$UB/verifier.log" ] && tail -20 "$UB/verifier.log"
  exit 1
}

for p in $P_DAEMON $P_SPAWN $P_SINK $POLICY; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "port $p is already in use"
done

unbound_start "$UB" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
"$POSTSEAL" verifier --listen "127.0.0.1:$POLICY" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local --foreground \
  > "$UB/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen $POLICY $VERIFIER_PID || die "postseal verifier did not start"

pf_init "$R" $P_SINK || die "pf_init"
cp "$HERE/zone.txt" "$R/zone.txt" && chmod 644 "$R/zone.txt"
pf_main "relay_domains = dest.example" \
  "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
  "smtpd_relay_restrictions = reject_unauth_destination" \
  "postseal-policy_time_limit = 3600"
pf_master "127.0.0.1:$P_DAEMON inet n - n - - smtpd" \
  "  -o smtpd_recipient_restrictions=reject_unauth_destination,check_policy_service,inet:127.0.0.1:$POLICY" \
  "  -o smtpd_sasl_auth_enable=yes" \
  "127.0.0.1:$P_SPAWN inet n - n - - smtpd" \
  "  -o smtpd_recipient_restrictions=reject_unauth_destination,check_policy_service,unix:private/postseal-policy" \
  "  -o smtpd_sasl_auth_enable=yes" \
  "postseal-policy unix - n n - 0 spawn" \
  "  user=nobody argv=$POSTSEAL policy --dns-zone $R/zone.txt --authserv-id mx.test.local"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"

# send PORT FROM ADDR TOKEN [more swaks args] - one message from client ADDR; prints swaks' transcript.
send() {
  local port=$1 from=$2 addr=$3 token=$4; shift 4
  swaks --server 127.0.0.1 --port "$port" --from "$from" --to "rcpt@dest.example" \
    --xclient-addr "$addr" --xclient-name unknown --xclient-helo mail.client.example.com \
    --helo mail.client.example.com --header "Subject: $token" "$@" </dev/null 2>&1
}

# sink_file TOKEN - the sink dump holding TOKEN (waits up to 30 s).
sink_file() {
  local i f
  for i in $(seq 1 300); do
    f=$(grep -l -- "$1" "$R"/sink/* 2>/dev/null | head -1)
    [ -n "$f" ] && { echo "$f"; return 0; }
    sleep 0.1
  done
  return 1
}

check_pass() {  # PORT LABEL
  local out f n
  out=$(send "$1" user@spf-pass.example.com 192.0.2.10 "pass-$2" --to rcpt@dest.example,rcpt2@dest.example)
  if f=$(sink_file "pass-$2"); then
    n=$(grep -c '^Received-SPF: pass ' "$f")
    if [ "$n" -eq 1 ] && grep -q 'envelope-from="user@spf-pass.example.com"' "$f"; then
      ok "$2: SPF pass delivered with one Received-SPF header (two recipients)"
    else
      bad "$2: delivered with $n Received-SPF pass headers"; grep -i '^Received-SPF' "$f"
    fi
  else
    bad "$2: pass message not delivered"; echo "$out" | tail -8
  fi
}

check_fail() {  # PORT LABEL
  local out
  out=$(send "$1" user@spf-pass.example.com 198.51.100.5 "fail-$2")
  if echo "$out" | grep -qE '^<\*\* +550 5\.7\.23 .*SPF fail'; then
    ok "$2: SPF fail rejected with 550 5.7.23"
  else
    bad "$2: SPF fail not rejected with 550 5.7.23"; echo "$out" | grep -E '^ *<' | tail -5
  fi
  if sink_file "fail-$2" >/dev/null 2>&1; then bad "$2: rejected message reached the sink"; fi
}

check_pass $P_DAEMON daemon
check_fail $P_DAEMON daemon
check_pass $P_SPAWN spawn
check_fail $P_SPAWN spawn

# temperror: the spawn variant's zone times out for spf-slow.example.com -> DEFER_IF_PERMIT.
out=$(send $P_SPAWN user@spf-slow.example.com 192.0.2.10 "temp-spawn")
if echo "$out" | grep -qE '^<\*\* +450 4\.7\.1 .*SPF temperror'; then
  ok "spawn: SPF temperror deferred with 450 4.7.1"
else
  bad "spawn: temperror not deferred"; echo "$out" | grep -E '^ *<' | tail -5
fi

# softfail (daemon, through unbound): accepted with the softfail header.
out=$(send $P_DAEMON user@spf-soft.example.com 198.51.100.5 "soft-daemon")
if f=$(sink_file soft-daemon) && grep -q '^Received-SPF: softfail ' "$f"; then
  ok "daemon: softfail accepted with Received-SPF: softfail"
else
  bad "daemon: softfail message missing or without header"; echo "$out" | tail -5
fi

# localhost: skipped, comment prepended.
out=$(send $P_DAEMON user@spf-pass.example.com 127.0.0.1 "local-daemon")
if f=$(sink_file local-daemon) && grep -q '^X-Comment: SPF skipped - localhost is always allowed.' "$f"; then
  ok "daemon: localhost skipped"
else
  bad "daemon: localhost message missing or without the skip comment"; echo "$out" | tail -5
fi

# The daemon logs each decision with what Postfix sent it (client, HELO, sender) and its answer;
# Postfix logs the policy service's reject. The daemon's SPF fail shows in both logs.
decision='SPF fail; client=unknown\[198\.51\.100\.5\] helo=<mail\.client\.example\.com> from=<user@spf-pass\.example\.com>: action=550 5\.7\.23 '
if grep -qE "$decision" "$UB/verifier.log"; then
  ok "daemon: the fail decision is logged with client, HELO, sender and action"
else
  bad "daemon: no log line for the fail decision"; tail -5 "$UB/verifier.log"
fi
if grep -qE 'reject: RCPT from unknown\[198\.51\.100\.5\]: 550 5\.7\.23 ' "$R/log/maillog"; then
  ok "postfix logged the policy service's 550 5.7.23"
else
  bad "postfix did not log the policy reject"; grep -E 'reject|warning' "$R/log/maillog" | tail -5
fi
# SASL-authenticated (XCLIENT LOGIN): an address SPF fails for is accepted with the skip comment.
check_authenticated() {  # PORT LABEL
  local out f
  out=$(send "$1" user@spf-pass.example.com 198.51.100.5 "sasl-$2" --xclient-login alice)
  if f=$(sink_file "sasl-$2") && grep -q '^X-Comment: SPF skipped - SASL authenticated client is always allowed.' "$f"; then
    ok "$2: SASL-authenticated client skipped, not rejected"
  else
    bad "$2: authenticated message rejected or without the skip comment"; echo "$out" | grep -E '^ *<' | tail -5
  fi
}
check_authenticated $P_DAEMON daemon
check_authenticated $P_SPAWN spawn
echo "policy_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

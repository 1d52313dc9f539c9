#!/usr/bin/env bash
# milter_auth.sh - an authenticated submission passes the milter: Postfix's smtpd (SASL
# enabled) is told the client logged in as alice@example.net with XCLIENT LOGIN= (the SASL
# login it then hands its milters as {auth_authen}); the sender's domain has an SPF record that
# fails for the client's address. Checks: the milter receives the login ({auth_authen}, seen
# in its debug log); the authenticated message is delivered (inbound checks skip SASL-
# authenticated clients, as smf-spf does); the same message without the login is refused
# with 550 5.7.23. Ports: Postfix 2821, smtp-sink 2823, milter 10043, unbound 5357. Root.
set -uo pipefail
P_SMTPD=2821 P_SINK=2823 MILTER=10043 DNS=5357
FE_NAME=milter-auth FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
"$POSTSEAL" verifier -v --foreground --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen $MILTER $VERIFIER_PID || die "postseal verifier --milter did not start"

fe_postfix $P_SINK "smtpd_sasl_auth_enable = yes"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
fe_start $P_SINK

# send TOKEN [swaks args] - from user@spf-pass.example.com (SPF fails for 198.51.100.5).
send() {
  local token=$1; shift
  printf 'From: alice@spf-pass.example.com\r\nTo: rcpt@dest.example\r\nMessage-ID: <%s@milter-auth.test>\r\nSubject: %s\r\n\r\nbody\r\n' \
    "$token" "$token" > "$U/$token.eml"
  swaks --server 127.0.0.1 --port "$P_SMTPD" --from user@spf-pass.example.com --to rcpt@dest.example \
    --xclient-addr 198.51.100.5 --xclient-name mail.outside.example --helo mail.outside.example \
    "$@" --data "$U/$token.eml" </dev/null 2>&1
}

out=$(send auth-unauthenticated)
if echo "$out" | grep -q '<\*\* *550 5.7.23 '; then ok "without a login: refused with 550 5.7.23"
else bad "without a login: not refused with 550 5.7.23"; echo "$out" | grep -E '^ *<' | tail -3; fi

out=$(send auth-alice --xclient-login alice@example.net)
if grep -q "SASL login alice@example.net" "$U/verifier.log"; then ok "the milter received {auth_authen} alice@example.net"
else bad "the milter did not log the SASL login"; fi
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
  bad "authenticated submission refused: $(echo "$out" | grep -E '^ *<\*\*' | head -1 | tr -s ' ')"
elif sink_find "<auth-alice@milter-auth.test>" >/dev/null; then ok "authenticated submission delivered"
else bad "authenticated submission accepted but not delivered"; fi

stop_verifier || bad "verifier did not stop on SIGTERM"
echo "milter_auth: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

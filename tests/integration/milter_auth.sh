#!/usr/bin/env bash
# milter_auth.sh - an authenticated submission passes the milter: Postfix's smtpd (SASL
# enabled) is told the client logged in as alice@example.net with XCLIENT LOGIN= (the SASL
# login it then hands its milters as {auth_authen}); the sender's domain has an SPF record that
# fails for the client's address. Checks: the milter receives the login ({auth_authen}, seen
# in its debug log); the authenticated message is delivered (inbound checks skip SASL-
# authenticated clients, as smf-spf does); the same message without the login is refused
# with 550 5.7.23. Ports: Postfix 2821, smtp-sink 2823, milter 10043, unbound 5357. Root.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: milter_auth.sh must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
. "$POSTSEAL_SRC/tests/lib/mailcheck.sh"

P_SMTPD=2821 P_SINK=2823 MILTER=10043 DNS=5357
HERE="$POSTSEAL_SRC/tests/integration/frontends"
R=$(mktemp -d /var/tmp/postseal-milter-auth.XXXXXX)
U=$(mktemp -d /var/tmp/postseal-milter-authdns.XXXXXX)  # not under $R: pf_init wipes $R
cleanup() {
  stop_verifier
  unbound_stop "$U" 2>/dev/null
  pf_cleanup
  rm -rf "$R" "$U"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
  echo "FAIL: $*"
  [ -f "$R/log/maillog" ] && tail -20 "$R/log/maillog"
  [ -f "$U/verifier.log" ] && tail -20 "$U/verifier.log"
  exit 1
}
for p in $P_SMTPD $P_SINK $MILTER; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "port $p is already in use"
done

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
"$POSTSEAL" verifier -v --foreground --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
pf_wait_listen $MILTER || die "postseal verifier --milter did not start"

pf_init "$R" $P_SINK || die "pf_init"
sed -i "/^smtpd_relay_restrictions/d" "$R/etc/main.cf"
pf_main "relay_domains = dest.example" \
  "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
  "smtpd_relay_restrictions = reject_unauth_destination" \
  "smtpd_sasl_auth_enable = yes" \
  "milter_default_action = tempfail" \
  "milter_protocol = 6"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"

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

#!/usr/bin/env bash
# milter_sasl.sh - a real SASL login through the milter as shipped: a private Postfix with
# conf/postfix/milter-main.cf pasted unchanged (smtpd_milters = inet:127.0.0.1:10041 for every
# smtpd, the submission port too) and a submission smtpd with Cyrus SASL (sasldb made with
# saslpasswd2, PLAIN and LOGIN from libsasl2-modules). The client is outside the SPF of the
# sender's domain (XCLIENT ADDR 198.51.100.5; spf-pass.example.com allows 192.0.2.0/24, -all).
# Checks: `swaks --auth LOGIN` as alice@example.net with the right password is delivered, not
# refused, and the milter logs that it skipped the authenticated client naming the login; a
# wrong password is refused by Postfix (535); the same message without AUTH is refused with
# 550 5.7.23. Ports: Postfix 2861, smtp-sink 2863, milter 10041 (the snippet's), unbound 5362. Root.
set -uo pipefail
umask 022
P_SMTPD=2861 P_SINK=2863 MILTER=10041 DNS=5362
FE_NAME=milter-sasl FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
command -v saslpasswd2 >/dev/null || die "saslpasswd2 (sasl2-bin) must be installed"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
"$POSTSEAL" verifier --log stderr --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen $MILTER $VERIFIER_PID || die "postseal verifier --milter did not start"

pf_init "$R" $P_SINK || die "pf_init"
sed -i "/^smtpd_relay_restrictions/d" "$R/etc/main.cf"
pf_main "relay_domains = dest.example" "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
  "smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination"
pf_paste "$POSTSEAL_SRC/conf/postfix/milter-main.cf" || die "pasting milter-main.cf"
# Cyrus SASL for smtpd: sasldb with one user, PLAIN and LOGIN (no TLS in a test instance).
mkdir -p "$R/etc/sasl"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
  "$R/etc/sasl/sasldb2" > "$R/etc/sasl/smtpd.conf"
echo 's3cret-pw' | saslpasswd2 -p -c -f "$R/etc/sasl/sasldb2" -u example.net alice || die "saslpasswd2"
chown root:postfix "$R/etc/sasl/sasldb2"; chmod 640 "$R/etc/sasl/sasldb2"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_sasl_auth_enable=yes" \
  "  -o smtpd_sasl_type=cyrus" \
  "  -o smtpd_sasl_path=smtpd" \
  "  -o cyrus_sasl_config_path=$R/etc/sasl" \
  "  -o smtpd_sasl_security_options=noanonymous"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"

send() {  # send TOKEN [swaks args]
  local token=$1; shift
  printf 'From: alice@spf-pass.example.com\r\nTo: rcpt@dest.example\r\nMessage-ID: <%s@milter-sasl.test>\r\nSubject: %s\r\n\r\nbody\r\n' \
    "$token" "$token" > "$U/$token.eml"
  swaks --server 127.0.0.1 --port "$P_SMTPD" --from user@spf-pass.example.com --to rcpt@dest.example \
    --xclient-addr 198.51.100.5 --xclient-name mail.outside.example --helo mail.outside.example \
    "$@" --data "$U/$token.eml" </dev/null 2>&1
}

out=$(send sasl-none)
echo "$out" | grep -qE '^<\*\* +550 5\.7\.23 ' && ok "without AUTH: refused with 550 5.7.23" \
  || { bad "without AUTH: not refused with 550 5.7.23"; echo "$out" | grep -E '^ *<' | tail -3; }

out=$(send sasl-wrong --auth LOGIN --auth-user alice@example.net --auth-password wrong)
echo "$out" | grep -qE '^<\*\* +535 ' && ok "wrong password: 535 from Postfix (SASL is real)" \
  || { bad "wrong password not refused with 535"; echo "$out" | grep -E '^ *<' | tail -3; }

out=$(send sasl-alice --auth LOGIN --auth-user alice@example.net --auth-password s3cret-pw)
echo "$out" | grep -qE '^<- +235 ' && ok "AUTH LOGIN accepted (235)" || { bad "AUTH LOGIN not accepted"; echo "$out" | grep -E '^ *<' | tail -5; }
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
  bad "authenticated submission refused: $(echo "$out" | grep -E '^ *<\*\*' | head -1 | tr -s ' ')"
elif sink_find "<sasl-alice@milter-sasl.test>" >/dev/null; then ok "authenticated submission from outside the SPF delivered"
else bad "authenticated submission accepted but not delivered"; fi
grep -q "sasl_username=alice@example.net" "$R/log/maillog" && ok "Postfix logged sasl_username=alice@example.net" \
  || bad "no sasl_username in the maillog"
grep -qE "milter: SPF skipped - SASL authenticated client .*login alice@example.net" "$U/verifier.log" \
  && ok "the milter logged that it skipped the authenticated client (login alice@example.net)" \
  || { bad "the milter did not log the skip"; tail -5 "$U/verifier.log"; }

stop_verifier || bad "verifier did not stop on SIGTERM"
echo "milter_sasl: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# milter_sign_postfix.sh - the signing milter (`milter.mode = "sign+verify"`, OpenDKIM's Mode
# sv) through a real Postfix wired by conf/postfix/milter-sign-main.cf pasted as shipped and
# conf/postfix/milter-sign-master.cf's submission service (moved to a test port, TLS and chroot
# off for the test instance, Cyrus SASL as milter_sasl.sh has it), the daemon run as its unit
# runs it (root, umask 022, --user nobody, unix socket in the queue directory), and a real
# unbound for the verifying half.
# Checks (dkimpy verifies every signature as delivered, tests/integration/signer/verify_sink.py):
#   1. an authenticated submission from an outside address (XCLIENT) is signed (RSA), not
#      checked (no A-R of ours), and logged as OpenDKIM logs it with Postfix's queue id;
#   2. dual.example: two signatures, rsa-sha256 and ed25519-sha256;
#   3. a service with milter_macro_daemon_name=ORIGINATING (milter.sign_daemons) signs for an
#      unauthenticated outside client;
#   3b. per-address signing ([[signer.sender]], the signing table shared with the content
#      filter): carol@rsa.example is signed with her own selector c1 and i=, someone else at
#      rsa.example with the domain's r1;
#   4. mail on the port-25 smtpd from an outside client claiming our domain is verified (our
#      A-R), not signed;
#   5. SMTP from 127.0.0.1 (milter.internal_hosts) without Date and Message-ID: delivered
#      with the Date and Message-ID Postfix added, signed over them;
#   6. sendmail(1) without Date and Message-ID (pickup, non_smtpd_milters): signed (Ed25519);
#   7. a bounce Postfix makes (the recipient's server is down, maximal_queue_lifetime = 0;
#      internal_mail_filter_classes = bounce) is signed for
#      test.local (subdomains = true; myorigin makes it MAILER-DAEMON@test.local);
#   8. a SIGHUP while the key file is missing keeps the running keys (logged with the file);
#   9. the milter down because its key file is missing (start refused, naming the file): a
#      submission gets 4xx, a sendmail message waits in the maildrop; nothing is delivered
#      unsigned; once the key is back and the milter runs, the waiting message arrives signed.
# Ports: Postfix 2871 (port-25 role), 2872 (submission), 2874 (ORIGINATING), smtp-sink 2873,
# 2875 (nothing listens: bounce.test's server), unbound 5371. Runs as root.
set -uo pipefail
umask 022
P_SMTPD=2871 P_SUB=2872 P_SINK=2873 P_ORIG=2874 P_DEAD=2875 DNS=5371
FE_NAME=milter-sign FE_PORTS="$P_SMTPD $P_SUB $P_SINK $P_ORIG $P_DEAD"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/signer/common.sh"
command -v saslpasswd2 >/dev/null || die "saslpasswd2 (sasl2-bin) must be installed"
/usr/bin/python3 -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) must be installed"

# Keys: rsa.example, ed.example, dual.example (common.sh) and test.local for Postfix's bounces.
make_keys "$U/keys"
openssl genrsa -out "$U/keys/b1.private" 2048 2>/dev/null || die "openssl genrsa"
chmod 600 "$U/keys/b1.private"
echo "b1._domainkey.test.local v=DKIM1; k=rsa; p=$(openssl pkey -in "$U/keys/b1.private" -pubout -outform DER 2>/dev/null | base64 -w0)" \
  >> "$U/keys/records"
openssl genrsa -out "$U/keys/c1.private" 2048 2>/dev/null || die "openssl genrsa"
chmod 600 "$U/keys/c1.private"
echo "c1._domainkey.rsa.example v=DKIM1; k=rsa; p=$(openssl pkey -in "$U/keys/c1.private" -pubout -outform DER 2>/dev/null | base64 -w0)" \
  >> "$U/keys/records"
chown -R nobody "$U/keys"
cat > "$U/postseal.toml" <<EOF
[milter]
mode = "sign+verify"
[[signer.domain]]
name = "rsa.example"
keys = ["r1:$U/keys/r1.private"]
[[signer.domain]]
name = "ed.example"
keys = ["e1:$U/keys/e1.private"]
[[signer.domain]]
name = "dual.example"
keys = ["r2:$U/keys/r2.private", "e2:$U/keys/e2.private"]
[[signer.domain]]
name = "test.local"
subdomains = true
keys = ["b1:$U/keys/b1.private"]
[[signer.sender]]
address = "carol@rsa.example"
keys = ["c1:$U/keys/c1.private"]
identity = "carol@rsa.example"
EOF
chmod 644 "$U/postseal.toml"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
fe_postfix $P_SINK "transport_maps = texthash:$R/etc/transport"
postconf -c "$R/etc" -e "relay_domains = dest.example, bounce.test" \
  "smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination"
# bounce.test's server does not listen; maximal_queue_lifetime = 0 returns such mail after the
# first failed attempt (mail the sink takes is delivered at the first)
echo "bounce.test smtp:[127.0.0.1]:$P_DEAD" > "$R/etc/transport"
postconf -c "$R/etc" -e "maximal_queue_lifetime = 0" "bounce_queue_lifetime = 0" "smtp_connect_timeout = 2s"
pf_paste "$POSTSEAL_SRC/conf/postfix/milter-sign-main.cf" || die "pasting milter-sign-main.cf"
# the submission service of milter-sign-master.cf on a test port; no TLS certificate and no
# chroot in a test instance (Cyrus SASL reads its sasldb outside a chroot)
sed -n '/^submission inet/,/^submissions /p' "$POSTSEAL_SRC/conf/postfix/milter-sign-master.cf" | sed '$d' \
  | sed -e "s/^submission inet\( *[^ ]* *[^ ]* *\)y/127.0.0.1:$P_SUB inet\1n/" -e '/smtpd_tls_security_level/d' \
  > "$U/submission.cf"
grep -q "milter_macro_daemon_name=ORIGINATING" "$U/submission.cf" || die "no submission service in milter-sign-master.cf"
pf_master "$(cat "$U/submission.cf")" \
  "  -o smtpd_sasl_type=cyrus" "  -o smtpd_sasl_path=smtpd" "  -o cyrus_sasl_config_path=$R/etc/sasl" \
  "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "127.0.0.1:$P_ORIG inet n - n - - smtpd" \
  "  -o milter_macro_daemon_name=ORIGINATING"
mkdir -p "$R/etc/sasl"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
  "$R/etc/sasl/sasldb2" > "$R/etc/sasl/smtpd.conf"
echo 's3cret-pw' | saslpasswd2 -p -c -f "$R/etc/sasl/sasldb2" -u rsa.example alice || die "saslpasswd2"
chown root:postfix "$R/etc/sasl/sasldb2"; chmod 640 "$R/etc/sasl/sasldb2"
install -d -o nobody -g postfix -m 0750 "$R/spool/postseal"
SOCK="$R/spool/postseal/milter.sock"

start_milter() {  # as the unit: root, umask 022, --user
  "$POSTSEAL" verifier -c "$U/postseal.toml" --foreground --listen "unix:$U/policy.sock" --milter "unix:$SOCK" \
    --dns "127.0.0.1@$DNS" --authserv-id mx.test.local --user nobody >> "$U/verifier.log" 2>&1 </dev/null &
  VERIFIER_PID=$!
  local i; for i in $(seq 1 100); do [ -S "$SOCK" ] && grep -q "running as user" "$U/verifier.log" && return 0; sleep 0.1; done
  return 1
}
start_milter || die "postseal verifier --milter (sign+verify) did not start"
fe_start $P_SINK

msg() {  # TOKEN FROM [no-id]: a CRLF message; with no-id neither Date nor Message-ID
  printf 'From: %s\r\nTo: rcpt@dest.example\r\nSubject: %s\r\nX-Test-Token: %s\r\n' "$2" "$1" "$1"
  [ "${3:-}" = no-id ] || printf 'Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <%s@milter-sign.test>\r\n' "$1"
  printf 'List-Unsubscribe: <https://lists.example/u/%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n' "$1"
  printf '\r\nHello,\r\nthis is %s.\r\n' "$1"
}
submit() {  # PORT TOKEN FROM [swaks args]: from the outside address 198.51.100.5
  local port=$1 token=$2 from=$3; shift 3
  msg "$token" "$from" > "$U/$token.eml"
  swaks --server 127.0.0.1 --port "$port" --from "$from" --to rcpt@dest.example \
    --xclient-addr 198.51.100.5 --xclient-name mail.outside.example --helo mail.outside.example \
    "$@" --data "$U/$token.eml" </dev/null 2>&1
}
auth=(--auth LOGIN --auth-user alice@rsa.example --auth-password s3cret-pw)
# verify TOKEN DOMAIN=ALGS: the one delivered message with X-Test-Token TOKEN verifies (dkimpy)
verify() {
  local token=$1 expect=$2 dir="$U/one-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  local f; f=$(sink_find "X-Test-Token: $token") || return 1
  cp "$f" "$dir/"
  $PY "$HERE_SIGNER/verify_sink.py" "$dir" "$U/keys/records" "${token%[0-9]}" 1 "$expect" 2>&1 | tail -3
}
signatures() { grep -c '^DKIM-Signature:' "$1"; }

# 1. Authenticated submission from outside: signed, not checked.
out=$(submit $P_SUB auth0 alice@rsa.example "${auth[@]}")
echo "$out" | grep -qE '^<- +250 .*queued' || bad "authenticated submission not accepted: $(echo "$out" | grep -E '^<\*\*' | head -1)"
if r=$(verify auth0 rsa.example=rsa-sha256); then ok "authenticated submission signed (rsa-sha256) and verified by dkimpy: ${r##*$'\n'}"
else bad "authenticated submission: $r"; fi
f=$(sink_find "X-Test-Token: auth0") && [ -z "$(ours "$f")" ] && ok "authenticated submission not checked (no A-R of ours)" \
  || bad "authenticated submission got our A-R or was not delivered"
fields "$f" DKIM-Signature | grep -q 'List-Unsubscribe-Post' && ok "List-Unsubscribe-Post is in h= (RFC 8058 4)" \
  || bad "List-Unsubscribe-Post not signed: $(fields "$f" DKIM-Signature | grep -o 'h=[^;]*')"
qid=$(grep -F "sasl_username=alice@rsa.example" "$R/log/maillog" | head -1 | sed -E 's/.*: ([0-9A-F]+): client=.*/\1/')
grep -qE "${qid:-NONE}: DKIM-Signature field added \(s=r1, d=rsa.example\)" "$U/verifier.log" \
  && ok "OpenDKIM's log line with Postfix's queue id $qid" || bad "no '$qid: DKIM-Signature field added (s=r1, d=rsa.example)' line"

# 2. Dual signatures.
out=$(submit $P_SUB dual0 alice@dual.example "${auth[@]}")
if r=$(verify dual0 dual.example=ed25519-sha256,rsa-sha256); then ok "dual.example: rsa-sha256 and ed25519-sha256, both verify"
else bad "dual.example: $r"; fi

# 3. ORIGINATING service, unauthenticated outside client.
out=$(submit $P_ORIG orig0 someone@rsa.example)
if r=$(verify orig0 rsa.example=rsa-sha256); then ok "milter_macro_daemon_name=ORIGINATING: signed and verified"
else bad "ORIGINATING service: $r"; echo "$out" | grep -E '^<\*\*' | head -2; fi

# 3b. Per-address signing: carol's own selector and i=, the domain's for everyone else.
out=$(submit $P_ORIG carol0 carol@rsa.example)
if r=$(verify carol0 rsa.example=rsa-sha256) && f=$(sink_find "X-Test-Token: carol0") &&
  fields "$f" DKIM-Signature | tr -d ' \t\r\n' | grep -q 's=c1;' &&
  fields "$f" DKIM-Signature | tr -d ' \t\r\n' | grep -q 'i=carol@rsa.example;'; then
  ok "carol@rsa.example signed with her [[signer.sender]] selector c1 and i=, verified by dkimpy"
else bad "per-address signing for carol: $r $(fields "${f:-/dev/null}" DKIM-Signature)"; fi
f=$(sink_find "X-Test-Token: orig0") && fields "$f" DKIM-Signature | tr -d ' \t\r\n' | grep -q 's=r1;' \
  && ok "someone@rsa.example still signed with the domain's selector r1" || bad "orig0 not signed with s=r1"

# 4. The port-25 smtpd, outside client claiming our domain: verified, not signed.
msg in0 user@rsa.example > "$U/in0.eml"
out=$(swaks --server 127.0.0.1 --port $P_SMTPD --from user@spf-pass.example.com --to rcpt@dest.example \
  --xclient-addr 192.0.2.10 --xclient-name unknown --helo mail.client.example.com --data "$U/in0.eml" </dev/null 2>&1)
if f=$(sink_find "X-Test-Token: in0") && [ -n "$(ours "$f")" ] && [ "$(signatures "$f")" -eq 0 ]; then
  ok "port 25 from outside: verified ($(ours "$f" | grep -o 'spf=[a-z]*')), not signed"
else bad "port 25 from outside: A-R '$(ours "${f:-/dev/null}")', $(signatures "${f:-/dev/null}") signature(s)"; fi

# 5. SMTP from 127.0.0.1 without Date and Message-ID.
msg local0 app@rsa.example no-id > "$U/local0.eml"
swaks --server 127.0.0.1 --port $P_SMTPD --from app@rsa.example --to rcpt@dest.example --data "$U/local0.eml" \
  </dev/null >/dev/null 2>&1
if r=$(verify local0 rsa.example=rsa-sha256) && f=$(sink_find "X-Test-Token: local0") &&
   [ -n "$(fields "$f" Message-ID)" ] && [ -n "$(fields "$f" Date)" ]; then
  ok "SMTP from 127.0.0.1 without Date/Message-ID: delivered with Postfix's, signature verifies"
else bad "SMTP from 127.0.0.1 without Date/Message-ID: ${r:-not delivered}"; fi

# 6. sendmail(1) without Date and Message-ID.
msg cron0 cron@ed.example no-id | tr -d '\r' | sendmail -C "$R/etc" -f cron@ed.example rcpt@dest.example \
  || bad "sendmail failed"
if r=$(verify cron0 ed.example=ed25519-sha256); then ok "sendmail without Date/Message-ID: signed (ed25519-sha256), verifies as delivered"
else bad "sendmail: $r"; fi

# 7. A bounce made by Postfix (the recipient's transport is error:5.1.1).
out=$(submit $P_SUB bounce0 alice@rsa.example "${auth[@]}" --to nobody@bounce.test)
f=$(sink_find "X-Test-Token: bounce0")
if [ -n "$f" ] && grep -qE '^From: .*MAILER-DAEMON@test.local' "$f" && r=$(verify bounce0 test.local=rsa-sha256); then
  ok "Postfix's bounce signed for test.local (internal_mail_filter_classes = bounce), verifies"
else
  bad "bounce: ${f:-not at the sink} ${r:-}"
  [ -n "$f" ] && grep -E '^(From|DKIM-Signature):' "$f"
  grep -E 'bounce|MAILER-DAEMON|milter' "$R/log/maillog" | tail -8
  tail -5 "$U/verifier.log"
fi

# 8. SIGHUP with the key file missing: the running keys stay, the log names the file.
mv "$U/keys/r1.private" "$U/keys/r1.away"
kill -HUP "$VERIFIER_PID"; sleep 1
grep -q "r1.private" <(tail -5 "$U/verifier.log") && ok "reload without the key file refused, naming it" \
  || bad "reload without the key: no log line naming r1.private"
out=$(submit $P_SUB hup0 alice@rsa.example "${auth[@]}")
r=$(verify hup0 rsa.example=rsa-sha256) && ok "after the refused reload mail is still signed" || bad "after the refused reload: $r"

# 9. The milter down because the key is missing: 4xx, nothing unsigned, nothing lost.
stop_verifier || bad "verifier did not stop on SIGTERM"
"$POSTSEAL" verifier -c "$U/postseal.toml" --foreground --listen "unix:$U/policy.sock" --milter "unix:$SOCK" \
  --dns "127.0.0.1@$DNS" --user nobody > "$U/refused.log" 2>&1 </dev/null
rc=$?
[ $rc -ne 0 ] && grep -q "r1.private" "$U/refused.log" && ok "start with the key file missing refused (exit $rc), naming the file" \
  || bad "start without the key: exit $rc: $(tail -2 "$U/refused.log")"
out=$(submit $P_SUB down0 alice@rsa.example "${auth[@]}")
echo "$out" | grep -qE '^<\*\* +4[0-9][0-9] ' && ok "milter down: the submission gets $(echo "$out" | grep -oE '^<\*\* +4[0-9.]+ [0-9.]*' | head -1 | tr -s ' ')" \
  || bad "milter down: submission not tempfailed: $(echo "$out" | grep -E '^<(\*\*|-) ' | tail -1)"
msg wait0 cron@rsa.example | tr -d '\r' | sendmail -C "$R/etc" -f cron@rsa.example rcpt@dest.example || bad "sendmail failed"
sleep 3
grep -lqE "X-Test-Token: (down|wait)0" "$R"/sink/* 2>/dev/null && bad "a message was delivered while the milter was down" \
  || ok "nothing delivered while the milter was down"
mv "$U/keys/r1.away" "$U/keys/r1.private"
start_milter || die "the milter did not start again"
msg after0 cron@rsa.example | tr -d '\r' | sendmail -C "$R/etc" -f cron@rsa.example rcpt@dest.example || bad "sendmail failed"
# pickup(8) retries a maildrop file its cleanup could not take at its next scan: the one
# after0's postdrop asks for, else its own timer (60 s); under a loaded CI run the first
# could miss it, so pickup is woken (postkick, as postdrop does) while we wait, up to 90 s.
for _ in $(seq 1 9); do
  grep -lqF "X-Test-Token: wait0" "$R"/sink/* 2>/dev/null && break
  postkick -c "$R/etc" public pickup W 2>/dev/null; sleep 10
done
if r=$(verify wait0 rsa.example=rsa-sha256); then ok "the sendmail message that waited arrives signed once the milter is back"
else bad "waiting message: $r"; grep -E 'wait0|pickup|milter' "$R/log/maillog" 2>/dev/null | tail -6; fi
verify after0 rsa.example=rsa-sha256 >/dev/null || bad "the message after the restart is not signed"

stop_verifier && ok "postseal verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
echo "milter_sign_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

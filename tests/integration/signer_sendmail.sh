#!/bin/bash
# signer_sendmail.sh - mail submitted with sendmail(1) (cron, web applications: postdrop ->
# pickup) is DKIM-signed, with Postfix wired by conf/postfix/signer-main.cf and
# signer-master.cf pasted as shipped (their pickup line replacing the instance's; only the
# submission listeners moved to test ports). The message reaches the sink once, carries one
# DKIM-Signature (d=rsa.example, a=rsa-sha256) that dkimpy verifies, and the signer logged it.
# Ports as signer/common.sh (filter 10027, reinjection 10028, sink 2526); submission 2547/2548.
. "$POSTSEAL_SRC/tests/integration/signer/common.sh"
R=/var/tmp/postseal-it-sendmail
cleanup() { stop_filter; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM

pf_init "$R" "$P_SINK" || fail "pf_init"
pf_main "bounce_queue_lifetime = 0" "delay_warning_time = 0"
sed -e 's/^submission inet/127.0.0.1:2547 inet/' -e 's/^submissions inet/127.0.0.1:2548 inet/' \
  "$POSTSEAL_SRC/conf/postfix/signer-master.cf" > "$R/signer-master.cf"
grep -q '^pickup ' "$R/signer-master.cf" || fail "conf/postfix/signer-master.cf has no pickup service"
pf_paste "$POSTSEAL_SRC/conf/postfix/signer-main.cf" "$R/signer-master.cf" || fail "pasting the snippets"
[ "$(grep -c '^pickup ' "$R/etc/master.cf")" -eq 1 ] || fail "pickup is not defined exactly once"
make_keys "$R/keys"
pf_sink_start "$P_SINK" || fail "smtp-sink did not start"
pf_start || fail "postfix did not start"
start_filter "$R/log/signer.log" --relay 127.0.0.1:$P_REINJECT --key rsa.example:r1:$R/keys/r1.private

printf 'From: Cron Daemon <cron@rsa.example>\nTo: bob@dest.example\nSubject: nightly report\nX-Test-Token: sendmail0\n\nAll jobs ran.\n' \
  | sendmail -C "$R/etc" -f cron@rsa.example bob@dest.example || fail "sendmail failed"
pf_flush
pf_wait_sink 1 60 || { tail -20 "$R/log/maillog" >&2; fail "the sendmail message did not reach the sink"; }
pf_wait_queue_empty 30 || fail "queue not empty"
sleep 1
grep -q 'postfix/pickup' "$R/log/maillog" || fail "the message did not come through pickup"
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/records" sendmail 1 rsa.example=rsa-sha256 \
  || fail "the sendmail message is not signed, or its signature does not verify"
[ "$(pf_sink_count)" -eq 1 ] || fail "sink holds $(pf_sink_count) messages, expected 1"
grep -q 'DKIM-Signature added (d=rsa.example, s=r1, a=rsa-sha256)' "$R/log/signer.log" \
  || fail "the signer did not log the signature"
echo "PASS: a message submitted with sendmail went through pickup and the signer, signed and verified by dkimpy"

#!/bin/bash
# signer_postfix.sh - 100 messages through a real Postfix's dksign path (submission ->
# content_filter -> postseal signer -> reinjection smtpd -> smtp-sink) all arrive once each,
# signed, and verify with dkimpy: RSA (rsa.example), Ed25519 (ed.example), dual (dual.example).
. "$POSTSEAL_SRC/tests/integration/signer/common.sh"
R=/var/tmp/postseal-it-signer
cleanup() { stop_filter; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM

setup_postfix "$R"
make_keys "$R/keys"
start_filter "$R/log/signer.log" --relay 127.0.0.1:$P_REINJECT \
  --key rsa.example:r1:$R/keys/r1.private --key ed.example:e1:$R/keys/e1.private \
  --key dual.example:r2:$R/keys/r2.private --key dual.example:e2:$R/keys/e2.private

note "submitting 100 messages"
$PY "$HERE_SIGNER/send_messages.py" $P_SUBMIT pf 100 rsa.example,ed.example,dual.example,other.example \
  || fail "submission failed"
pf_wait_sink 100 120 || { tail -20 "$R/log/maillog" >&2; fail "not all messages reached the sink"; }
pf_wait_queue_empty 30 || fail "queue not empty"
sleep 1
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/records" pf 100 \
  rsa.example=rsa-sha256 ed.example=ed25519-sha256 dual.example=ed25519-sha256,rsa-sha256 other.example= \
  || fail "verification at the sink failed"
[ "$(pf_sink_count)" -eq 100 ] || fail "sink holds $(pf_sink_count) messages, expected exactly 100"
signed=$(grep -c "DKIM-Signature added" "$R/log/signer.log")
unsigned=$(grep -c "passed unsigned: no signing key for From domain other.example" "$R/log/signer.log")
[ "$signed" -eq 75 ] || fail "signer logged $signed signed messages, expected 75"
[ "$unsigned" -eq 25 ] || fail "signer logged $unsigned unsigned messages, expected 25"
grep -qE '^postseal/signer\[[0-9]+\]: [0-9A-F]{6,}: DKIM-Signature added \(d=rsa.example, s=r1, a=rsa-sha256\)' "$R/log/signer.log" \
  || { head -5 "$R/log/signer.log" >&2; fail "log line lacks the Postfix queue id"; }
# OpenDKIM's own line, one per signature, for log parsers written for OpenDKIM (postfix_exporter)
opendkim=$(grep -cE '^postseal/signer\[[0-9]+\]: [0-9A-F]{6,}: DKIM-Signature field added \(s=[a-z0-9]+, d=[a-z.]+\)$' "$R/log/signer.log")
dual=$(grep -c "DKIM-Signature added (d=[^;]*; d=" "$R/log/signer.log")
[ "$opendkim" -eq $((75 + dual)) ] || fail "signer logged $opendkim OpenDKIM lines, expected one per signature: $((75 + dual))"
echo "PASS: 100 messages delivered once each; 75 signed (RSA, Ed25519, dual) and verified by dkimpy, 25 passed unsigned"

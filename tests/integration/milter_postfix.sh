#!/usr/bin/env bash
# milter_postfix.sh - the milter front end (`postseal verifier --milter`) with a real Postfix
# (smtpd_milters) and a real unbound holding SPF and DKIM key records.
# Client addresses are set with XCLIENT (Postfix re-announces the client to its milters).
# Checks: an SPF-fail sender is refused at RCPT with 550 5.7.23, a temperror (the sender
# domain's server refuses) deferred with 450 4.7.1; an SPF pass is delivered with
# Received-SPF: pass and Authentication-Results spf=pass; DKIM rsa-sha256 good -> dkim=pass,
# tampered body -> dkim=fail, ed25519-sha256 (signed by dkimpy) -> dkim=pass; a forged
# Authentication-Results claiming our authserv-id is removed, a foreign one kept; only one A-R
# with our id in the delivered message; a message with a 70,000-octet header field is delivered
# with our A-R, not tempfailed (Postfix 3.7 with a milter keeps ~60,000 octets of it; the
# packet over libmilter's 64 KiB default is milter_wire.py's case); the
# milter logs one line per delivered message with Postfix's queue id and every result
# ("QUEUEID: milter: spf=pass ...; dkim=pass ..."), never NOQUEUE at end of message.
# Ports: Postfix 2801, smtp-sink 2803, milter 10041, unbound 5354. Runs as root.
set -uo pipefail
P_SMTPD=2801 P_SINK=2803 MILTER=10041 DNS=5354
FE_NAME=milter FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
/usr/bin/python3 -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) must be installed"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"

# the front-end records, plus a sender domain whose server refuses (-> SPF temperror)
{ cat "$HERE/unbound-data.conf"; echo 'local-zone: "refused.example." refuse'; } > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"
"$POSTSEAL" verifier --foreground --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" \
  --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen $MILTER $VERIFIER_PID || die "postseal verifier --milter did not start"

fe_postfix $P_SINK
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
fe_start $P_SINK

# 1. SPF fail: refused at RCPT.
message spf-fail > "$R/fail.eml"
out=$(send user@spf-pass.example.com 198.51.100.5 "$R/fail.eml")
if echo "$out" | grep -q '<\*\* *550 5.7.23 '; then ok "SPF fail refused with 550 5.7.23"
else bad "SPF fail not refused with 550 5.7.23"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 2-5. The deliveries every front end must get right (frontends/deliveries.sh).
check_deliveries

# 6. SPF temperror (the sender domain's DNS server refuses): deferred at RCPT, not delivered.
message spf-temperror > "$R/temp.eml"
out=$(send user@refused.example 198.51.100.5 "$R/temp.eml")
if echo "$out" | grep -qE '<\*\* *450 4\.7\.1 .*temperror'; then ok "SPF temperror deferred at RCPT with 450 4.7.1"
else bad "temperror not deferred with 450 4.7.1"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 7. A 70,000-octet header field (folded every 100 octets): one milter packet over 64 KiB.
{ printf 'From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\n'
  printf 'Message-ID: <long-field@dkim.example>\r\nX-Long: '
  /usr/bin/python3 -c 'import sys; sys.stdout.write("\r\n\t".join(["a" * 98] * 700))'
  printf '\r\n\r\nbody\r\n'; } > "$R/long.eml"
out=$(send user@dkim.example 192.0.2.10 "$R/long.eml")
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
  bad "70,000-octet header field: refused: $(echo "$out" | grep -E '^ *<\*\*' | head -1 | tr -s ' ')"
elif f=$(sink_find "<long-field@dkim.example>") && [ -n "$(ours "$f")" ]; then
  ok "70,000-octet header field delivered through the milter with our A-R ($(fields "$f" X-Long | wc -c) octets kept)"
else bad "70,000-octet header field not delivered with our A-R"; fi

# 8. One log line per delivered message, with Postfix's queue id and the results.
qid=$(grep -F 'message-id=<rsa-good@dkim.example>' "$R/log/maillog" | head -1 | sed -E 's/.*: ([0-9A-F]+): message-id=.*/\1/')
line=$(grep -E "^.*${qid:-NONE}: milter: spf=" "$U/verifier.log" | head -1)
if [ -n "$qid" ] && echo "$line" | grep -q "spf=pass .*smtp.mailfrom=user@dkim.example" &&
   echo "$line" | grep -q "dkim=pass header.d=dkim.example"; then ok "log line with queue id $qid: ${line#*: }"
else bad "no log line '$qid: milter: spf=pass ...; dkim=pass ...' (got '$line')"; grep -F "milter:" "$U/verifier.log" | head -3; fi
if grep -q "NOQUEUE: milter: spf=" "$U/verifier.log"; then bad "NOQUEUE in an end-of-message log line"
else ok "no end-of-message log line says NOQUEUE"; fi

stop_verifier && ok "postseal verifier --milter stops on SIGTERM within 5 s" || bad "verifier did not stop on SIGTERM"
echo "milter_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

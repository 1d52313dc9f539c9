#!/usr/bin/env bash
# milter_dmarc.sh - DMARC (RFC 9989) in the milter front end with a real Postfix (smtpd_milters)
# and a real unbound holding SPF, DKIM and DMARC records, [dmarc] enable = true.
# Client addresses are set with XCLIENT. Checks: a From-domain spoof of a p=reject domain
# (SPF pass for an unaligned MAIL FROM) is refused at end of DATA with "550 5.7.1 Email
# rejected per DMARC policy for DOMAIN"; a p=quarantine spoof is accepted and put on hold
# (`postqueue -p` shows it with "!"); an aligned DKIM pass (dkimpy-signed) with no SPF pass is
# delivered with dmarc=pass header.from=; p=reject with t=y is lowered to quarantine (held);
# with enforce = "monitor" the p=reject spoof is delivered with "dmarc=fail ...
# policy.dmarc=reject" in our Authentication-Results.
# Ports: Postfix 2831, smtp-sink 2833, milter 10045, unbound 5359. Runs as root.
set -uo pipefail
P_SMTPD=2831 P_SINK=2833 MILTER=10045 DNS=5359
FE_NAME=milter-dmarc FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
/usr/bin/python3 -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) must be installed"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"

cat "$HERE/unbound-data.conf" "$HERE/unbound-dmarc.conf" > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"

# start_milter NAME TOML - (re)start `postseal verifier --milter` with a config file.
start_milter() {
  local name=$1 toml=$2
  stop_verifier || bad "verifier before config $name did not stop on SIGTERM"
  pf_wait_closed "$MILTER" || die "milter port $MILTER still busy"
  printf '%s\n' "$toml" > "$U/$name.toml"
  "$POSTSEAL" verifier --foreground --config "$U/$name.toml" --listen "unix:$U/policy-$name.sock" \
    --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
    > "$U/verifier-$name.log" 2>&1 &
  VERIFIER_PID=$!
  wait_listen $MILTER $VERIFIER_PID || die "postseal verifier --milter with config $name did not start"
}

# spoof TOKEN DOMAIN - a message whose From is ceo@DOMAIN (CRLF) on stdout.
spoof() {
  printf 'From: CEO <ceo@%s>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$2" "$1"
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@dmarc.test>\r\n' "$1"
  printf '\r\nPlease pay the invoice (%s).\r\n' "$1"
}

# held TOKEN - 0 when the queue holds a message on hold ("!") whose id is the one Postfix
# logged for TOKEN's Message-ID (waits up to 10 s).
held() {
  local i qid
  for i in $(seq 1 100); do
    qid=$(grep -F "message-id=<$1@dmarc.test>" "$R/log/maillog" 2>/dev/null | head -1 |
      sed -E 's/.*: ([0-9A-F]+): message-id=.*/\1/')
    if [ -n "$qid" ] && postqueue -c "$R/etc" -p 2>/dev/null | grep -qE "^${qid}!"; then return 0; fi
    sleep 0.1
  done
  return 1
}

fe_postfix $P_SINK
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
start_milter enforce-policy $'[dmarc]\nenable = true'
fe_start $P_SINK

# 1. p=reject spoof (SPF passes for an unaligned MAIL FROM): 550 5.7.1 at end of DATA.
spoof spoof-reject reject.example > "$R/reject.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/reject.eml")
if echo "$out" | grep -q '<\*\* *550 5.7.1 Email rejected per DMARC policy for reject.example'; then
  ok "p=reject spoof refused with 550 5.7.1 (RFC 9989 7.2 text)"
else bad "p=reject spoof not refused with 550 5.7.1"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 2. p=quarantine spoof: accepted and held.
spoof spoof-quarantine quarantine.example > "$R/quarantine.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/quarantine.eml")
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then bad "p=quarantine spoof refused"
elif held spoof-quarantine; then ok "p=quarantine spoof accepted and on hold (postqueue -p shows '!')"
else bad "p=quarantine spoof not on hold"; postqueue -c "$R/etc" -p | head -5; fi

# 3. Aligned DKIM pass, no SPF pass (the sender domain publishes no SPF): delivered, dmarc=pass.
message dkim-aligned | sign "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" sel2048 rsa-sha256 \
  > "$R/aligned.eml" || die "dkimpy signing failed"
out=$(send bounce@nospf.example 192.0.2.10 "$R/aligned.eml")
if f=$(sink_find dkim-aligned); then
  a=$(ours "$f")
  echo "$a" | grep -qE 'dmarc=pass header.from=dkim.example' && ok "aligned DKIM pass: delivered with dmarc=pass" ||
    { bad "aligned DKIM pass: no dmarc=pass in our A-R"; echo "$a"; }
else bad "aligned DKIM pass not delivered"; echo "$out" | grep -E '^ *<' | tail -3; fi

# 4. p=reject with t=y: lowered to quarantine, held.
spoof spoof-testing testing.example > "$R/testing.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/testing.eml")
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then bad "t=y spoof refused (want quarantine)"
elif held spoof-testing; then ok "p=reject; t=y lowered to quarantine: on hold"
else bad "t=y spoof not on hold"; fi

# 5. enforce = "monitor": the p=reject spoof is delivered, reported only.
start_milter monitor $'[dmarc]\nenable = true\nenforce = "monitor"'
spoof spoof-monitor reject.example > "$R/monitor.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/monitor.eml")
if f=$(sink_find "<spoof-monitor@dmarc.test>"); then
  a=$(ours "$f")
  echo "$a" | grep -qE 'dmarc=fail [^;]*header.from=reject.example policy.dmarc=reject' &&
    ok "monitor: delivered with dmarc=fail policy.dmarc=reject" || { bad "monitor: no dmarc=fail in our A-R"; echo "$a"; }
else bad "monitor: spoof not delivered"; echo "$out" | grep -E '^ *<' | tail -3; fi

stop_verifier && ok "postseal verifier --milter stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
echo "milter_dmarc: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

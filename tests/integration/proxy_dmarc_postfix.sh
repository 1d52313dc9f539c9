#!/usr/bin/env bash
# proxy_dmarc_postfix.sh - DMARC (RFC 9989) in the before-queue proxy (`postseal verifier
# --proxy`, [dmarc] enable = true) with a real Postfix wired by conf/postfix/proxy-main.cf and
# proxy-master.cf as shipped, and a real unbound holding SPF, DKIM and DMARC records. Client
# addresses are set with XCLIENT; Postfix passes them to the proxy with XFORWARD. Checks: a
# From-domain spoof of a p=reject domain (SPF pass for an unaligned MAIL FROM) is refused at
# end of DATA with "550 5.7.1 Email rejected per DMARC policy for DOMAIN" and nothing reaches
# the sink; a p=quarantine spoof is relayed (the proxy has no hold queue) with "dmarc=fail ...
# policy.dmarc=quarantine" in our Authentication-Results; an aligned DKIM pass (dkimpy-signed)
# with no SPF pass is delivered with dmarc=pass; p=reject with t=y is relayed with
# policy.dmarc=quarantine; with enforce = "monitor" the p=reject spoof is delivered with
# "dmarc=fail ... policy.dmarc=reject"; the reject is logged with its DMARC result.
# Ports: Postfix 2871, after-filter smtpd 10026 and proxy 10025 (the shipped snippets' ports),
# smtp-sink 2873, unbound 5371. Runs as root.
set -uo pipefail
P_SMTPD=2871 P_SINK=2873 P_PROXY=10025 P_AFTER=10026 DNS=5371
FE_NAME=proxy-dmarc FE_PORTS="$P_SMTPD $P_SINK $P_PROXY $P_AFTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
/usr/bin/python3 -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) must be installed"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"

cat "$HERE/unbound-data.conf" "$HERE/unbound-dmarc.conf" > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"

# start_proxy NAME TOML - (re)start `postseal verifier --proxy` with a config file.
start_proxy() {
  local name=$1 toml=$2
  stop_verifier || bad "verifier before config $name did not stop on SIGTERM"
  pf_wait_closed "$P_PROXY" || die "proxy port $P_PROXY still busy"
  printf '%s\n' "$toml" > "$U/$name.toml"
  "$POSTSEAL" verifier --foreground --config "$U/$name.toml" --listen "unix:$U/policy-$name.sock" \
    --proxy --proxy-listen "127.0.0.1:$P_PROXY" --proxy-relay "127.0.0.1:$P_AFTER" \
    --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier-$name.log" 2>&1 &
  VERIFIER_PID=$!
  wait_listen $P_PROXY $VERIFIER_PID || die "postseal verifier --proxy with config $name did not start"
}

# spoof TOKEN DOMAIN - a message whose From is ceo@DOMAIN (CRLF) on stdout.
spoof() {
  printf 'From: CEO <ceo@%s>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$2" "$1"
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@dmarc.test>\r\n' "$1"
  printf '\r\nPlease pay the invoice (%s).\r\n' "$1"
}

# refused_at_data OUT CODE - swaks' transcript shows CODE as the answer to the end of DATA.
refused_at_data() { echo "$1" | grep -A3 -- '-> \.$' | grep -qE "^<\*\* +$2"; }

# delivered_with TOKEN REGEX WHAT - the message TOKEN reached the sink and our A-R matches.
delivered_with() {
  local f a
  if f=$(sink_find "<$1@"); then
    a=$(ours "$f")
    if echo "$a" | grep -qE "$2"; then ok "$3"; else bad "$3: our A-R does not match $2"; echo "$a"; fi
  else
    bad "$3: not delivered"
  fi
}

fe_postfix $P_SINK
# The sample configuration as a user pastes it; only the public listener's port differs.
grep -v '^#' "$POSTSEAL_SRC/conf/postfix/proxy-main.cf" | grep . >> "$R/etc/main.cf"
sed "s/^smtp      inet/127.0.0.1:$P_SMTPD inet/" "$POSTSEAL_SRC/conf/postfix/proxy-master.cf" >> "$R/etc/master.cf"
grep -q "^127.0.0.1:$P_SMTPD inet" "$R/etc/master.cf" || die "conf/postfix/proxy-master.cf has no 'smtp      inet' line"
start_proxy enforce-policy $'[dmarc]\nenable = true'
fe_start $P_SINK
pf_wait_master $P_AFTER || die "after-filter smtpd not listening"

# 1. p=reject spoof (SPF passes for an unaligned MAIL FROM): 550 5.7.1 at end of DATA.
spoof spoof-reject reject.example > "$R/reject.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/reject.eml")
if refused_at_data "$out" '550 5\.7\.1 Email rejected per DMARC policy for reject\.example'; then
  ok "p=reject spoof refused at end of DATA with 550 5.7.1"
else bad "p=reject spoof not refused with 550 5.7.1"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 2. p=quarantine spoof: relayed, marked in our Authentication-Results (no hold queue here).
spoof spoof-quarantine quarantine.example > "$R/quarantine.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/quarantine.eml")
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then bad "p=quarantine spoof refused"
else delivered_with spoof-quarantine 'dmarc=fail [^;]*header.from=quarantine.example policy.dmarc=quarantine' \
  "p=quarantine spoof relayed with dmarc=fail policy.dmarc=quarantine"; fi

# 3. Aligned DKIM pass, no SPF pass (the sender domain publishes no SPF): delivered, dmarc=pass.
message dkim-aligned | sign "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" sel2048 rsa-sha256 \
  > "$R/aligned.eml" || die "dkimpy signing failed"
send bounce@nospf.example 192.0.2.10 "$R/aligned.eml" >/dev/null
delivered_with dkim-aligned 'dmarc=pass header.from=dkim.example' "aligned DKIM pass delivered with dmarc=pass"

# 4. p=reject with t=y: lowered to quarantine, relayed.
spoof spoof-testing testing.example > "$R/testing.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/testing.eml")
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then bad "t=y spoof refused (want quarantine)"
else delivered_with spoof-testing 'dmarc=fail [^;]*header.from=testing.example policy.dmarc=quarantine' \
  "p=reject; t=y lowered to quarantine"; fi

grep -qE 'rejected: 550 5\.7\.1 Email rejected per DMARC policy for reject\.example .*dmarc=fail' \
  "$U/verifier-enforce-policy.log" && ok "DMARC reject logged with its result" || bad "no DMARC reject log line"

# 5. enforce = "monitor": the p=reject spoof is delivered, reported only.
start_proxy monitor $'[dmarc]\nenable = true\nenforce = "monitor"'
spoof spoof-monitor reject.example > "$R/monitor.eml"
send user@spf-pass.example.com 192.0.2.10 "$R/monitor.eml" >/dev/null
delivered_with spoof-monitor 'dmarc=fail [^;]*header.from=reject.example policy.dmarc=reject' \
  "monitor: p=reject spoof delivered with dmarc=fail policy.dmarc=reject"

pf_wait_queue_empty 30 || bad "queue not empty"
grep -l -F '<spoof-reject@dmarc.test>' "$R"/sink/* >/dev/null 2>&1 && bad "the rejected spoof reached the sink" ||
  ok "the rejected spoof was not relayed"

stop_verifier && ok "postseal verifier --proxy stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
echo "proxy_dmarc_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

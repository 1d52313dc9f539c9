#!/usr/bin/env bash
# proxy_postfix.sh - the before-queue proxy filter (`postseal verifier --proxy`) with a real
# Postfix (smtpd_proxy_filter = 127.0.0.1:10025, after-filter smtpd on 127.0.0.1:10026), a real
# unbound holding SPF and DKIM key records, and smtp-sink. Client addresses are set with
# XCLIENT; Postfix passes them to the proxy with XFORWARD.
# Checks: an SPF-fail sender is refused at end of DATA with 550 5.7.23 and nothing reaches the
# sink or the queue; with --mail-from-reject softfail a softfail sender is refused too (the
# configured policy); a temperror (the sender domain's server refuses) answers 451 4.4.3; an
# SPF pass is delivered with Received-SPF: pass and Authentication-Results spf=pass; DKIM
# rsa-sha256 good -> dkim=pass header.d/s/a/b, tampered body -> dkim=fail, ed25519-sha256
# (signed by dkimpy) -> dkim=pass; forged Authentication-Results claiming our authserv-id
# (interleaved, two spellings) are removed and a foreign one is kept; `\n.\r\n` in DATA
# (SMTP smuggling) stays one message with the snippets' smtpd_forbid_bare_newline; SIGTERM
# stops it.
# Ports: Postfix 2811, after-filter smtpd 10026, proxy 10025, smtp-sink 2813, unbound 5356.
# Postfix is wired with conf/postfix/proxy-main.cf and proxy-master.cf as shipped. Runs as root.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: proxy_postfix.sh must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
/usr/bin/python3 -c 'import dkim' 2>/dev/null || { echo "FAIL: python3-dkim (dkimpy) must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
. "$POSTSEAL_SRC/tests/lib/mailcheck.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"

P_SMTPD=2811 P_AFTER=10026 P_PROXY=10025 P_SINK=2813 DNS=5356
FRONT="$POSTSEAL_SRC/tests/integration/frontends"
R=$(mktemp -d /var/tmp/postseal-proxy-it.XXXXXX)
U=$(mktemp -d /var/tmp/postseal-proxy-dns.XXXXXX)  # not under $R: pf_init wipes $R
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

for p in $P_SMTPD $P_AFTER $P_PROXY $P_SINK; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "port $p is already in use"
done

# DNS: the front-end records, plus a sender domain whose server refuses (-> SPF temperror).
{ cat "$FRONT/unbound-data.conf"
  echo 'local-zone: "refused.example." refuse'
  echo "local-data: 'softfail-proxy.example.com. TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"'"; } > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"
"$POSTSEAL" verifier --listen "unix:$U/policy.sock" --proxy --proxy-listen "127.0.0.1:$P_PROXY" \
  --proxy-relay "127.0.0.1:$P_AFTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
  --mail-from-reject softfail --foreground > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen $P_PROXY $VERIFIER_PID || die "postseal verifier --proxy did not start"

pf_init "$R" $P_SINK || die "pf_init"
pf_main "relay_domains = dest.example" \
  "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
  "smtpd_relay_restrictions = reject_unauth_destination"
# The sample configuration as a user pastes it; only the public listener's port differs.
grep -v '^#' "$POSTSEAL_SRC/conf/postfix/proxy-main.cf" | grep . >> "$R/etc/main.cf"
sed "s/^smtp      inet/127.0.0.1:$P_SMTPD inet/" "$POSTSEAL_SRC/conf/postfix/proxy-master.cf" >> "$R/etc/master.cf"
grep -q "^127.0.0.1:$P_SMTPD inet" "$R/etc/master.cf" || die "conf/postfix/proxy-master.cf has no 'smtp      inet' line"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"
pf_wait_master $P_AFTER || die "after-filter smtpd not listening"

# refused_at_data OUT CODE - swaks' transcript shows CODE as the answer to the end of DATA.
refused_at_data() { echo "$1" | grep -A3 -- '-> \.$' | grep -qE "^<\*\* +$2"; }

# 1. SPF fail: refused at end of DATA, nothing delivered or queued.
message spf-fail > "$R/fail.eml"
out=$(send user@spf-pass.example.com 198.51.100.5 "$R/fail.eml")
if refused_at_data "$out" '550 5\.7\.23 '; then ok "SPF fail refused at end of DATA with 550 5.7.23"
else bad "SPF fail not refused with 550 5.7.23 at end of DATA"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 2. The configured policy (--mail-from-reject softfail): softfail refused too.
message spf-softfail > "$R/soft.eml"
out=$(send user@softfail-proxy.example.com 198.51.100.5 "$R/soft.eml")
if refused_at_data "$out" '550 5\.7\.23 '; then ok "softfail refused with --mail-from-reject softfail"
else bad "softfail not refused"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 3. temperror: the sender domain's DNS server refuses -> 451 4.4.3, nothing delivered.
message spf-temperror > "$R/temp.eml"
out=$(send user@refused.example 198.51.100.5 "$R/temp.eml")
if refused_at_data "$out" '451 4\.4\.3 '; then ok "SPF temperror deferred at end of DATA with 451 4.4.3"
else bad "temperror not deferred with 451 4.4.3"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 4-7. The deliveries every front end must get right (frontends/deliveries.sh).
check_deliveries
grep -q 'removed 2 forged Authentication-Results' "$U/verifier.log" && ok "forged: removal logged" || bad "forged: removal not logged"

# 8. Nothing of the refused messages anywhere; exactly the four accepted ones at the sink.
pf_wait_queue_empty 30 || bad "queue not empty"
grep -l -e spf-fail -e spf-softfail -e spf-temperror "$R"/sink/* >/dev/null 2>&1 && bad "a refused message reached the sink" || ok "refused messages not relayed"
[ "$(pf_sink_count)" -eq 4 ] && ok "exactly the 4 accepted messages delivered" || bad "sink holds $(pf_sink_count) messages, want 4"
grep -qE 'rejected: 550 5\.7\.23 .*spf=fail' "$U/verifier.log" && ok "reject logged with its SPF result" || bad "no reject log line"

# 9. SMTP smuggling: `\n.\r\n` inside DATA does not end it, so one message arrives (the
#    would-be second message is body text of the first) and none from the smuggled sender.
/usr/bin/python3 "$POSTSEAL_SRC/tests/blackbox/proxy/smuggle.py" $P_SMTPD 192.0.2.10 > "$R/smuggle.out" 2>&1 \
  || bad "smuggling probe: no answer to DATA ($(tail -3 "$R/smuggle.out"))"
pf_wait_sink 5 30; pf_wait_queue_empty 30
pf_wait_sink 6 5 2>/dev/null  # a smuggled second message would arrive now; give it 5 s
if f=$(sink_find smuggle-outer) && grep -q '^smuggled' "$f"; then ok "smuggling: one message, the smuggled part stays in its body"
else bad "smuggling: no single message holding the smuggled text"; cat "$R/smuggle.out"; fi
inner=$(for f in "$R"/sink/*; do grep -q smuggle-inner "$f" && ! grep -q smuggle-outer "$f" && echo "$f"; done)
[ -z "$inner" ] && ok "smuggling: no smuggled message delivered" || bad "smuggling: a second, smuggled message was delivered"
[ "$(pf_sink_count)" -eq 5 ] && ok "smuggling: exactly one more message at the sink" || bad "sink holds $(pf_sink_count) messages, want 5"

stop_verifier && ok "postseal verifier --proxy stops on SIGTERM within 5 s" || bad "verifier did not stop on SIGTERM"
echo "proxy_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

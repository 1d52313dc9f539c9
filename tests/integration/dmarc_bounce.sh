#!/usr/bin/env bash
# dmarc_bounce.sh - bounces of DMARC report mail suppress the rua address, through a real
# Postfix (docs/dmarc.md "Bounces"):
#  1. the milter ([dmarc] enable, report_record; records in a real unbound) counts a spoof of
#     bounce.example, whose record asks for reports at gone@bounce.example and at
#     agg@ok.example (which authorizes it by its _report._dmarc record);
#  2. `postseal dmarc report --send` hands both reports to Postfix's sendmail with the envelope
#     sender dmarc.report_bounce_address (dmarc-bounces@example.org, the address the shipped
#     snippet names); bounce.example is local to this Postfix, whose local delivery is the
#     error transport (5.1.1), so gone@ bounces; agg@ goes to smtp-sink;
#  0. before the snippets are pasted, a plain message from the bounce address to
#     gone@bounce.example bounces to smtp-sink: this Postfix's own DSN, kept to be fed to the
#     command by hand (--log stderr) and to be forged later; fed now, it suppresses nothing
#     (no report was sent to gone@ yet);
#  3. Postfix's DSN of the report reaches `postseal dmarc bounce` through
#     conf/postfix/dmarc-bounce-main.cf and -master.cf pasted as shipped (only the binary's
#     path and a -c config file substituted; Postfix reloaded): a pipe(8) service running as
#     user postseal (made here as debian/postinst makes it, when absent), which suppresses
#     gone@bounce.example in the SQLite store;
#  4. a second report run says "gone@bounce.example: not sent: suppressed", agg@ok.example is
#     "already sent" (not suppressed); the kept DSN fed by hand now gives the log line naming
#     the report that bounced;
#  5. a forged DSN for an address never reported to, sent to the bounce address, is delivered
#     to the pipe and changes nothing (`postseal dmarc suppress --remove` finds nothing);
#  6. the command's exit statuses: 75 when the store cannot be opened, 78 for a config error,
#     0 for a message that is no DSN and for one over 10 MiB (discarded).
# Ports: free loopback ports. Runs as root (private Postfix instance).
set -uo pipefail
. "$POSTSEAL_SRC/tests/lib/ports.sh"
read -r P_SMTPD P_SINK MILTER DNS < <(free_ports 4)
FE_NAME=dmarc-bounce FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"
SNIP=$POSTSEAL_SRC/conf/postfix
BOUNCE=dmarc-bounces@example.org
DAY=$(date -u +%F)

# the postseal system user, as debian/postseal.postinst makes it
getent passwd postseal >/dev/null || adduser --quiet --system --group --no-create-home \
  --home /var/lib/postseal --gecos "postseal sender authentication" postseal || die "adduser postseal"
runuser -u postseal -- test -x "$POSTSEAL" || die "$POSTSEAL is not executable by user postseal"

# DNS: the spoofed domain's record with two rua addresses, and ok.example's authorization
cat "$HERE/unbound-data.conf" - > "$U/data.conf" <<'EOT'
local-data: '_dmarc.bounce.example. TXT "v=DMARC1; p=none; rua=mailto:gone@bounce.example,mailto:agg@ok.example"'
local-data: 'bounce.example._report._dmarc.ok.example. TXT "v=DMARC1"'
EOT
unbound_start "$U" DNS "$U/data.conf" || die "unbound did not start"

# the store's directory belongs to postseal (the verifier and the pipe run as postseal)
install -d -o postseal -g postseal -m 0755 "$U/state"
# report_sendmail: Postfix's sendmail for this instance (-C: its configuration directory)
printf '#!/bin/sh\nexec /usr/sbin/sendmail -C %s "$@"\n' "$R/etc" > "$U/sendmail"
chmod 755 "$U/sendmail"
cat > "$U/postseal.toml" <<EOT
[dmarc]
enable = true
report_record = true
report_email = "dmarc-reports@mx.test.local"
report_bounce_address = "$BOUNCE"
report_sendmail = "$U/sendmail"

[state]
path = "$U/state/state.db"
EOT
chmod 644 "$U/postseal.toml"

fe_postfix "$P_SINK"
sed -i '/^mydestination/d' "$R/etc/main.cf"
pf_main "mydestination = bounce.example"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
sed "s|argv=/usr/bin/postseal dmarc bounce|argv=$POSTSEAL dmarc bounce -c $U/postseal.toml|" \
  "$SNIP/dmarc-bounce-master.cf" > "$U/dmarc-bounce-master.cf"
grep -q "argv=$POSTSEAL dmarc bounce -c" "$U/dmarc-bounce-master.cf" || die "the master.cf snippet changed: argv not found"

# 1. the verifier (as postseal) counts a spoof of bounce.example
setpriv --reuid postseal --regid postseal --clear-groups -- "$POSTSEAL" verifier --foreground \
  --config "$U/postseal.toml" --listen "unix:$U/state/policy.sock" --milter "127.0.0.1:$MILTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
wait_listen "$MILTER" "$VERIFIER_PID" || die "postseal verifier --milter did not start"
fe_start "$P_SINK"

# 0. this Postfix's DSN for gone@bounce.example, caught at the sink (no snippet pasted yet)
printf 'From: %s\nTo: gone@bounce.example\nSubject: probe\n\nprobe\n' "$BOUNCE" |
  /usr/sbin/sendmail -C "$R/etc" -f "$BOUNCE" gone@bounce.example || die "sendmail of the probe failed"
dsn=$(sink_find 'Final-Recipient: rfc822; gone@bounce.example') || die "no DSN for the probe at the sink"
awk 'f || !/^X-/ { f = 1; print }' "$dsn" > "$U/dsn.eml"  # less smtp-sink's X- envelope lines
grep -q '^Action: failed' "$U/dsn.eml" && grep -q '^Status: 5.1.1' "$U/dsn.eml" &&
  ok "Postfix's DSN for gone@bounce.example: Action failed, Status 5.1.1" || { bad "the DSN"; cat "$U/dsn.eml"; }
"$POSTSEAL" dmarc bounce --log stderr --queue-id 4PROBE -c "$U/postseal.toml" < "$U/dsn.eml" > "$U/bounce-probe.log" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '4PROBE: dmarc bounce: gone@bounce.example: not suppressed: no report sent to it in the last 30 days (5.1.1)' "$U/bounce-probe.log" &&
  ok "that DSN by hand before any report: exit 0, not suppressed (no report sent to it)" ||
  { bad "the probe DSN by hand (exit $rc)"; cat "$U/bounce-probe.log"; }

pf_paste "$SNIP/dmarc-bounce-main.cf" "$U/dmarc-bounce-master.cf" || die "cannot paste the snippets"
[ "$(postconf -c "$R/etc" -h transport_maps)" = "inline:{ $BOUNCE=postseal-dmarc-bounce: }" ] ||
  die "transport_maps is not the snippet's: $(postconf -c "$R/etc" -h transport_maps)"
pf_reload || die "postfix reload failed"
sleep 1
printf 'From: CEO <ceo@bounce.example>\r\nTo: rcpt@dest.example\r\nSubject: spoof\r\nMessage-ID: <spoof@dmarc.test>\r\n\r\nbody\r\n' > "$R/spoof.eml"
send user@spf-pass.example.com 192.0.2.10 "$R/spoof.eml" > "$U/send.log"
f=$(sink_find '<spoof@dmarc.test>') && ours "$f" | grep -q 'dmarc=fail' && ok "spoof delivered with dmarc=fail (counted)" ||
  { bad "spoof not delivered with dmarc=fail"; cat "$U/send.log"; }

# 2. the reports go out with the bounce address as envelope sender (the verifier keeps the
# store open as postseal meanwhile; the run is root's, whose sendmail -C a private instance allows)
"$POSTSEAL" dmarc report --period "$DAY" --send --dns "127.0.0.1@$DNS" -c "$U/postseal.toml" > "$U/report1.log" 2>&1
grep -q '^  gone@bounce.example: sent$' "$U/report1.log" && grep -q '^  agg@ok.example: sent$' "$U/report1.log" &&
  ok "report run 1: both rua addresses sent" || { bad "report run 1"; cat "$U/report1.log"; }
f=$(sink_find 'X-Rcpt-Args: <agg@ok.example>') && grep -q "^X-Mail-Args: <$BOUNCE>" "$f" &&
  grep -q '^Subject: Report Domain: bounce.example' "$f" && grep -q '^From: dmarc-reports@mx.test.local' "$f" &&
  ok "the report reaching agg@ok.example: envelope sender $BOUNCE, From: report_email" ||
  { bad "report at the sink: envelope sender"; [ -n "$f" ] && head -12 "$f"; }

# 3. Postfix bounces gone@ (error transport, 5.1.1) to the bounce address: the pipe runs
for i in $(seq 1 300); do grep -q 'status=sent (delivered via postseal-dmarc-bounce service)' "$R/log/maillog" && break; sleep 0.1; done
grep -q 'status=sent (delivered via postseal-dmarc-bounce service)' "$R/log/maillog" &&
  ok "Postfix delivered the DSN to the postseal-dmarc-bounce pipe (exit 0)" ||
  { bad "no delivery to the pipe"; grep -E 'postseal-dmarc-bounce|pipe|bounce' "$R/log/maillog" | tail -8; }
grep -q 'to=<gone@bounce.example>.*status=bounced' "$R/log/maillog" &&
  [ "$(grep -c 'delivered via postseal-dmarc-bounce service' "$R/log/maillog")" -eq 1 ] &&
  ok "gone@bounce.example's report bounced, its DSN went to the pipe (once)" ||
  { bad "maillog"; grep -E 'gone@|postseal-dmarc-bounce' "$R/log/maillog" | tail -6; }
owner=$(stat -c %U "$U/state/state.db")
[ "$owner" = postseal ] && ok "the store file still belongs to postseal" || bad "state.db owned by $owner"

# 4. the next run skips the suppressed address, not the delivered one
"$POSTSEAL" dmarc report --period "$DAY" --send --dns "127.0.0.1@$DNS" -c "$U/postseal.toml" > "$U/report2.log" 2>&1
grep -q '^  gone@bounce.example: not sent: suppressed' "$U/report2.log" &&
  grep -q '^  agg@ok.example: already sent$' "$U/report2.log" && grep -q ' 1 suppressed,' "$U/report2.log" &&
  ok "report run 2: gone@bounce.example not sent: suppressed; agg@ok.example already sent" ||
  { bad "report run 2"; cat "$U/report2.log"; }
"$POSTSEAL" dmarc bounce --log stderr --queue-id 4TEST -c "$U/postseal.toml" < "$U/dsn.eml" > "$U/bounce-by-hand.log" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "4TEST: dmarc bounce: gone@bounce.example: suppressed for 30 days (5.1.1, aggregate report of $DAY for bounce.example bounced)" "$U/bounce-by-hand.log" &&
  ok "the kept DSN by hand now: exit 0, the log line names the report that bounced" ||
  { bad "the DSN by hand (exit $rc)"; cat "$U/bounce-by-hand.log"; }

# 5. a forged DSN for an address we never reported to: delivered to the pipe, nothing suppressed
n_before=$(grep -c 'delivered via postseal-dmarc-bounce service' "$R/log/maillog")
sed 's/gone@bounce\.example/victim@elsewhere.example/g' "$U/dsn.eml" | tr -d '\r' |
  /usr/sbin/sendmail -C "$R/etc" -f '<>' "$BOUNCE" || bad "sendmail of the forged DSN failed"
for i in $(seq 1 300); do [ "$(grep -c 'delivered via postseal-dmarc-bounce service' "$R/log/maillog")" -gt "$n_before" ] && break; sleep 0.1; done
[ "$(grep -c 'delivered via postseal-dmarc-bounce service' "$R/log/maillog")" -gt "$n_before" ] &&
  ok "the forged DSN was delivered to the pipe" || bad "the forged DSN did not reach the pipe"
"$POSTSEAL" dmarc suppress --remove victim@elsewhere.example -c "$U/postseal.toml" > "$U/lift.log" 2>&1
grep -q 'was not suppressed' "$U/lift.log" && ok "the forged DSN suppressed nothing" || { bad "forged DSN"; cat "$U/lift.log"; }

# 6. exit statuses as a pipe transport wants them (the command alone)
printf '[state]\npath = "%s/missing/state.db"\n' "$U" > "$U/no-store.toml"
"$POSTSEAL" dmarc bounce --log stderr -c "$U/no-store.toml" < "$U/dsn.eml" > "$U/exit.log" 2>&1
[ $? -eq 75 ] && grep -q 'the DSN stays queued' "$U/exit.log" && ok "a store that cannot be opened: exit 75 (Postfix retries)" ||
  { bad "no store: not 75"; cat "$U/exit.log"; }
printf '[dmarc]\nbounce_suppress_days = 366\n' > "$U/bad.toml"
"$POSTSEAL" dmarc bounce --log stderr -c "$U/bad.toml" < "$U/dsn.eml" > "$U/exit.log" 2>&1
[ $? -eq 78 ] && grep -q 'bounce_suppress_days' "$U/exit.log" && ok "a config error: exit 78" || { bad "bad config: not 78"; cat "$U/exit.log"; }
printf 'From: someone@example.com\nSubject: hello\n\nnot a DSN\n' > "$U/plain.eml"
"$POSTSEAL" dmarc bounce --log stderr -c "$U/no-store.toml" < "$U/plain.eml" > "$U/exit.log" 2>&1
[ $? -eq 0 ] && grep -q 'discarded: not a delivery status notification we can read: not multipart/report' "$U/exit.log" &&
  ok "a message that is no DSN: logged, discarded, exit 0" || { bad "no DSN"; cat "$U/exit.log"; }
head -c 11000000 /dev/zero | "$POSTSEAL" dmarc bounce --log stderr -c "$U/no-store.toml" > "$U/exit.log" 2>&1
rc=${PIPESTATUS[1]}  # head itself may die of SIGPIPE: the command stops reading at the limit
[ "$rc" -eq 0 ] && grep -q 'discarded: message over 10485760 octets' "$U/exit.log" &&
  ok "a message over 10 MiB: discarded unread, exit 0" || { bad "over 10 MiB"; cat "$U/exit.log"; }

stop_verifier || bad "verifier did not stop on SIGTERM"
echo "dmarc_bounce: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# verifier_reload.sh - SIGHUP reloads the [verifier] decision options for all three front ends
# of one `postseal verifier` process, proved through a real Postfix: a milter smtpd
# (smtpd_milters) and a before-queue proxy smtpd (smtpd_proxy_filter, after-filter smtpd),
# real unbound, smtp-sink. Clients are made external with XCLIENT.
#   1. mail_from_reject = "fail": an SPF softfail sender is delivered through the milter and
#      through the proxy; a policy request gets no REJECT.
#   2. mail_from_reject = "softfail", `kill -HUP`: the log says "reloaded: configuration FILE"
#      naming the policy, milter and proxy; the same sender is refused with 550 5.7.23 by the
#      milter (at RCPT) and by the proxy (at end of DATA) and by the policy service.
#   3. mail_from_reject = "sofftfail" (a typo), `kill -HUP`: one log line "reload failed,
#      keeping the running configuration: FILE, line 2: mail_from_reject: ..."; the running
#      options stay (softfail still refused by milter and proxy) and the daemon lives.
#   4. back to "fail", `kill -HUP`: softfail delivered again by both (the reload took effect
#      after a failed one).
# Ports: Postfix 2841 (milter smtpd) and 2842 (proxy smtpd), after-filter smtpd 10047,
# milter 10045, proxy 10046, smtp-sink 2843, unbound 5359. Runs as root.
set -uo pipefail
P_MILTER_SMTPD=2841 P_PROXY_SMTPD=2842 P_SINK=2843 MILTER=10045 PROXY=10046 AFTER=10047 DNS=5359
P_SMTPD=$P_MILTER_SMTPD  # milter_lib.sh's send default
FE_NAME=reload FE_PORTS="$P_MILTER_SMTPD $P_PROXY_SMTPD $P_SINK $MILTER $PROXY $AFTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/milter_lib.sh"

SOFT_FROM=user@softfail.example.com  # ip4:192.0.2.0/24 ~all
BAD_IP=198.51.100.5
CONF="$U/verifier.toml"
LOG="$U/verifier.log"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
fe_postfix $P_SINK
pf_master "127.0.0.1:$P_MILTER_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER" \
  "127.0.0.1:$P_PROXY_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_proxy_filter=127.0.0.1:$PROXY" \
  "127.0.0.1:$AFTER inet n - n - - smtpd" \
  "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8" \
  "  -o smtpd_relay_restrictions=" \
  "  -o smtpd_recipient_restrictions=permit_mynetworks,reject" \
  "  -o mynetworks=127.0.0.0/8"
fe_start $P_SINK

v_conf() { printf '[verifier]\nmail_from_reject = "%s"\n[milter]\ntag_subject = false\n' "$1" > "$CONF"; }
v_conf fail
"$POSTSEAL" verifier --config "$CONF" --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" \
  --proxy --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$AFTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local --log stderr > "$LOG" 2>&1 &
VERIFIER_PID=$!
pf_wait_listen $MILTER && pf_wait_listen $PROXY || die "postseal verifier --milter --proxy did not start"
pf_wait_listen $AFTER || die "after-filter smtpd not listening"

# hup WANT - SIGHUP, then wait (bounded) for the next log line holding WANT.
hup() {
  local lines i
  lines=$(wc -l < "$LOG")
  kill -HUP "$VERIFIER_PID"
  for i in $(seq 1 50); do
    tail -n +"$((lines + 1))" "$LOG" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  bad "no '$1' in the log after SIGHUP"; tail -3 "$LOG"; return 1
}
# policy_action - the policy service's answer for SOFT_FROM from BAD_IP.
policy_action() {
  /usr/bin/python3 - "$U/policy.sock" "$SOFT_FROM" "$BAD_IP" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
           "client_address=%s\nclient_name=unknown\nhelo_name=mail.client.example.com\n"
           "sender=%s\nrecipient=rcpt@dest.example\nqueue_id=\n\n" % (sys.argv[3], sys.argv[2])).encode())
print(s.makefile("rb").readline().decode().rstrip("\n"))
PY
}
# via PORT TOKEN - send a softfail message through the smtpd on PORT; prints the transcript.
via() {
  message "$2" "Subject: reload $2" > "$R/$2.eml"
  P_SMTPD=$1 send "$SOFT_FROM" $BAD_IP unknown "$R/$2.eml"
}
# both_delivered STEP / both_refused STEP - the softfail sender through milter and proxy.
both_delivered() {
  expect_delivered "$1-milter" "$(via $P_MILTER_SMTPD "$1-milter")" && ok "$1: milter delivers SPF softfail"
  expect_delivered "$1-proxy" "$(via $P_PROXY_SMTPD "$1-proxy")" && ok "$1: proxy delivers SPF softfail"
  policy_action | grep -qE '^action=(REJECT|550)' && bad "$1: policy service rejects softfail" \
    || ok "$1: policy service does not reject softfail"
}
both_refused() {
  local out
  out=$(via $P_MILTER_SMTPD "$1-milter")
  echo "$out" | grep -A2 -- '-> RCPT TO' | grep -qE '^<\*\* +550 5\.7\.23 ' && ok "$1: milter refuses SPF softfail at RCPT (550 5.7.23)" \
    || { bad "$1: milter did not refuse softfail at RCPT"; echo "$out" | grep -E '^ *<' | tail -3; }
  out=$(via $P_PROXY_SMTPD "$1-proxy")
  echo "$out" | grep -A3 -- '-> \.$' | grep -qE '^<\*\* +550 5\.7\.23 ' && ok "$1: proxy refuses SPF softfail at end of DATA (550 5.7.23)" \
    || { bad "$1: proxy did not refuse softfail at end of DATA"; echo "$out" | grep -E '^ *<' | tail -3; }
  policy_action | grep -qE '^action=(REJECT|550)' && ok "$1: policy service rejects softfail" \
    || bad "$1: policy service does not reject softfail"
}

echo "--- 1: mail_from_reject = fail"
both_delivered start

echo "--- 2: mail_from_reject = softfail, SIGHUP"
v_conf softfail
hup "verifier: reloaded: configuration $CONF: [verifier] options for new policy, milter, proxy transactions" \
  && ok "reload logged with the file and the front ends that take it"
both_refused reloaded

echo "--- 3: a broken config on SIGHUP keeps the running options"
v_conf sofftfail
hup "verifier: reload failed, keeping the running configuration: $CONF, line 2: mail_from_reject: 'sofftfail'" \
  && ok "failed reload logged on one line naming the file, line and key"
[ "$(grep -c 'reload failed' "$LOG")" -eq 1 ] || bad "more than one 'reload failed' line"
kill -0 "$VERIFIER_PID" 2>/dev/null && ok "verifier alive after a failed reload" || die "verifier died on SIGHUP"
both_refused kept

echo "--- 4: a good config again"
v_conf fail
hup "verifier: reloaded: configuration $CONF" && ok "reloaded again"
both_delivered again

stop_verifier && ok "verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
bad_lines=$(grep -vc '^postseal/verifier\[[0-9]*\]: ' "$LOG")
[ "$bad_lines" -eq 0 ] && ok "every log line carries the program prefix" || bad "$bad_lines log line(s) without the prefix"
echo "verifier_reload: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# verifier_reload.sh - SIGHUP reloads the per-transaction rules of all three front ends of one
# `postseal verifier` process ([verifier], milter.*, proxy.*, [dmarc], [greylist]), proved
# through a real Postfix: a milter smtpd (smtpd_milters) and a before-queue proxy smtpd
# (smtpd_proxy_filter, after-filter smtpd), real unbound, smtp-sink; the policy service on a
# unix socket. Clients are made external with XCLIENT. Free loopback ports (tests/lib/redis.sh
# free_ports); greylisting in the memory store.
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
#   5. milter.tag_subject/tag, proxy.received_spf = false and proxy.max_message_size = 2048:
#      before the reload the milter leaves the Subject alone, the proxy adds Received-SPF and
#      relays a 3 KB message; after it the milter tags the Subject "[SPF:reloaded]", the proxy
#      adds no Received-SPF (Authentication-Results stays) and refuses the 3 KB message (552 5.3.4).
#   6. milter.tag = "" (bad): one "reload failed" line naming FILE, line and milter.tag; the
#      milter still tags "[SPF:reloaded]" and the proxy still adds no Received-SPF.
#   7. dmarc.enforce "monitor" -> "policy": a From: ceo@reject.example (p=reject) spoof is
#      delivered with dmarc=fail, then refused 550 5.7.1 by milter and proxy; enforce =
#      "policyx" (bad): one "reload failed" line naming dmarc.enforce, the spoof still refused.
#   8. greylist.delay 300 -> 120 and defer_text A -> B: a policy connection opened before the
#      SIGHUP answers its next request with A and 300 (its snapshot), a new connection with B
#      and 120; a missing whitelist_clients file: one "reload failed" line naming it, B stays.
#   9. milter.listen changed (and defer_text C): one warning "restart to apply" naming
#      milter.listen with FILE and line; the milter still serves on its port, the new one is
#      not bound, and the policy service answers with C (the rest was applied).
# Runs as root.
set -uo pipefail
. "$POSTSEAL_SRC/tests/lib/redis.sh"  # free_ports
read -r P_MILTER_SMTPD P_PROXY_SMTPD P_SINK MILTER PROXY AFTER DNS MILTER2 <<< "$(free_ports 8)"
P_SMTPD=$P_MILTER_SMTPD  # milter_lib.sh's send default
FE_NAME=reload FE_PORTS="$P_MILTER_SMTPD $P_PROXY_SMTPD $P_SINK $MILTER $PROXY $AFTER $MILTER2"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/milter_lib.sh"

SOFT_FROM=user@softfail.example.com  # ip4:192.0.2.0/24 ~all
BAD_IP=198.51.100.5
CONF="$U/verifier.toml"
LOG="$U/verifier.log"

cat "$HERE/unbound-data.conf" "$HERE/unbound-dmarc.conf" > "$U/data.conf"
unbound_start "$U" DNS "$U/data.conf" || die "unbound did not start"  # a new DNS port if it was taken
fe_postfix "$P_SINK"
pf_master "127.0.0.1:$P_MILTER_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER" \
  "127.0.0.1:$P_PROXY_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_proxy_filter=127.0.0.1:$PROXY" \
  "127.0.0.1:$AFTER inet n - n - - smtpd" \
  "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8" \
  "  -o smtpd_relay_restrictions=" \
  "  -o smtpd_recipient_restrictions=permit_mynetworks,reject" \
  "  -o mynetworks=127.0.0.0/8"
fe_start "$P_SINK"

# v_conf - the config file from the variables below ([verifier] first: step 3 names line 2).
MFR=fail MILTER_LISTEN="127.0.0.1:$MILTER" TAG_SUBJECT=false TAG='[SPF:fail]' RSPF=true MAXSIZE=104857600 ENFORCE=monitor
DELAY=300 DEFER='Greylisted A, try again in %s seconds' GL_CLIENTS=""
v_conf() {
  cat > "$CONF" <<EOF
[verifier]
mail_from_reject = "$MFR"
[milter]
listen = "$MILTER_LISTEN"
tag_subject = $TAG_SUBJECT
tag = "$TAG"
[proxy]
received_spf = $RSPF
max_message_size = $MAXSIZE
[dmarc]
enable = true
enforce = "$ENFORCE"
[greylist]
enable = true
delay = $DELAY
defer_text = "$DEFER"
whitelist_clients = [$GL_CLIENTS]
whitelist_recipients = ["$U/wl-recipients"]
[state]
backend = "memory"
EOF
}
# the milter greylists too: the messages the milter and proxy checks send (to rcpt@dest.example)
# are whitelisted by recipient; step 8's policy requests (gl-N@dest.example) are greylisted
echo "rcpt@dest.example" > "$U/wl-recipients"
# line_of KEY - the line of "KEY = " in the config file.
line_of() { grep -n "^$1 = " "$CONF" | cut -d: -f1; }
v_conf
"$POSTSEAL" verifier --config "$CONF" --listen "unix:$U/policy.sock" \
  --proxy --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$AFTER" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.test.local --log stderr > "$LOG" 2>&1 &
VERIFIER_PID=$!
wait_listen "$MILTER" "$VERIFIER_PID" && wait_listen "$PROXY" "$VERIFIER_PID" || die "postseal verifier (milter.listen, --proxy) did not start"
pf_wait_master "$AFTER" || die "after-filter smtpd not listening"

# hup WANT - SIGHUP, then wait (bounded) for the next log line holding WANT; HUP_FROM is the
# first log line the SIGHUP wrote.
hup() {
  local i
  HUP_FROM=$(($(wc -l < "$LOG") + 1))
  kill -HUP "$VERIFIER_PID"
  for i in $(seq 1 50); do
    tail -n +"$HUP_FROM" "$LOG" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  bad "no '$1' in the log after SIGHUP"; tail -3 "$LOG"; return 1
}
# since_hup TEXT - how many log lines since the last SIGHUP hold TEXT.
since_hup() { tail -n +"$HUP_FROM" "$LOG" | grep -cF -- "$1"; }
# one_failure WHAT - exactly one "reload failed" line since the SIGHUP, and the daemon lives.
one_failure() {
  [ "$(since_hup 'reload failed')" -eq 1 ] && ok "$1: one 'reload failed' line" || bad "$1: not one 'reload failed' line"
  kill -0 "$VERIFIER_PID" 2>/dev/null || die "verifier died on SIGHUP ($1)"
}
# policy_action [RCPT] - the policy service's answer for SOFT_FROM from BAD_IP.
policy_action() {
  /usr/bin/python3 - "$U/policy.sock" "$SOFT_FROM" "$BAD_IP" "${1:-rcpt@dest.example}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
           "client_address=%s\nclient_name=unknown\nhelo_name=mail.client.example.com\n"
           "sender=%s\nrecipient=%s\nqueue_id=\n\n" % (sys.argv[3], sys.argv[2], sys.argv[4])).encode())
print(s.makefile("rb").readline().decode().rstrip("\n"))
PY
}
# via PORT TOKEN - send a softfail message through the smtpd on PORT; prints the transcript.
via() {
  message "$2" "Subject: reload $2" > "$R/$2.eml"
  P_SMTPD=$1 send "$SOFT_FROM" $BAD_IP unknown "$R/$2.eml"
}
# spoof PORT TOKEN - the softfail sender with From: ceo@reject.example (DMARC p=reject, not
# aligned) through the smtpd on PORT; prints the transcript.
spoof() {
  { printf 'From: CEO <ceo@reject.example>\r\nTo: rcpt@dest.example\r\nSubject: spoof %s\r\n' "$2"
    printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@milter-options.test>\r\n' "$2"
    printf '\r\nHello,\r\nthis is %s.\r\n' "$2"; } > "$R/$2.eml"
  P_SMTPD=$1 send "$SOFT_FROM" $BAD_IP unknown "$R/$2.eml"
}
# big PORT TOKEN - a softfail message with a 3,000-octet body through the smtpd on PORT.
big() {
  { message "$2" "Subject: big $2"; head -c 3000 /dev/zero | tr '\0' x | fold -w 75 | sed 's/$/\r/'; } > "$R/$2.eml"
  P_SMTPD=$1 send "$SOFT_FROM" $BAD_IP unknown "$R/$2.eml"
}
# refused_at_dot TEXT OUT CODE - ok when OUT answers the final dot with CODE (e.g. 550 5.7.1).
refused_at_dot() {
  echo "$2" | grep -A3 -- '-> \.$' | grep -qE "^<\*\* +$3 " && ok "$1" \
    || { bad "$1 (no $3 at end of DATA)"; echo "$2" | grep -E '^ *<' | tail -3; }
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
  refused_at_dot "$1: proxy refuses SPF softfail at end of DATA (550 5.7.23)" "$(via $P_PROXY_SMTPD "$1-proxy")" '550 5\.7\.23'
  policy_action | grep -qE '^action=(REJECT|550)' && ok "$1: policy service rejects softfail" \
    || bad "$1: policy service does not reject softfail"
}
# milter_subject STEP - the Subject the milter delivers for a softfail message.
milter_subject() {
  expect_delivered "$1-milter" "$(via $P_MILTER_SMTPD "$1-milter")" && fields "$F" Subject
}
# proxy_spf_fields STEP - how many Received-SPF / our Authentication-Results fields the proxy
# delivery carries ("N M").
proxy_spf_fields() {
  expect_delivered "$1-proxy" "$(via $P_PROXY_SMTPD "$1-proxy")" || { echo "- -"; return; }
  echo "$(fields "$F" Received-SPF | wc -l) $(ours "$F" | wc -l)"
}

echo "--- 1: mail_from_reject = fail"
both_delivered start

echo "--- 2: mail_from_reject = softfail, SIGHUP"
MFR=softfail v_conf
hup "verifier: reloaded: configuration $CONF for new policy, milter, proxy transactions" \
  && ok "reload logged with the file and the front ends that take it"
both_refused reloaded

echo "--- 3: a broken config on SIGHUP keeps the running options"
MFR=sofftfail v_conf
hup "verifier: reload failed, keeping the running configuration: $CONF, line 2: mail_from_reject: 'sofftfail'" \
  && ok "failed reload logged on one line naming the file, line and key"
one_failure "bad mail_from_reject"
both_refused kept

echo "--- 4: a good config again"
v_conf
hup "verifier: reloaded: configuration $CONF" && ok "reloaded again"
both_delivered again

echo "--- 5: milter.tag_subject, milter.tag and proxy.received_spf"
got=$(milter_subject before)
[ "$got" = "Subject: reload before-milter" ] && ok "before: the milter leaves the Subject alone" || bad "before: milter $got"
got=$(proxy_spf_fields before)
[ "$got" = "1 1" ] && ok "before: the proxy adds Received-SPF and Authentication-Results" \
  || bad "before: proxy Received-SPF and A-R fields: $got, want 1 1"
expect_delivered big-before "$(big $P_PROXY_SMTPD big-before)" && ok "before: the proxy relays a 3 KB message"
TAG_SUBJECT=true TAG='[SPF:reloaded]' RSPF=false MAXSIZE=2048
v_conf
hup "verifier: reloaded: configuration $CONF" && ok "milter and proxy keys reloaded"
got=$(milter_subject tagged)
[ "$got" = "Subject: [SPF:reloaded] reload tagged-milter" ] \
  && ok "after: the milter tags the softfail Subject with the reloaded tag" || bad "after: milter $got"
got=$(proxy_spf_fields tagged)
[ "$got" = "0 1" ] && ok "after: the proxy adds Authentication-Results only (received_spf = false)" \
  || bad "after: proxy Received-SPF and A-R fields: $got, want 0 1"
refused_at_dot "after: the proxy refuses the 3 KB message (max_message_size = 2048)" "$(big $P_PROXY_SMTPD big-after)" '552 5\.3\.4'

echo "--- 6: a bad milter.tag keeps the running milter and proxy rules"
TAG='' v_conf
hup "verifier: reload failed, keeping the running configuration: $CONF, line $(line_of tag): milter.tag: " \
  && ok "bad milter.tag: logged with the file, line and key"
one_failure "bad milter.tag"
got=$(milter_subject kept)
[ "$got" = "Subject: [SPF:reloaded] reload kept-milter" ] && ok "kept: the milter still tags [SPF:reloaded]" \
  || bad "kept: milter $got"
got=$(proxy_spf_fields kept)
[ "$got" = "0 1" ] && ok "kept: the proxy still adds no Received-SPF" || bad "kept: proxy Received-SPF and A-R fields: $got, want 0 1"

echo "--- 7: dmarc.enforce monitor -> policy"
if expect_delivered spoof-monitor "$(spoof $P_MILTER_SMTPD spoof-monitor)"; then
  ours "$F" | grep -qE 'dmarc=fail [^;]*header.from=reject.example policy.dmarc=reject' \
    && ok "monitor: the spoof is delivered with dmarc=fail policy.dmarc=reject" || { bad "monitor: no dmarc=fail"; ours "$F"; }
fi
ENFORCE=policy v_conf
hup "verifier: reloaded: configuration $CONF" && ok "dmarc.enforce reloaded"
refused_at_dot "policy: the milter refuses the spoof (550 5.7.1)" "$(spoof $P_MILTER_SMTPD spoof-policy-milter)" '550 5\.7\.1'
refused_at_dot "policy: the proxy refuses the spoof (550 5.7.1)" "$(spoof $P_PROXY_SMTPD spoof-policy-proxy)" '550 5\.7\.1'
ENFORCE=policyx v_conf
hup "verifier: reload failed, keeping the running configuration: $CONF, line $(line_of enforce): dmarc.enforce" \
  && ok "bad dmarc.enforce: logged with the file, line and key"
one_failure "bad dmarc.enforce"
refused_at_dot "kept: the milter still refuses the spoof" "$(spoof $P_MILTER_SMTPD spoof-kept-milter)" '550 5\.7\.1'
ENFORCE=policy

echo "--- 8: greylist.delay and defer_text; a policy connection keeps its rules"
DELAY=120 DEFER='Greylisted B, try again in %s seconds' v_conf
# one connection asks, then (after the SIGHUP, which this script sends) asks again on the
# same connection and once on a new one; prints the three action lines
out=$(/usr/bin/python3 - "$U/policy.sock" "$SOFT_FROM" "$BAD_IP" "$VERIFIER_PID" "$LOG" <<'PY'
import os, signal, socket, sys, time
path, sender, ip, pid, log = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def request(rcpt):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=%s\n"
            "client_name=unknown\nhelo_name=mail.client.example.com\nsender=%s\nrecipient=%s\n"
            "instance=%s\n\n" % (ip, sender, rcpt, rcpt)).encode()
def ask(conn, reader, rcpt):
    conn.sendall(request(rcpt))
    line = reader.readline().decode().rstrip("\n")
    reader.readline()
    return line
def connect():
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
    return s, s.makefile("rb")
old, old_reader = connect()
print(ask(old, old_reader, "gl-1@dest.example"))
seen = len(open(log).read().splitlines())
os.kill(pid, signal.SIGHUP)
for _ in range(50):
    if any("reloaded:" in l for l in open(log).read().splitlines()[seen:]): break
    time.sleep(0.1)
print(ask(old, old_reader, "gl-2@dest.example"))
new, new_reader = connect()
print(ask(new, new_reader, "gl-3@dest.example"))
PY
)
want_a='action=DEFER_IF_PERMIT 4.7.1 Greylisted A, try again in 300 seconds'
want_b='action=DEFER_IF_PERMIT 4.7.1 Greylisted B, try again in 120 seconds'
[ "$(echo "$out" | sed -n 1p)" = "$want_a" ] && ok "before: a new triplet is deferred with text A, 300 s" || bad "before: $(echo "$out" | sed -n 1p)"
[ "$(echo "$out" | sed -n 2p)" = "$want_a" ] && ok "the connection opened before the SIGHUP keeps text A, 300 s" \
  || bad "old connection after SIGHUP: $(echo "$out" | sed -n 2p)"
[ "$(echo "$out" | sed -n 3p)" = "$want_b" ] && ok "a new connection is deferred with the reloaded text B, 120 s" \
  || bad "new connection after SIGHUP: $(echo "$out" | sed -n 3p)"
DELAY=120 DEFER='Greylisted B, try again in %s seconds' GL_CLIENTS="\"$U/no-such-whitelist\"" v_conf
hup "verifier: reload failed, keeping the running configuration: " && ok "missing whitelist file: reload failed"
since_hup "no-such-whitelist" | grep -qx 1 && ok "the failure names the missing whitelist file" || bad "no file named: $(tail -1 "$LOG")"
one_failure "missing whitelist file"
[ "$(policy_action gl-4@dest.example)" = "$want_b" ] && ok "kept: still deferred with text B, 120 s" || bad "kept: $(policy_action gl-5@dest.example)"

echo "--- 9: milter.listen needs a restart; the rest is applied"
DELAY=120 DEFER='Greylisted C, try again in %s seconds' MILTER_LISTEN="127.0.0.1:$MILTER2" v_conf
hup "verifier: reloaded: configuration $CONF" && ok "reloaded with a restart key changed"
restart_line="verifier: changed, restart to apply (the running values stay): milter.listen ($CONF, line $(line_of listen))"
[ "$(since_hup "$restart_line")" -eq 1 ] && ok "one warning names milter.listen with its line: restart to apply" \
  || { bad "no restart line for milter.listen"; tail -n +"$HUP_FROM" "$LOG"; }
[ "$(since_hup 'restart to apply')" -eq 1 ] && ok "one 'restart to apply' line" || bad "not one 'restart to apply' line"
expect_delivered restart-milter "$(via $P_MILTER_SMTPD restart-milter)" && ok "the milter still serves on its port"
# the verifier's own listeners only: a test running beside this one may listen on MILTER2 (a free
# port chosen at the start) by now
port_pids "$MILTER2" | grep -qx "$VERIFIER_PID" && bad "the new milter.listen port was bound" || ok "the new milter.listen port is not bound"
[ "$(policy_action gl-6@dest.example)" = 'action=DEFER_IF_PERMIT 4.7.1 Greylisted C, try again in 120 seconds' ] \
  && ok "the other keys of that reload apply (defer text C)" || bad "defer text C not applied: $(policy_action gl-7@dest.example)"

stop_verifier && ok "verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
bad_lines=$(grep -vc '^postseal/verifier\[[0-9]*\]: ' "$LOG")
[ "$bad_lines" -eq 0 ] && ok "every log line carries the program prefix" || bad "$bad_lines log line(s) without the prefix"
echo "verifier_reload: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

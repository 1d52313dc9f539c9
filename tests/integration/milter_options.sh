#!/usr/bin/env bash
# milter_options.sh - smf-spf's options (docs/compat.md, seed 003) in the milter front end, proved at the Postfix
# level: a real Postfix (smtpd_milters) + unbound + `postseal verifier --milter`, configured by
# config files written here, one verifier run per config:
#   A  refuse_fail = false, a custom tag, add_header = false: SPF fail and softfail delivered to
#      their recipients with the Subject tagged (one without a Subject gets one), no
#      Received-SPF anywhere, our Authentication-Results still there; a pass is left alone.
#   B  refuse_fail = false, quarantine_mailbox: SPF fail arrives at the sink addressed only to the
#      quarantine mailbox (the sink's X-Rcpt-Args, smtp-sink -d), never to its recipients; a
#      whitelist_to recipient keeps its copy; a pass keeps its recipients.
#   C  refuse_fail = true with whitelists by client IP (XCLIENT ADDR), PTR (XCLIENT NAME, the
#      ".domain" form), envelope sender ("user@" form) and recipient ("user@" form): each lets an
#      SPF-fail message through; look-alikes (notfriendly.example, bestfriend@) and an
#      unlisted recipient of the same message are still refused with 550 5.7.23.
# Ports: Postfix 2801, smtp-sink 2803, milter 10041, unbound 5354. Runs as root.
set -uo pipefail
P_SMTPD=2801 P_SINK=2803 MILTER=10041 DNS=5354
FE_NAME=milteropts FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/milter_lib.sh"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
fe_postfix $P_SINK
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
fe_start $P_SINK

FAIL_FROM=user@spf-pass.example.com  # its SPF allows 192.0.2.0/24 only, -all
BAD_IP=198.51.100.5

# --- A: refuse_fail = false, custom tag, add_header = false -----------------------------------
TAG='[** SPF custom **]'
start_verifier A "[milter]
refuse_fail = false
tag = \"$TAG\"
add_header = false"

message a-fail "Subject: hello a-fail" > "$R/a-fail.eml"
expect_delivered a-fail "$(send $FAIL_FROM $BAD_IP unknown "$R/a-fail.eml")" || true
if [ -n "$F" ]; then
  subject=$(fields "$F" Subject)
  [ "$subject" = "Subject: $TAG hello a-fail" ] && ok "A: SPF fail delivered, Subject tagged with the custom tag" \
    || bad "A: Subject is '$subject', wanted 'Subject: $TAG hello a-fail'"
  rcpts "$F" | grep -qx 'rcpt@dest.example' && ok "A: delivered to its recipient (no quarantine configured)" \
    || bad "A: recipients are $(rcpts "$F" | tr '\n' ' ')"
  [ -z "$(fields "$F" Received-SPF)" ] && ok "A: add_header = false: no Received-SPF" || bad "A: Received-SPF present: $(fields "$F" Received-SPF)"
  ours "$F" | grep -qE 'spf=fail [^;]*smtp.mailfrom=user@spf-pass.example.com' && ok "A: Authentication-Results spf=fail still added" \
    || { bad "A: no A-R spf=fail"; fields "$F" Authentication-Results; }
fi

message a-nosubj > "$R/a-nosubj.eml"
expect_delivered a-nosubj "$(send $FAIL_FROM $BAD_IP unknown "$R/a-nosubj.eml")" || true
if [ -n "$F" ]; then
  subject=$(fields "$F" Subject)
  [ "$subject" = "Subject: $TAG" ] && ok "A: a message without Subject gets 'Subject: $TAG'" \
    || bad "A: no-Subject message has '$subject'"
  [ "$(fields "$F" Subject | grep -c .)" -eq 1 ] || bad "A: more than one Subject field"
fi

message a-soft "Subject: hello a-soft" > "$R/a-soft.eml"
expect_delivered a-soft "$(send user@softfail.example.com $BAD_IP unknown "$R/a-soft.eml")" || true
if [ -n "$F" ]; then
  [ "$(fields "$F" Subject)" = "Subject: $TAG hello a-soft" ] && ok "A: SPF softfail tagged too (docs/compat.md, seed 003)" \
    || bad "A: softfail Subject is '$(fields "$F" Subject)'"
  ours "$F" | grep -q 'spf=softfail' && ok "A: A-R spf=softfail" || bad "A: no A-R spf=softfail"
fi

message a-pass "Subject: hello a-pass" > "$R/a-pass.eml"
expect_delivered a-pass "$(send user@spf-pass.example.com 192.0.2.10 unknown "$R/a-pass.eml")" || true
if [ -n "$F" ]; then
  [ "$(fields "$F" Subject)" = "Subject: hello a-pass" ] && ok "A: SPF pass not tagged" || bad "A: pass Subject is '$(fields "$F" Subject)'"
  [ -z "$(fields "$F" Received-SPF)" ] && ok "A: no Received-SPF on pass either" || bad "A: Received-SPF on pass"
  ours "$F" | grep -q 'spf=pass' && ok "A: A-R spf=pass" || bad "A: no A-R spf=pass"
fi

# --- B: quarantine ----------------------------------------------------------------------------
start_verifier B "[milter]
refuse_fail = false
tag_subject = false
quarantine_mailbox = \"spam@quarantine.example\"
whitelist_to = [\"postmaster@\"]"

message b-fail "Subject: hello b-fail" > "$R/b-fail.eml"
expect_delivered b-fail "$(send $FAIL_FROM $BAD_IP unknown "$R/b-fail.eml" rcpt@dest.example,two@dest.example)" || true
if [ -n "$F" ]; then
  got=$(rcpts "$F" | sort | tr '\n' ' ')
  [ "$got" = "spam@quarantine.example " ] && ok "B: SPF fail addressed only to the quarantine mailbox" \
    || bad "B: envelope recipients at the sink: '$got', wanted only spam@quarantine.example"
  [ "$(fields "$F" Subject)" = "Subject: hello b-fail" ] && ok "B: tag_subject = false leaves the Subject" || bad "B: Subject '$(fields "$F" Subject)'"
  fields "$F" Received-SPF | grep -q '^Received-SPF: fail ' && ok "B: Received-SPF: fail (add_header default)" || bad "B: no Received-SPF: fail"
fi
[ "$(grep -l -- b-fail "$R"/sink/* 2>/dev/null | grep -c .)" -eq 1 ] || bad "B: more than one copy of the quarantined message"

message b-keep "Subject: hello b-keep" > "$R/b-keep.eml"
out=$(send $FAIL_FROM $BAD_IP unknown "$R/b-keep.eml" rcpt@dest.example,postmaster@dest.example)
got=$(wait_rcpts b-keep "postmaster@dest.example spam@quarantine.example ")
[ "$got" = "postmaster@dest.example spam@quarantine.example " ] \
  && ok "B: whitelist_to recipient keeps its copy, the other goes to quarantine" \
  || { bad "B: recipients at the sink '$got', wanted postmaster@dest.example and spam@quarantine.example"; echo "$out" | tail -5; }

message b-pass "Subject: hello b-pass" > "$R/b-pass.eml"
expect_delivered b-pass "$(send user@spf-pass.example.com 192.0.2.10 unknown "$R/b-pass.eml")" || true
if [ -n "$F" ]; then
  got=$(rcpts "$F" | tr '\n' ' ')
  [ "$got" = "rcpt@dest.example " ] && ok "B: SPF pass keeps its recipients" || bad "B: pass recipients '$got'"
fi

# --- C: whitelists (refuse_fail = true) -------------------------------------------------------
start_verifier C "[milter]
whitelist_ip = [\"203.0.113.0/24\"]
whitelist_ptr = [\".friendly.example\"]
whitelist_from = [\"friend@\"]
whitelist_to = [\"postmaster@\"]"

message c-control > "$R/c-control.eml"
expect_refused "C: control: SPF fail from an unlisted client refused" "$(send $FAIL_FROM $BAD_IP unknown "$R/c-control.eml")"

message c-ip > "$R/c-ip.eml"
expect_delivered c-ip "$(send $FAIL_FROM 203.0.113.7 unknown "$R/c-ip.eml")" && ok "C: whitelist_ip (XCLIENT ADDR 203.0.113.7) lets SPF fail through"

message c-ptr > "$R/c-ptr.eml"
expect_delivered c-ptr "$(send $FAIL_FROM $BAD_IP mx.friendly.example "$R/c-ptr.eml")" && ok "C: whitelist_ptr .friendly.example (XCLIENT NAME mx.friendly.example) lets SPF fail through"
message c-ptr-no > "$R/c-ptr-no.eml"
expect_refused "C: PTR look-alike mx.notfriendly.example still refused" "$(send $FAIL_FROM $BAD_IP mx.notfriendly.example "$R/c-ptr-no.eml")"

message c-from > "$R/c-from.eml"
expect_delivered c-from "$(send friend@spf-pass.example.com $BAD_IP unknown "$R/c-from.eml")" && ok "C: whitelist_from friend@ lets SPF fail through"
message c-from-no > "$R/c-from-no.eml"
expect_refused "C: sender look-alike bestfriend@ still refused" "$(send bestfriend@spf-pass.example.com $BAD_IP unknown "$R/c-from-no.eml")"

message c-to > "$R/c-to.eml"
out=$(send $FAIL_FROM $BAD_IP unknown "$R/c-to.eml" rcpt@dest.example,postmaster@dest.example)
echo "$out" | grep -qE '<\*\* *550 5.7.23 ' && ok "C: the unlisted recipient of the message refused with 550 5.7.23" \
  || bad "C: rcpt@dest.example not refused"
got=$(wait_rcpts c-to "postmaster@dest.example ")
[ "$got" = "postmaster@dest.example " ] && ok "C: whitelist_to postmaster@ lets SPF fail through to that recipient only" \
  || bad "C: recipients at the sink '$got', wanted postmaster@dest.example only"
F=$(sink_file c-to) && { [ "$(fields "$F" Subject)" = "Subject: [SPF:fail]" ] \
  && ok "C: accepted SPF fail tagged with the default tag" || bad "C: Subject '$(fields "$F" Subject)'"; }

stop_verifier || bad "verifier did not stop on SIGTERM"
echo "milter_options: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

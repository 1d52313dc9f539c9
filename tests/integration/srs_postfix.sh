#!/usr/bin/env bash
# srs_postfix.sh - `postseal srsd` wired into a real Postfix (socketmap and tcp_table, each in
# its own cleanup service as in conf/postfix/srs-master.cf):
#  1. a message to an alias that forwards to a remote address leaves with an SRS0 envelope
#     sender of our domain (seen at smtp-sink), through both wirings;
#  2. a bounce (null sender) to that SRS0 address is delivered to the original sender;
#  3. a forged SRS0 (bad hash) is not relayed: nothing reaches the sink; it stays an address of
#     the SRS domain and is delivered locally (here to a catch-all mailbox);
#  4. mail between local users is not rewritten (Return-Path in the local mailbox).
# Ports: Postfix 2601 (socketmap listener), 2602 (tcp_table listener), smtp-sink 2603;
# srsd 10104 (socketmap), 10105/10106 (tcp_table). Runs as root (Postfix needs it).
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: srs_postfix.sh must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
# shellcheck source=../lib/postfix.sh
. "$POSTSEAL_SRC/tests/lib/postfix.sh"

P_SMAP_IN=2601 P_TCP_IN=2602 P_SINK=2603 SMAP=10104 TFWD=10105 TREV=10106
R=$(mktemp -d /var/tmp/postseal-srs-it.XXXXXX)
SRSD_PID=""
cleanup() {
  [ -n "$SRSD_PID" ] && kill "$SRSD_PID" 2>/dev/null
  pf_cleanup
  rm -rf "$R"
}
trap cleanup EXIT
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
die() { echo "FAIL: $*"; [ -f "$R/log/maillog" ] && tail -20 "$R/log/maillog"; [ -f "$R/srsd.log" ] && tail -20 "$R/srsd.log"; exit 1; }

for p in $P_SMAP_IN $P_TCP_IN $P_SINK $SMAP $TFWD $TREV; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "port $p is already in use"
done

pf_init "$R" $P_SINK || die "pf_init"
mkdir -p "$R/mail" && chown 65534:65534 "$R/mail"
pf_main "virtual_mailbox_domains = local.example, fwd.example" \
  "virtual_mailbox_base = $R/mail" \
  "virtual_mailbox_maps = static:catchall/" \
  "virtual_uid_maps = static:65534" \
  "virtual_gid_maps = static:65534" \
  "virtual_alias_maps = inline:{fwdme@local.example=remote@remote.example}" \
  "smtpd_relay_restrictions = permit_mynetworks, reject"
pf_master "127.0.0.1:$P_SMAP_IN inet n - n - - smtpd" \
  "  -o cleanup_service_name=cleanup-srs" \
  "cleanup-srs unix n - n - 0 cleanup" \
  "  -o sender_canonical_maps=socketmap:inet:127.0.0.1:$SMAP:forward" \
  "  -o sender_canonical_classes=envelope_sender" \
  "  -o recipient_canonical_maps=socketmap:inet:127.0.0.1:$SMAP:reverse" \
  "  -o recipient_canonical_classes=envelope_recipient,header_recipient" \
  "127.0.0.1:$P_TCP_IN inet n - n - - smtpd" \
  "  -o cleanup_service_name=cleanup-srs-tcp" \
  "cleanup-srs-tcp unix n - n - 0 cleanup" \
  "  -o sender_canonical_maps=tcp:127.0.0.1:$TFWD" \
  "  -o sender_canonical_classes=envelope_sender" \
  "  -o recipient_canonical_maps=tcp:127.0.0.1:$TREV" \
  "  -o recipient_canonical_classes=envelope_recipient,header_recipient"

head -c 24 /dev/urandom | base64 > "$R/srs.secret" && chmod 600 "$R/srs.secret"
"$POSTSEAL" srsd --domain fwd.example --secrets-file "$R/srs.secret" --local-domain local.example \
  --socketmap "127.0.0.1:$SMAP" --tcp-forward "127.0.0.1:$TFWD" --tcp-reverse "127.0.0.1:$TREV" \
  --user nobody -v > "$R/srsd.log" 2>&1 &
SRSD_PID=$!
wait_listen $TREV $SRSD_PID || die "srsd did not start"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"

# sink_file TOKEN - the sink dump holding TOKEN (waits up to 30 s).
sink_file() {
  local i f
  for i in $(seq 1 300); do
    f=$(grep -l -- "$1" "$R"/sink/* 2>/dev/null | head -1)
    [ -n "$f" ] && { echo "$f"; return 0; }
    sleep 0.1
  done
  return 1
}
send() { pf_send "$@" --helo client.test >> "$R/log/swaks.log" 2>&1; }

# 1. forwarding through an alias rewrites the envelope sender
SRS=""
for wiring in socketmap:$P_SMAP_IN tcp_table:$P_TCP_IN; do
  name=${wiring%%:*} port=${wiring##*:} tok="fwd-$name-$$"
  if send "$port" carol@orig.example fwdme@local.example --header "Subject: $tok" \
      && f=$(sink_file "$tok"); then
    from=$(sed -n 's/^X-Mail-Args: <\([^>]*\)>.*/\1/p' "$f")
    rcpt=$(sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$f")
    if [[ "$from" =~ ^SRS0=[^=]{4}=[A-Z2-7]{2}=orig\.example=carol@fwd\.example$ ]] && [ "$rcpt" = remote@remote.example ]; then
      ok "$name: forwarded via alias, envelope sender $from"
      [ -z "$SRS" ] && SRS=$from
    else
      bad "$name: forwarded message has MAIL FROM <$from> RCPT <$rcpt>"
    fi
  else
    bad "$name: forwarded message did not reach the sink"
  fi
done

# 2. a bounce to the SRS0 address reaches the original sender
for wiring in socketmap:$P_SMAP_IN tcp_table:$P_TCP_IN; do
  name=${wiring%%:*} port=${wiring##*:} tok="bounce-$name-$$"
  if [ -n "$SRS" ] && send "$port" "<>" "$SRS" --header "Subject: $tok" && f=$(sink_file "$tok"); then
    from=$(sed -n 's/^X-Mail-Args: <\([^>]*\)>.*/\1/p' "$f")
    rcpt=$(sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$f")
    [ "$rcpt" = carol@orig.example ] && [ -z "$from" ] \
      && ok "$name: bounce to $SRS delivered to carol@orig.example" \
      || bad "$name: bounce reached the sink as MAIL FROM <$from> RCPT <$rcpt>"
  else
    bad "$name: bounce to <$SRS> did not reach the original sender"
  fi
done

# 3. forged SRS0 addresses (bad hash, expired shape, garbage stamp) are not relayed
forged_ok=1
i=0
for forged in "SRS0=AAAA=${SRS:10:2}=orig.example=carol@fwd.example" \
              "SRS0=${SRS:5:4}=${SRS:10:2}=orig.example=mallory@fwd.example" \
              "SRS0=${SRS:5:4}=$(printf 'A%.0s' $(seq 1 200))=orig.example=carol@fwd.example"; do
  i=$((i + 1)); tok="forged$i-$$"
  send $P_SMAP_IN "<>" "$forged" --header "Subject: $tok" || true
  for n in $(seq 1 100); do grep -rlq -- "$tok" "$R/mail" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q "to=<$forged>, relay=virtual,.*status=sent" "$R/log/maillog"; then
    forged_ok=0; bad "forged $forged was not kept at the SRS domain"
  fi
  if grep -lq -- "$tok" "$R"/sink/* 2>/dev/null; then forged_ok=0; bad "forged $forged was relayed to the sink"; fi
done
[ $forged_ok = 1 ] && ok "forged SRS0 addresses not reversed, none relayed"

# 4. local mail is not rewritten
tok="local-$$"
send $P_SMAP_IN alice@local.example bob@local.example --header "Subject: $tok"
for n in $(seq 1 100); do grep -rlq -- "$tok" "$R/mail" 2>/dev/null && break; sleep 0.1; done
f=$(grep -rl -- "$tok" "$R/mail" 2>/dev/null | head -1)
if [ -n "$f" ] && grep -q '^Return-Path: <alice@local.example>' "$f"; then
  ok "local mail keeps its sender (Return-Path <alice@local.example>)"
else
  bad "local mail: $( [ -n "$f" ] && grep '^Return-Path' "$f" || echo 'not delivered')"
fi

grep -Eq 'fatal|panic|table lookup problem' "$R/log/maillog" && { bad "maillog has errors"; grep -E 'fatal|panic|lookup problem' "$R/log/maillog" | tail -3; }
kill -0 "$SRSD_PID" 2>/dev/null || bad "srsd died"
echo "$PASS passed, $FAIL failed"
if [ $FAIL -ne 0 ]; then
  echo "--- maillog"; tail -30 "$R/log/maillog"; echo "--- srsd"; tail -30 "$R/srsd.log"
  exit 1
fi

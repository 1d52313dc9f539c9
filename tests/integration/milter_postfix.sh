#!/usr/bin/env bash
# milter_postfix.sh - the milter front end (`postseal verifier --milter`) with a real Postfix
# (smtpd_milters) and a real unbound holding SPF and DKIM key records.
# Client addresses are set with XCLIENT (Postfix re-announces the client to its milters).
# Checks: an SPF-fail sender is refused at RCPT with 550 5.7.23, a temperror (the sender
# domain's server refuses) deferred with 450 4.7.1; an SPF pass is delivered with
# Received-SPF: pass and Authentication-Results spf=pass; DKIM rsa-sha256 good -> dkim=pass,
# tampered body -> dkim=fail, ed25519-sha256 (signed by dkimpy) -> dkim=pass; a forged
# Authentication-Results claiming our authserv-id is removed, a foreign one kept; only one A-R
# with our id in the delivered message. Ports: Postfix 2801, smtp-sink 2803, milter 10041,
# unbound 5354. Runs as root.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: milter_postfix.sh must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
/usr/bin/python3 -c 'import dkim' 2>/dev/null || { echo "FAIL: python3-dkim (dkimpy) must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
. "$POSTSEAL_SRC/tests/lib/mailcheck.sh"

P_SMTPD=2801 P_SINK=2803 MILTER=10041 DNS=5354
HERE="$POSTSEAL_SRC/tests/integration/frontends"
KEYS="$POSTSEAL_SRC/tests/data/dkim/dkimpy-data"
R=$(mktemp -d /var/tmp/postseal-milter-it.XXXXXX)
U=$(mktemp -d /var/tmp/postseal-milter-dns.XXXXXX)  # not under $R: pf_init wipes $R
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

for p in $P_SMTPD $P_SINK $MILTER; do
  ! ss -Hltn "sport = :$p" | grep -q . || die "port $p is already in use"
done

# the front-end records, plus a sender domain whose server refuses (-> SPF temperror)
{ cat "$HERE/unbound-data.conf"; echo 'local-zone: "refused.example." refuse'; } > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"
"$POSTSEAL" verifier --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" \
  --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
pf_wait_listen $MILTER || die "postseal verifier --milter did not start"

pf_init "$R" $P_SINK || die "pf_init"
pf_main "relay_domains = dest.example" \
  "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
  "smtpd_relay_restrictions = reject_unauth_destination" \
  "milter_default_action = tempfail" \
  "milter_protocol = 6"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
pf_sink_start $P_SINK || die "smtp-sink did not start"
pf_start || die "postfix did not start"

# message TOKEN [extra header lines...] - a CRLF message on stdout.
message() {
  local token=$1; shift
  printf 'From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$token"
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@dkim.example>\r\n' "$token"
  local h; for h in "$@"; do printf '%s\r\n' "$h"; done
  printf '\r\nHello,\r\nthis is the body of %s.\r\n\r\n-- \r\nsender\r\n' "$token"
}
sign() {  # KEY SELECTOR ALG < message
  /usr/bin/python3 "$HERE/sign.py" "$1" "$2" dkim.example "$3"
}

# send FROM ADDR FILE - one message from client ADDR; prints swaks' transcript.
send() {
  swaks --server 127.0.0.1 --port $P_SMTPD --from "$1" --to rcpt@dest.example \
    --xclient-addr "$2" --xclient-name unknown --xclient-helo mail.client.example.com \
    --helo mail.client.example.com --data "$3" </dev/null 2>&1
}


# 1. SPF fail: refused at RCPT.
message spf-fail > "$R/fail.eml"
out=$(send user@spf-pass.example.com 198.51.100.5 "$R/fail.eml")
if echo "$out" | grep -q '<\*\* *550 5.7.23 '; then ok "SPF fail refused with 550 5.7.23"
else bad "SPF fail not refused with 550 5.7.23"; echo "$out" | grep -E '^ *<' | tail -5; fi

# 2. SPF pass + DKIM rsa-sha256 good.
message rsa-good | sign "$KEYS/2048_testkey.key" sel2048 rsa-sha256 > "$R/good.eml" || die "dkimpy signing failed"
out=$(send user@dkim.example 192.0.2.10 "$R/good.eml")
if f=$(sink_find rsa-good); then
  a=$(ours "$f")
  [ "$(echo "$a" | grep -c .)" -eq 1 ] && ok "pass: one Authentication-Results with our id" || bad "pass: $(echo "$a" | grep -c .) A-R fields with our id"
  echo "$a" | grep -qE 'spf=pass [^;]*smtp.mailfrom=user@dkim.example' && ok "pass: A-R spf=pass smtp.mailfrom" || { bad "pass: no spf=pass in A-R"; echo "$a"; }
  echo "$a" | grep -qE 'dkim=pass [^;]*header.d=dkim.example [^;]*header.s=sel2048 header.a=rsa-sha256' \
    && ok "rsa-sha256: dkim=pass with header.d/s/a" || { bad "rsa-sha256: no dkim=pass"; echo "$a"; }
  echo "$a" | grep -qE 'sel2048 [^;]*header.b=' && ok "rsa-sha256: header.b present" || bad "rsa-sha256: no header.b"
  fields "$f" Received-SPF | grep -q '^Received-SPF: pass ' && ok "pass: Received-SPF: pass" || { bad "pass: no Received-SPF: pass"; fields "$f" Received-SPF; }
else bad "SPF pass message not delivered"; echo "$out" | tail -8; fi

# 3. Tampered body.
message rsa-tampered | sign "$KEYS/2048_testkey.key" sel2048 rsa-sha256 | sed 's/this is the body/this is THE body/' > "$R/tampered.eml"
out=$(send user@dkim.example 192.0.2.10 "$R/tampered.eml")
if f=$(sink_find rsa-tampered); then
  a=$(ours "$f")
  echo "$a" | grep -qE 'dkim=fail [^;]*header.d=dkim.example [^;]*header.s=sel2048' && ok "tampered: dkim=fail" || { bad "tampered: no dkim=fail"; echo "$a"; }
else bad "tampered message not delivered"; echo "$out" | tail -8; fi

# 4. Ed25519.
message ed-good | sign "$KEYS/ed25519test.key" ed ed25519-sha256 > "$R/ed.eml" || die "dkimpy ed25519 signing failed"
out=$(send user@dkim.example 192.0.2.10 "$R/ed.eml")
if f=$(sink_find ed-good); then
  a=$(ours "$f")
  echo "$a" | grep -qE 'dkim=pass [^;]*header.d=dkim.example [^;]*header.s=ed header.a=ed25519-sha256' && ok "ed25519: dkim=pass" || { bad "ed25519: no dkim=pass"; echo "$a"; }
else bad "ed25519 message not delivered"; echo "$out" | tail -8; fi

# 5. Forged A-R with our id (two spellings) removed, a foreign one kept.
message forged 'Authentication-Results: mx.test.local; dkim=pass header.d=bank.example' \
  'Authentication-Results: (comment) MX.Test.Local ; spf=pass smtp.mailfrom=bank.example' \
  'Authentication-Results: other.example; spf=pass smtp.mailfrom=x@other.example' > "$R/forged.eml"
out=$(send user@dkim.example 192.0.2.10 "$R/forged.eml")
if f=$(sink_find forged); then
  if fields "$f" Authentication-Results | grep -q 'bank.example'; then bad "forged: an A-R claiming our id survived"; fields "$f" Authentication-Results
  else ok "forged: A-R fields claiming our id removed"; fi
  fields "$f" Authentication-Results | grep -q '^Authentication-Results: other.example;' && ok "forged: foreign A-R kept" || bad "forged: foreign A-R removed"
  [ "$(ours "$f" | grep -c .)" -eq 1 ] && ok "forged: exactly one A-R with our id (ours)" || bad "forged: $(ours "$f" | grep -c .) A-R with our id"
else bad "forged message not delivered"; echo "$out" | tail -8; fi

# 6. SPF temperror (the sender domain's DNS server refuses): deferred at RCPT, not delivered.
message spf-temperror > "$R/temp.eml"
out=$(send user@refused.example 198.51.100.5 "$R/temp.eml")
if echo "$out" | grep -qE '<\*\* *450 4\.7\.1 .*temperror'; then ok "SPF temperror deferred at RCPT with 450 4.7.1"
else bad "temperror not deferred with 450 4.7.1"; echo "$out" | grep -E '^ *<' | tail -5; fi

stop_verifier && ok "postseal verifier --milter stops on SIGTERM within 5 s" || bad "verifier did not stop on SIGTERM"
echo "milter_postfix: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

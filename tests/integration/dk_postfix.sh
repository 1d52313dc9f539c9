#!/bin/bash
# dk_postfix.sh - DomainKeys (RFC 4870) + DKIM in one pass through a real Postfix: submission
# -> content_filter -> postseal signer (-c config with domainkeys = true per domain) ->
# reinjection smtpd -> smtp-sink. Every delivered message of a DomainKeys domain carries a
# DomainKey-Signature above its DKIM signatures (below them without h=; Postfix's Received
# fields go above both); dkimpy verifies the DKIM signatures (RSA and
# Ed25519), Mail::DKIM the DomainKey-Signature (nofws and simple domains), and postseal verify
# prints domainkeys=pass. A message whose Sender is outside the domain is still DKIM-signed,
# without DomainKeys, and the reason is in the per-message log line. The config is also
# accepted by `postseal check-config`.
# Ports: submission 2901, sink 2902, filter 10027, reinjection 10028 (as the signer tests).
. "$POSTSEAL_SRC/tests/integration/signer/common.sh"
P_SUBMIT=2901
P_SINK=2902
PERL=/usr/bin/perl
R=/var/tmp/postseal-it-dk
cleanup() { stop_filter; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM

"$PERL" -MMail::DKIM::Verifier -MNet::DNS -e 1 2>/dev/null || fail "Mail::DKIM missing (libmail-dkim-perl)"
setup_postfix "$R"
make_keys "$R/keys"
cat > "$R/postseal.toml" <<EOF
[[signer.domain]]
name = "dk.example"
keys = ["r1:$R/keys/r1.private", "e1:$R/keys/e1.private"]
domainkeys = true
domainkeys_canon = "nofws"

[[signer.domain]]
name = "dks.example"
keys = ["r1:$R/keys/r1.private"]
domainkeys = true
domainkeys_canon = "simple"
domainkeys_headers = false

[[signer.domain]]
name = "rsa.example"
keys = ["r1:$R/keys/r1.private"]
EOF
"$POSTSEAL" check-config -c "$R/postseal.toml" >"$R/log/check.log" 2>&1 ||
  { cat "$R/log/check.log" >&2; fail "check-config rejects the domainkeys keys"; }
rp=$(openssl pkey -in "$R/keys/r1.private" -pubout -outform DER 2>/dev/null | base64 -w0)
ep=$(openssl pkey -in "$R/keys/e1.private" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
record="v=DKIM1; k=rsa; p=$rp"
{
  for d in dk.example dks.example rsa.example; do echo "r1._domainkey.$d $record"; done
  echo "e1._domainkey.dk.example v=DKIM1; k=ed25519; p=$ep"
} > "$R/keys/dkrecords"
# the --dns-zone form: TXT strings of at most 255 octets (200 here)
while read -r name value; do
  printf '%s TXT' "$name"
  while [ -n "$value" ]; do printf ' "%s"' "${value:0:200}"; value=${value:200}; done
  printf '\n'
done < "$R/keys/dkrecords" > "$R/keys/zone"

start_filter "$R/log/signer.log" -c "$R/postseal.toml" --relay 127.0.0.1:$P_REINJECT

note "submitting 7 messages"
send() {  # TOKEN FROM [swaks args]
  local tok=$1 from=$2; shift 2
  pf_send $P_SUBMIT "$from" rcpt@dest.example --header "From: <$from>" \
    --header "Subject: DomainKeys test $tok" --add-header "X-Test-Token: $tok" \
    --body "Hello  from $tok,   with   spaces" "$@" || fail "submission of $tok failed"
}
send dk0 a@dk.example
send dk1 b@dk.example
send dk2 c@dk.example
send dks0 a@dks.example
send dks1 b@dks.example
send sender0 a@dk.example --add-header "Sender: <agent@elsewhere.example>"
send rsa0 a@rsa.example
pf_wait_sink 7 90 || { tail -20 "$R/log/maillog" >&2; fail "not all messages reached the sink"; }
pf_wait_queue_empty 30 || fail "queue not empty"
[ "$(pf_sink_count)" -eq 7 ] || fail "sink holds $(pf_sink_count) messages, expected 7"

# DKIM: dkimpy, RSA + Ed25519 for dk.example, RSA elsewhere
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/dkrecords" dk 3 dk.example=ed25519-sha256,rsa-sha256 \
  || fail "DKIM verification (dk.example) at the sink failed"
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/dkrecords" dks 2 dks.example=rsa-sha256 \
  || fail "DKIM verification (dks.example) at the sink failed"
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/dkrecords" sender 1 dk.example=ed25519-sha256,rsa-sha256 \
  || fail "DKIM verification (Sender outside the domain) at the sink failed"
$PY "$HERE_SIGNER/verify_sink.py" "$R/sink" "$R/keys/dkrecords" rsa 1 rsa.example=rsa-sha256 \
  || fail "DKIM verification (rsa.example) at the sink failed"

# the delivered messages without smtp-sink's X- lines, named for maildkim.pl by expectation
mkdir -p "$R/delivered"
$PY - "$R/sink" "$R/delivered" <<'EOF' || fail "cannot read the sink"
import os, re, sys
sink, out = sys.argv[1], sys.argv[2]
for f in sorted(os.listdir(sink)):
    data = open(os.path.join(sink, f), "rb").read().split(b"\n")
    i = 0
    while i < len(data) and data[i].startswith(b"X-") and b":" in data[i] and not data[i].startswith(b"X-Test"):
        i += 1
    msg = b"\n".join(data[i:]).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    tok = re.search(rb"X-Test-Token: ([a-z0-9]+)", msg).group(1).decode()
    open(os.path.join(out, tok + ".eml"), "wb").write(msg)
EOF
for tok in dk0 dk1 dk2 dks0 dks1; do
  f="$R/delivered/$tok.eml"
  dk_at=$(grep -n '^DomainKey-Signature:' "$f" | head -1 | cut -d: -f1)
  dkim_at=$(grep -n '^DKIM-Signature:' "$f" | head -1 | cut -d: -f1)
  [ -n "$dk_at" ] && [ -n "$dkim_at" ] || { head -20 "$f" >&2; fail "$tok: DomainKey-Signature or DKIM-Signature missing"; }
  # with h= (dk.example) above the DKIM signatures; without h= (dks.example) below them
  case $tok in
    dk[0-9]) [ "$dk_at" -lt "$dkim_at" ] || fail "$tok: DomainKey-Signature not above the DKIM signatures" ;;
    dks*) [ "$dk_at" -gt "$dkim_at" ] || fail "$tok: DomainKey-Signature (no h=) not below the DKIM signatures" ;;
  esac
  [ "$(grep -c '^DomainKey-Signature:' "$f")" -eq 1 ] || fail "$tok: not exactly one DomainKey-Signature"
  cp "$f" "$R/delivered/$tok.pass.eml"
  v=$("$POSTSEAL" verify --dns-zone "$R/keys/zone" <"$f" 2>&1) || fail "$tok: postseal verify: $v"
  grep -q "^domainkeys=pass header.d=dk" <<<"$v" || fail "$tok: postseal verify: $v"
done
grep -q 'c=nofws' "$R/delivered/dk0.eml" || fail "dk.example: not c=nofws"
grep -q 'c=simple' "$R/delivered/dks0.eml" || fail "dks.example: not c=simple"
for tok in sender0 rsa0; do
  if grep -q '^DomainKey-Signature:' "$R/delivered/$tok.eml"; then fail "$tok got a DomainKey-Signature"; fi
done
"$PERL" "$POSTSEAL_SRC/tests/interop/domainkeys/maildkim.pl" verify "$record" "$R"/delivered/*.pass.eml ||
  fail "Mail::DKIM does not pass the delivered DomainKey-Signatures"

added=$(grep -c "DKIM-Signature added .*, DomainKey-Signature added (d=dk" "$R/log/signer.log")
[ "$added" -eq 5 ] || { cat "$R/log/signer.log" >&2; fail "signer logged $added DK+DKIM messages, expected 5"; }
grep -q "DKIM-Signature added .*, no DomainKey-Signature: .*" "$R/log/signer.log" ||
  fail "the Sender-outside-domain message has no DomainKeys reason in the log"
echo "PASS: 7 messages delivered; 5 DK+DKIM signed in one pass (nofws, simple) and verified by Mail::DKIM, dkimpy and postseal verify; Sender outside the domain: DKIM only, reason logged"

#!/usr/bin/env bash
# dkim_verify_peers.sh - messages signed by real peers verify with `postseal verify`.
#
# Peers from Debian: dkimpy (python3-dkim; RSA-SHA256 and Ed25519-SHA256, simple/simple and
# relaxed/relaxed) and Mail::DKIM::Signer (libmail-dkim-perl; RSA-SHA256, simple and relaxed).
# Corpus of hard cases (tests/interop/dkim/dkimv_sign_dkimpy.py): empty body, no final CRLF,
# trailing blank lines, whitespace runs, lines starting with '.', 8-bit bytes, long folded
# headers, 998-octet lines. Keys come from tests/data/dkim/dkimpy-data; DNS from a zone file in
# the --dns-zone format (core/dns/zone_file.hpp). Every signed message must give exit 0 and
# "dkim=pass"; every tampered copy must give exit 1 and no pass. No network, no servers.
set -euo pipefail

: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
HERE="$POSTSEAL_SRC/tests/interop/dkim"
DATA="$POSTSEAL_SRC/tests/data/dkim/dkimpy-data"
RSA_KEY="$DATA/2048_testkey.key"
ED_KEY="$DATA/ed25519test.key"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

die() { echo "dkim_verify_peers: FAIL: $*" >&2; exit 1; }

# txt_record NAME VALUE - a zone-file TXT line, the value cut into 255-octet strings.
txt_record() {
  local name=$1 value=$2 out=""
  while [ -n "$value" ]; do
    out+=" \"${value:0:255}\""
    value=${value:255}
  done
  echo "$name. 300 IN TXT$out"
}

rsa_p=$(sed -e 's/.*p=//' "$DATA/2048_testkey_wo_markers.pub.txt" | tr -d ' \r\n')
ed_p=$(sed -e 's/.*p=//' "$DATA/ed25519test.dns" | tr -d ' \r\n')
{
  echo "; keys for the peer-signed corpus"
  txt_record rsa._domainkey.example.com "v=DKIM1; k=rsa; p=$rsa_p"
  txt_record ed._domainkey.example.com "v=DKIM1; k=ed25519; p=$ed_p"
} > "$WORK/keys.zone"

/usr/bin/python3 "$HERE/dkimv_sign_dkimpy.py" "$WORK" "$RSA_KEY" "$ED_KEY" \
  || die "dkimpy could not sign the corpus"

# Mail::DKIM signs the unsigned corpus (taken from the dkimpy messages minus their signature).
for name in $(grep -- '-rsa-simple-' "$WORK/cases.txt"); do
  case_name=${name#dkimpy-rsa-simple-}
  /usr/bin/python3 -c 'import sys
m = open(sys.argv[1], "rb").read()
i = m.index(b"\r\nFrom: ")
sys.stdout.buffer.write(m[i + 2:])' "$WORK/$name.eml" > "$WORK/unsigned-$case_name.eml"
  for canon in simple relaxed; do
    out="maildkim-rsa-$canon-$case_name"
    /usr/bin/perl "$HERE/dkimv_sign_maildkim.pl" "$RSA_KEY" "$canon" \
      < "$WORK/unsigned-$case_name.eml" > "$WORK/$out.eml" || die "Mail::DKIM could not sign $case_name"
    /usr/bin/python3 -c 'import sys
m = open(sys.argv[1], "rb").read()
head, sep, body = m.partition(b"\r\n\r\n")
body = body + b"tampered\r\n"
sys.stdout.buffer.write(head + sep + body)' "$WORK/$out.eml" > "$WORK/$out.tampered.eml"
    echo "$out" >> "$WORK/cases.txt"
  done
done

# Mail::DKIM's simple body canonicalization of a body without a final CRLF does not add the
# CRLF that RFC 6376 3.4.3 requires; dkimpy rejects that signature too (checked by hand with
# dkim.verify). postseal must agree with dkimpy there: a body hash mismatch, not a pass.
quirk=maildkim-rsa-simple-no-final-crlf
set +e
out=$("$POSTSEAL" verify --dns-zone "$WORK/keys.zone" < "$WORK/$quirk.eml" 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] && grep -q '(body hash mismatch)' <<<"$out" || die "$quirk: want body hash mismatch: $out"
grep -v -x "$quirk" "$WORK/cases.txt" > "$WORK/cases.checked"

verified=0
for name in $(cat "$WORK/cases.checked"); do
  set +e
  out=$("$POSTSEAL" verify --dns-zone "$WORK/keys.zone" < "$WORK/$name.eml" 2>&1)
  rc=$?
  bad=$("$POSTSEAL" verify --dns-zone "$WORK/keys.zone" < "$WORK/$name.tampered.eml" 2>&1)
  bad_rc=$?
  set -e
  [ $rc -eq 0 ] && grep -q '^dkim=pass ' <<<"$out" || die "$name: not verified (exit $rc): $out"
  [ $bad_rc -eq 1 ] || die "$name.tampered: exit $bad_rc, want 1: $bad"
  if grep -q '^dkim=pass' <<<"$bad"; then die "$name.tampered: passed: $bad"; fi
  grep -q '^dkim=fail .*(body hash mismatch)' <<<"$bad" || die "$name.tampered: $bad"
  verified=$((verified + 1))
done
[ "$verified" -ge 50 ] || die "only $verified messages checked"
echo "dkim_verify_peers: $verified peer-signed messages verified, their tampered copies failed"

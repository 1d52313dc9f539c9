#!/usr/bin/env bash
# dkim_sign_peers.sh - messages signed by `postseal sign` verify with real peers.
#
# A generated corpus of hard cases (empty body, no final newline, trailing blank lines,
# whitespace runs, dot lines, 8-bit octets, long folded headers, 998-octet lines, CRLF and
# LF input) is signed with RSA-2048, Ed25519 and both (dual), with simple/simple,
# relaxed/relaxed and relaxed/simple, by keys that `postseal keygen` made. Every signature
# must verify with dkimpy (python3-dkim, all algorithms) and every rsa-sha256 one with
# Mail::DKIM (libmail-dkim-perl); DNS is the keygen records served through each peer's
# lookup hook (no network). Tampered copies (a body line added; a second Subject added,
# which oversigning must catch: docs/security.md 16; in the RFC 8058 case a second
# List-Unsubscribe or List-Unsubscribe-Post added) must fail in both. Also: two From or none is
# refused (docs/security.md 15), a group-readable key is refused naming the chmod (docs/security.md 18), and
# a negative --timestamp or a non-positive --expire is a usage error (exit 64), never t=-5.
set -euo pipefail

: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
HERE="$POSTSEAL_SRC/tests/interop/dkim"
PY=/usr/bin/python3
PERL=/usr/bin/perl

fail() { echo "dkim_sign_peers: FAIL: $*" >&2; exit 1; }

$PY -c 'import dkim' 2>/dev/null || fail "python3-dkim is not installed for $PY"
$PERL -MMail::DKIM::Verifier -e1 2>/dev/null || fail "libmail-dkim-perl is not installed for $PERL"

WORK=$(mktemp -d /tmp/postseal-dkim-sign.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/keys" "$WORK/corpus" "$WORK/signed" "$WORK/tampered"

# Keys and the DNS table (name value), from `postseal keygen --json`.
for spec in rsa:rsa2026 ed25519:ed2026; do
  type=${spec%%:*} sel=${spec##*:}
  "$POSTSEAL" keygen --domain example.com --selector "$sel" --type "$type" --dir "$WORK/keys" --json \
    > "$WORK/keys/$sel.json" 2>/dev/null || fail "keygen $type"
  $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["name"], r["value"])' \
    "$WORK/keys/$sel.json" >> "$WORK/dns.txt"
done
RSA="rsa2026:$WORK/keys/rsa2026.private"
ED="ed2026:$WORK/keys/ed2026.private"

$PY "$HERE/make_corpus.py" "$WORK/corpus"

# sign every message with every key set and canonicalization
count=0
for msg in "$WORK"/corpus/*.eml; do
  base=$(basename "$msg" .eml)
  for canon in simple/simple relaxed/relaxed relaxed/simple; do
    for keyset in rsa ed dual; do
      case $keyset in
        rsa) keys=(--key "$RSA") ;;
        ed) keys=(--key "$ED") ;;
        dual) keys=(--key "$RSA" --key "$ED") ;;
      esac
      out="$WORK/signed/${base}_${canon/\//-}_$keyset.eml"
      "$POSTSEAL" sign --domain example.com "${keys[@]}" --canon "$canon" < "$msg" > "$out" \
        || fail "postseal sign $base $canon $keyset"
      grep -q $'\r$' "$out" || fail "$out has no CRLF line ends"
      awk '/^DKIM-Signature:/ || /^ / {print; next} {exit}' "$out" | tr -d '\r\n\t ' \
        | grep -qE '[:;]l=' && fail "$out has an l= tag"
      # tampered copies: one body line more; a second Subject (oversigned: must break)
      { cat "$out"; printf 'tampered line\r\n'; } > "$WORK/tampered/${base}_${canon/\//-}_${keyset}_body.eml"
      { printf 'Subject: second subject\r\n'; cat "$out"; } > "$WORK/tampered/${base}_${canon/\//-}_${keyset}_subject.eml"
      if grep -q '^List-Unsubscribe-Post:' "$msg"; then  # RFC 8058 4: oversigned when present
        { printf 'List-Unsubscribe: <https://attacker.example/u>\r\n'; cat "$out"; } \
          > "$WORK/tampered/${base}_${canon/\//-}_${keyset}_unsubscribe.eml"
        { printf 'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n'; cat "$out"; } \
          > "$WORK/tampered/${base}_${canon/\//-}_${keyset}_unsubscribe_post.eml"
      fi
      count=$((count + 1))
    done
  done
done
echo "dkim_sign_peers: signed $count messages"

$PY "$HERE/verify_dkimpy.py" "$WORK/dns.txt" pass "$WORK"/signed/*.eml > "$WORK/dkimpy_pass.log" \
  || { grep -v ' ok$' "$WORK/dkimpy_pass.log" >&2; fail "dkimpy did not verify every postseal signature"; }
$PY "$HERE/verify_dkimpy.py" "$WORK/dns.txt" fail "$WORK"/tampered/*.eml > "$WORK/dkimpy_fail.log" \
  || { grep -v ' ok$' "$WORK/dkimpy_fail.log" >&2; fail "dkimpy verified a tampered message"; }
echo "dkim_sign_peers: dkimpy: $(grep -c ' ok$' "$WORK/dkimpy_pass.log") signed pass, $(grep -c ' ok$' "$WORK/dkimpy_fail.log") tampered fail"

rsa_signed=("$WORK"/signed/*_rsa.eml "$WORK"/signed/*_dual.eml)
rsa_tampered=("$WORK"/tampered/*_rsa_*.eml "$WORK"/tampered/*_dual_*.eml)
$PERL "$HERE/verify_mail_dkim.pl" "$WORK/dns.txt" pass "${rsa_signed[@]}" > "$WORK/perl_pass.log" \
  || { grep -v ' ok$' "$WORK/perl_pass.log" >&2; fail "Mail::DKIM did not verify every postseal RSA signature"; }
$PERL "$HERE/verify_mail_dkim.pl" "$WORK/dns.txt" fail "${rsa_tampered[@]}" > "$WORK/perl_fail.log" \
  || { grep -v ' ok$' "$WORK/perl_fail.log" >&2; fail "Mail::DKIM verified a tampered message"; }
echo "dkim_sign_peers: Mail::DKIM: $(grep -c ' ok$' "$WORK/perl_pass.log") signed pass, $(grep -c ' ok$' "$WORK/perl_fail.log") tampered fail"

# docs/security.md 15: two From, or none -> not signed (exit 65, nothing on stdout)
for bad in 'From: a@example.com\nFrom: b@example.com\n\nbody\n' 'To: a@example.com\n\nbody\n'; do
  set +e
  printf "$bad" | "$POSTSEAL" sign --domain example.com --key "$RSA" > "$WORK/out" 2> "$WORK/err"
  rc=$?
  set -e
  [ "$rc" -eq 65 ] || fail "ambiguous From: exit $rc, wanted 65"
  [ ! -s "$WORK/out" ] || fail "ambiguous From: output was written"
  grep -q 'not signed' "$WORK/err" || fail "ambiguous From: no reason given"
done

# docs/security.md 18: a group-readable key is refused naming the file and the fix
cp "$WORK/keys/rsa2026.private" "$WORK/open.private"
chmod 640 "$WORK/open.private"
set +e
printf 'From: a@example.com\n\nx\n' | "$POSTSEAL" sign --domain example.com --key "s:$WORK/open.private" > /dev/null 2> "$WORK/err"
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "group-readable key: exit $rc, wanted 78"
grep -qF "chmod 600 $WORK/open.private" "$WORK/err" || fail "group-readable key: message lacks the chmod: $(cat "$WORK/err")"

# a t= our own verifier would refuse is never written: negative --timestamp, --expire <= 0
for opts in "--timestamp -5" "--timestamp -1 --expire 60" "--expire 0" "--expire -5"; do
  set +e
  # shellcheck disable=SC2086
  printf 'From: a@example.com\n\nx\n' | "$POSTSEAL" sign --domain example.com --key "$RSA" $opts \
    > "$WORK/out" 2> "$WORK/err"
  rc=$?
  set -e
  [ "$rc" -eq 64 ] || fail "sign $opts: exit $rc, wanted 64"
  [ ! -s "$WORK/out" ] || fail "sign $opts: output was written"
done
printf 'From: a@example.com\n\nx\n' | "$POSTSEAL" sign --domain example.com --key "$RSA" --timestamp 0 \
  | grep -q 't=0;' || fail "sign --timestamp 0: no t=0"

echo "dkim_sign_peers: ok"

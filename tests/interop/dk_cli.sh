#!/usr/bin/env bash
# dk_cli.sh - the DomainKeys (RFC 4870) command-line wiring, checked against Mail::DKIM.
#
# 1. `postseal keygen --domainkeys` makes an RSA key, prints a k=rsa record without h= and a
#    note that the selector serves DKIM and DomainKeys; with --type ed25519 it is a usage error.
# 2. `postseal sign --domainkeys nofws|simple` signs tests/data/domainkeys/messages/*: the
#    DomainKey-Signature is the first field, above the DKIM-Signature; Mail::DKIM::Verifier
#    passes every copy (both canonicalizations) and fails a tampered copy (body line added).
# 3. `postseal verify --dns-zone` prints domainkeys=pass for the signed copies and
#    domainkeys=fail for the tampered ones (exit status from DKIM only).
# 4. Sender rules: a From outside the signing domain gets no DomainKey-Signature, a reason on
#    stderr, and is still DKIM-signed; an Ed25519-only --key skips DomainKeys with a message.
# Env: POSTSEAL (binary), POSTSEAL_SRC (set by ctest). No network, no daemons.
set -euo pipefail

fail() { echo "dk_cli: FAIL: $*" >&2; exit 1; }

: "${POSTSEAL:?POSTSEAL not set}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC not set}"
PERL=/usr/bin/perl
HELPER="$POSTSEAL_SRC/tests/interop/domainkeys/maildkim.pl"
DATA="$POSTSEAL_SRC/tests/data/domainkeys"
"$PERL" -MMail::DKIM::Verifier -MNet::DNS -e 1 2>/dev/null ||
  fail "Mail::DKIM or Net::DNS missing for $PERL (apt-get install libmail-dkim-perl)"

work=$(mktemp -d "${TMPDIR:-/tmp}/dk_cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/keys" "$work/out"

echo "== keygen --domainkeys"
"$POSTSEAL" keygen --domain example.com --selector dk1 --bits 1024 --dir "$work/keys" --domainkeys \
  >"$work/record.zone" 2>"$work/keygen.err" || { cat "$work/keygen.err"; fail "keygen --domainkeys"; }
grep -q "selector dk1 serves both DKIM and DomainKeys" "$work/keygen.err" ||
  fail "keygen --domainkeys printed no note: $(cat "$work/keygen.err")"
grep -q 'k=rsa' "$work/record.zone" || fail "record has no k=rsa: $(cat "$work/record.zone")"
if grep -q 'h=' "$work/record.zone"; then fail "record has h= (shuts DomainKeys out)"; fi
# the record value: the quoted strings joined
record=$(tr -d '\n' < "$work/record.zone" | grep -o '"[^"]*"' | tr -d '"' | tr -d '\n')
case "$record" in *"p="?*) ;; *) fail "cannot read the record value from: $(cat "$work/record.zone")" ;; esac
set +e
"$POSTSEAL" keygen --domain example.com --selector dk2 --type ed25519 --dir "$work/keys" --domainkeys \
  >/dev/null 2>"$work/ed.err"
rc=$?
set -e
[ "$rc" -eq 64 ] || fail "keygen --type ed25519 --domainkeys: exit $rc, want 64"
grep -qi "ed25519" "$work/ed.err" || fail "keygen ed25519 --domainkeys gave no reason"
key="$work/keys/dk1.private"
cp "$work/record.zone" "$work/keys.zone"

echo "== sign --domainkeys, Mail::DKIM and postseal verify"
n=0
for msg in "$DATA"/messages/*.eml; do
  name=$(basename "$msg" .eml)
  for canon in nofws simple; do
    out="$work/out/$name.$canon.pass.eml"
    "$POSTSEAL" sign --domain example.com --key "dk1:$key" --domainkeys "$canon" <"$msg" >"$out" \
      2>"$work/sign.err" || { cat "$work/sign.err"; fail "sign --domainkeys $canon $name"; }
    head -1 "$out" | grep -q '^DomainKey-Signature:' || fail "$name/$canon: DomainKey-Signature is not first"
    sed -n '1,/^DKIM-Signature:/p' "$out" | grep -q "c=$canon" || fail "$name/$canon: no c=$canon"
    grep -q '^DKIM-Signature:' "$out" || fail "$name/$canon: no DKIM-Signature"
    dk_line=$(grep -n '^DomainKey-Signature:' "$out" | head -1 | cut -d: -f1)
    dkim_line=$(grep -n '^DKIM-Signature:' "$out" | head -1 | cut -d: -f1)
    [ "$dk_line" -lt "$dkim_line" ] || fail "$name/$canon: DomainKey-Signature below DKIM-Signature"
    tampered="$work/out/$name.$canon.fail.eml"
    { cat "$out"; case "$(tail -c 2 "$out" | od -An -c | tr -d ' ')" in '\r\n') ;; *) printf '\r\n' ;; esac
      printf 'tampered\r\n'; } >"$tampered"
    # postseal verify: DKIM gives the exit status, DomainKeys the extra line
    v=$("$POSTSEAL" verify --dns-zone "$work/keys.zone" <"$out" 2>&1) || fail "$name/$canon: verify exit $?: $v"
    grep -q '^domainkeys=pass header.d=example.com' <<<"$v" || fail "$name/$canon: postseal verify: $v"
    set +e
    v=$("$POSTSEAL" verify --dns-zone "$work/keys.zone" <"$tampered" 2>&1)
    rc=$?
    set -e
    [ "$rc" -eq 1 ] || fail "$name/$canon tampered: verify exit $rc (DKIM must fail)"
    grep -q '^domainkeys=fail' <<<"$v" || fail "$name/$canon tampered: postseal verify: $v"
    n=$((n + 1))
  done
done
[ "$n" -ge 10 ] || fail "only $n messages signed"
"$PERL" "$HELPER" verify "$record" "$work"/out/*.eml || fail "Mail::DKIM disagrees with postseal sign --domainkeys"

echo "== sender rules and Ed25519-only"
printf 'From: Mallory <m@example.net>\r\nTo: b@example.org\r\nSubject: x\r\n\r\nbody\r\n' >"$work/other.eml"
"$POSTSEAL" sign --domain example.com --key "dk1:$key" --domainkeys nofws <"$work/other.eml" \
  >"$work/other.out" 2>"$work/other.err" || { cat "$work/other.err"; fail "foreign From: sign failed"; }
grep -q 'no DomainKey-Signature' "$work/other.err" || fail "foreign From: no reason on stderr"
if grep -q '^DomainKey-Signature:' "$work/other.out"; then fail "foreign From got a DomainKey-Signature"; fi
grep -q '^DKIM-Signature:' "$work/other.out" || fail "foreign From: not DKIM-signed"
"$POSTSEAL" keygen --domain example.com --selector ed1 --type ed25519 --dir "$work/keys" >/dev/null 2>&1 ||
  fail "keygen ed25519"
"$POSTSEAL" sign --domain example.com --key "ed1:$work/keys/ed1.private" --domainkeys nofws \
  <"$DATA/messages/basic.eml" >"$work/ed.out" 2>"$work/ed.err" || { cat "$work/ed.err"; fail "ed25519 sign"; }
grep -q 'needs an RSA key' "$work/ed.err" || fail "ed25519-only: no message: $(cat "$work/ed.err")"
grep -q '^DKIM-Signature:' "$work/ed.out" || fail "ed25519-only: not DKIM-signed"
if grep -q '^DomainKey-Signature:' "$work/ed.out"; then fail "ed25519-only got a DomainKey-Signature"; fi

echo "dk_cli: OK ($n signed messages and $n tampered copies; keygen, sender rules, ed25519-only)"

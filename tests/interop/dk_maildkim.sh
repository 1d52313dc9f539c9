#!/usr/bin/env bash
# dk_maildkim.sh - DomainKeys (RFC 4870) interop with Mail::DKIM (Debian libmail-dkim-perl).
#
# 1. postseal signs tests/data/domainkeys/messages/* (nofws and simple, with and without h=)
#    through the unit_domainkeys driver (DkPeer.SignForPeer with DK_SIGN_OUT); Mail::DKIM's
#    Verifier must pass every signed copy and fail every tampered copy.
# 2. Mail::DKIM signs the same messages (Signer with a DkSignature policy, both
#    canonicalizations, with and without h=); our verifier (DkPeer.PeerSignedMessagesVerify
#    with DK_PEER_DIR) must pass them and fail tampered copies.
# Both sides use the same key: Mail::DKIM's DNS lookups are answered by a stub resolver
# (Mail::DKIM::DNS::resolver), ours by a MemoryZone. No network, no daemons.
# Env: POSTSEAL_SRC, POSTSEAL_BUILD (set by ctest).
set -euo pipefail

fail() { echo "dk_maildkim: FAIL: $*" >&2; exit 1; }

: "${POSTSEAL_SRC:?POSTSEAL_SRC not set}"
: "${POSTSEAL_BUILD:?POSTSEAL_BUILD not set}"
PERL=/usr/bin/perl
DRIVER="$POSTSEAL_BUILD/tests/unit_domainkeys"
HELPER="$POSTSEAL_SRC/tests/interop/domainkeys/maildkim.pl"
DATA="$POSTSEAL_SRC/tests/data/domainkeys"

[ -x "$DRIVER" ] || fail "$DRIVER not built (cmake --build ... --target unit_domainkeys)"
"$PERL" -MMail::DKIM::Verifier -MMail::DKIM::DkSignature -MNet::DNS -e 1 2>/dev/null ||
  fail "Mail::DKIM or Net::DNS missing for $PERL (apt-get install libmail-dkim-perl)"

work=$(mktemp -d "${TMPDIR:-/tmp}/dk_maildkim.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/ours" "$work/theirs"
# the key file is checked into git (mode 0644 there); Mail::DKIM does not care, copy it anyway
install -m 0600 "$DATA/rsa1024.pem" "$work/key.pem"
record="k=rsa; p=$(tr -d '\n' < "$DATA/rsa1024.pub.b64")"
messages=("$DATA"/messages/*.eml)
[ "${#messages[@]}" -ge 5 ] || fail "expected at least 5 messages in $DATA/messages"

echo "== postseal signs, Mail::DKIM verifies"
DK_SIGN_OUT="$work/ours" "$DRIVER" --gtest_filter='DkPeer.SignForPeer' >"$work/sign.log" 2>&1 ||
  { cat "$work/sign.log"; fail "postseal could not sign the messages"; }
ours=("$work"/ours/*.eml)
want=$(( ${#messages[@]} * 8 ))
[ "${#ours[@]}" -eq "$want" ] || fail "postseal wrote ${#ours[@]} files, expected $want"
"$PERL" "$HELPER" verify "$record" "${ours[@]}" || fail "Mail::DKIM disagrees with postseal's signatures"

echo "== Mail::DKIM signs, postseal verifies"
"$PERL" "$HELPER" sign "$work/key.pem" example.com sel "$work/theirs" "${messages[@]}" ||
  fail "Mail::DKIM could not sign"
theirs=("$work"/theirs/*.eml)
[ "${#theirs[@]}" -eq "$want" ] || fail "Mail::DKIM wrote ${#theirs[@]} files, expected $want"
# sanity: Mail::DKIM agrees with itself, so a failure below is ours
"$PERL" "$HELPER" verify "$record" "${theirs[@]}" >/dev/null || fail "Mail::DKIM fails its own signatures"
printf '%s\n' "$record" > "$work/theirs/key.txt"
DK_PEER_DIR="$work/theirs" "$DRIVER" --gtest_filter='DkPeer.PeerSignedMessagesVerify' \
  >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "postseal disagrees with Mail::DKIM's signatures"; }

echo "dk_maildkim: OK (${#ours[@]} postseal-signed and ${#theirs[@]} Mail::DKIM-signed files, half tampered)"

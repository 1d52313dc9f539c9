#!/usr/bin/env bash
# bare_cr_header.sh - a bare CR inside a header field ("X: y<CR>From: evil@attacker.example")
# added above a message our signer signed must not verify as dkim=pass: a reader that splits
# lines at the CR would show a second From under a passing signature. `postseal verify`
# answers permerror "bare CR in header"; the clean signed copy still passes.
# No network (--dns-zone). Env: POSTSEAL.
set -euo pipefail
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
work=$(mktemp -d "${TMPDIR:-/tmp}/bare_cr.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$POSTSEAL" keygen --domain example.com --selector s1 --type ed25519 --dir "$work" >"$work/keys.zone" 2>/dev/null ||
  fail "keygen"
printf 'From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n' >"$work/msg.eml"
"$POSTSEAL" sign --domain example.com --key "s1:$work/s1.private" <"$work/msg.eml" >"$work/signed.eml" ||
  fail "sign"

out=$("$POSTSEAL" verify --dns-zone "$work/keys.zone" <"$work/signed.eml" 2>&1) || fail "clean copy: verify exit $?: $out"
grep -q '^dkim=pass' <<<"$out" || fail "clean copy does not pass: $out"
echo "ok: the signed message passes"

{ printf 'X: y\rFrom: evil@attacker.example\r\n'; cat "$work/signed.eml"; } >"$work/bare_cr.eml"
rc=0
out=$("$POSTSEAL" verify --dns-zone "$work/keys.zone" <"$work/bare_cr.eml" 2>&1) || rc=$?
grep -q 'dkim=pass' <<<"$out" && fail "bare CR above a signed message gives a pass: $out"
[ "$rc" -ne 0 ] || fail "bare CR: verify exit 0: $out"
grep -q '^dkim=permerror.*bare CR in header' <<<"$out" || fail "bare CR: want permerror 'bare CR in header', got: $out"
echo "ok: bare CR in a header field is a permerror"
echo "bare_cr_header: all checks passed"

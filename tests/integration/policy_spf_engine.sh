#!/usr/bin/env bash
# policy_spf_engine.sh - `postseal policy` evaluates SPF with the engine spf.engine names: a
# case where libspf2 and the native engine differ (policy/spf_engine.zone) gives the native
# answer by default and with spf.engine = "native", the libspf2 answer with
# spf.engine = "libspf2"; an unknown engine is a config error (exit 78). No Postfix, no
# network: one policy request on stdin, the zone through --dns-zone.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
ZONE="$POSTSEAL_SRC/tests/integration/policy/spf_engine.zone"
T=$(mktemp -d /var/tmp/postseal-policy-engine.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAIL=0
ok() { echo "PASS: $*"; }
bad() { FAIL=1; echo "FAIL: $*"; }
request() {
  printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=1.2.3.4\n'
  printf 'client_name=unknown\nhelo_name=\nsender=foo@e1.example.com\nrecipient=r@dest.example\n\n'
}
# policy CONFIG_TEXT - the action line `postseal policy` answers with that config file.
policy() {
  printf '%s\n' "$1" > "$T/postseal.toml"
  request | "$POSTSEAL" policy -c "$T/postseal.toml" --dns-zone "$ZONE" --authserv-id mx.test \
    --foreground 2>"$T/stderr" | head -1
}
check() {  # NAME CONFIG_TEXT WANT_PREFIX
  local got
  got=$(policy "$2")
  case "$got" in "$3"*) ok "$1: $3" ;; *) bad "$1: want '$3...', got '$got'"; cat "$T/stderr" ;; esac
}
check "default engine" "" "action=PREPEND Received-SPF: pass "
check "native engine" $'[spf]\nengine = "native"' "action=PREPEND Received-SPF: pass "
check "libspf2 engine" $'[spf]\nengine = "libspf2"' "action=PREPEND Received-SPF: permerror "
check "libspf2 engine, permerror_reject" $'[spf]\nengine = "libspf2"\n[verifier]\npermerror_reject = true' \
  "action=550 5.7.24 "
printf '[spf]\nengine = "nonesuch"\n' > "$T/bad.toml"
request | "$POSTSEAL" policy -c "$T/bad.toml" --dns-zone "$ZONE" --foreground >"$T/out" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "spf.engine" "$T/out"; then ok "unknown engine: exit 78 naming spf.engine"
else bad "unknown engine: exit $rc: $(cat "$T/out")"; fi
[ $FAIL -eq 0 ] && echo "PASS: policy SPF engine" || exit 1

#!/usr/bin/env bash
# policy_greylist.sh - `postseal policy --greylist` spawned on stdin/stdout as master.cf runs
# it: a first attempt gets DEFER_IF_PERMIT 4.7.1, a retry after greylist.delay (2 s here)
# passes with Received-SPF on the first recipient and X-Greylist on the second, an SPF fail is
# still rejected (policy/greylist_conversation.py). A bad whitelist line is a start-up error
# naming FILE:LINE (exit 78); a missing explicitly configured whitelist file too. No Postfix,
# no network: the zone through --dns-zone.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
H="$POSTSEAL_SRC/tests/integration/policy"
T=$(mktemp -d /var/tmp/postseal-policy-greylist.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAIL=0
ok() { echo "PASS: $*"; }
bad() { FAIL=1; echo "FAIL: $*"; }

printf '/^mx\\d+\\.whitelisted\\.example$/\n' > "$T/clients"
cat > "$T/postseal.toml" <<EOT
[greylist]
delay = 2
whitelist_clients = ["$T/clients"]
whitelist_recipients = []
EOT
/usr/bin/python3 "$H/greylist_conversation.py" "$POSTSEAL" "$T/postseal.toml" "$H/greylist.zone" 2 \
  2>"$T/stderr" || { bad "greylisting conversation"; tail -20 "$T/stderr"; }
grep -q "greylisting: store " "$T/stderr" && ok "start-up names the store" || bad "no start-up line: $(head -5 "$T/stderr")"

request() {
  printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n'
  printf 'client_name=unknown\nhelo_name=h.example\nsender=a@sender.example\nrecipient=r@dest.example\n\n'
}
printf 'good.example\nnot a host name\n' > "$T/bad_clients"
printf '[greylist]\nwhitelist_clients = ["%s"]\n' "$T/bad_clients" > "$T/bad.toml"
request | "$POSTSEAL" policy --greylist -c "$T/bad.toml" --dns-zone "$H/greylist.zone" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "$T/bad_clients:2:" "$T/out"; then ok "bad whitelist line: exit 78 naming FILE:LINE"
else bad "bad whitelist line: exit $rc: $(cat "$T/out")"; fi
printf '[greylist]\nwhitelist_clients = ["%s/missing"]\n' "$T" > "$T/missing.toml"
request | "$POSTSEAL" policy --greylist -c "$T/missing.toml" --dns-zone "$H/greylist.zone" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "$T/missing" "$T/out"; then ok "missing configured whitelist: exit 78 naming it"
else bad "missing configured whitelist: exit $rc: $(cat "$T/out")"; fi
# without --greylist (and greylist.enable false) nothing is deferred
got=$(request | "$POSTSEAL" policy -c "$T/missing.toml" --dns-zone "$H/greylist.zone" 2>/dev/null | head -1)
case "$got" in "action=PREPEND Received-SPF: pass "*) ok "greylisting off by default" ;; *) bad "off: $got" ;; esac
[ $FAIL -eq 0 ] && echo "PASS: policy greylisting" || exit 1

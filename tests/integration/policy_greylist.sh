#!/usr/bin/env bash
# policy_greylist.sh - `postseal policy --greylist` spawned on stdin/stdout as master.cf runs
# it: a first attempt gets DEFER_IF_PERMIT 4.7.1, a retry after greylist.delay (2 s here)
# passes with Received-SPF on the first recipient and X-Greylist on the second, an SPF fail is
# still rejected (policy/greylist_conversation.py); the state is in a SQLite file
# (state.backend = "sqlite" in a temp dir), so a second `postseal policy` process (Postfix
# spawns one per connection) sees the passed triplets, and `postseal greylist show|stats|
# forget|allow` reads and changes them. A bad whitelist line is a start-up error naming
# FILE:LINE (exit 78); a missing explicitly configured whitelist file too. No Postfix, no
# network: the zone through --dns-zone.
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
[state]
backend = "sqlite"
path = "$T/state.db"
EOT
/usr/bin/python3 "$H/greylist_conversation.py" "$POSTSEAL" "$T/postseal.toml" "$H/greylist.zone" 2 \
  2>"$T/stderr" || { bad "greylisting conversation"; tail -20 "$T/stderr"; }
grep -q "greylisting: store " "$T/stderr" && ok "start-up names the store" || bad "no start-up line: $(head -5 "$T/stderr")"

[ -s "$T/state.db" ] && ok "state kept in the SQLite file" || bad "no SQLite file at $T/state.db"

# request IP SENDER RECIPIENT - one policy request
request() {
  printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\n' "${1:-192.0.2.1}"
  printf 'client_name=unknown\nhelo_name=h.example\nsender=%s\nrecipient=%s\n\n' "${2:-a@sender.example}" \
    "${3:-r@dest.example}"
}
# policy ARGS... - the first answer line of a fresh `postseal policy --greylist` process
policy() {
  request "$@" | "$POSTSEAL" policy --greylist -c "$T/postseal.toml" --dns-zone "$H/greylist.zone" \
    --authserv-id mx.test.example 2>>"$T/stderr2" | head -1
}
got=$(policy 192.0.2.99 alice@sender.example r2@dest.example)
case "$got" in "action=PREPEND Received-SPF: pass "*) ok "another process sees the passed triplet" ;;
  *) bad "another process: $got" ;; esac
got=$("$POSTSEAL" greylist show 192.0.2.10 Alice@sender.example R1@dest.example -c "$T/postseal.toml" 2>&1)
echo "$got" | grep -q "192.0.2.0/24/alice@sender.example/r1@dest.example: first seen .*: passed" \
  && ok "greylist show: passed" || bad "greylist show: $got"
got=$("$POSTSEAL" greylist stats -c "$T/postseal.toml" 2>&1)
echo "$got" | grep -q "triplets: 3 (2 passed, 1 waiting)" && ok "greylist stats" || bad "greylist stats: $got"
"$POSTSEAL" greylist forget 192.0.2.10 alice@sender.example r1@dest.example -c "$T/postseal.toml" >/dev/null 2>&1 \
  && ok "greylist forget" || bad "greylist forget failed"
got=$(policy 192.0.2.10 alice@sender.example r1@dest.example)
case "$got" in "action=DEFER_IF_PERMIT 4.7.1 Greylisted"*) ok "forgotten triplet greylisted again" ;;
  *) bad "after forget: $got" ;; esac
"$POSTSEAL" greylist allow 192.0.2.10 alice@sender.example r1@dest.example -c "$T/postseal.toml" >/dev/null 2>&1
got=$(policy 192.0.2.10 alice@sender.example r1@dest.example)
case "$got" in "action=PREPEND Received-SPF: pass "*) ok "allowed triplet passes" ;; *) bad "after allow: $got" ;; esac
"$POSTSEAL" greylist forget 192.0.2.10 alice@sender.example nobody@dest.example -c "$T/postseal.toml" >/dev/null 2>&1
[ $? -eq 1 ] && ok "forget of an unknown triplet: exit 1" || bad "forget of an unknown triplet did not exit 1"
"$POSTSEAL" greylist show not-an-ip a@b c@d -c "$T/postseal.toml" >/dev/null 2>&1
[ $? -eq 64 ] && ok "bad CLIENT: exit 64" || bad "bad CLIENT did not exit 64"
printf 'good.example\nnot a host name\n' > "$T/bad_clients"
printf '[greylist]\nwhitelist_clients = ["%s"]\n[state]\nbackend = "memory"\n' "$T/bad_clients" > "$T/bad.toml"
request | "$POSTSEAL" policy --greylist -c "$T/bad.toml" --dns-zone "$H/greylist.zone" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "$T/bad_clients:2:" "$T/out"; then ok "bad whitelist line: exit 78 naming FILE:LINE"
else bad "bad whitelist line: exit $rc: $(cat "$T/out")"; fi
printf '[greylist]\nwhitelist_clients = ["%s/missing"]\n[state]\nbackend = "memory"\n' "$T" > "$T/missing.toml"
request | "$POSTSEAL" policy --greylist -c "$T/missing.toml" --dns-zone "$H/greylist.zone" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 78 ] && grep -q "$T/missing" "$T/out"; then ok "missing configured whitelist: exit 78 naming it"
else bad "missing configured whitelist: exit $rc: $(cat "$T/out")"; fi
# without --greylist (and greylist.enable false) nothing is deferred
got=$(request | "$POSTSEAL" policy -c "$T/missing.toml" --dns-zone "$H/greylist.zone" 2>/dev/null | head -1)
case "$got" in "action=PREPEND Received-SPF: pass "*) ok "greylisting off by default" ;; *) bad "off: $got" ;; esac
# greylist.enable = true in the file, no --greylist flag
printf '[greylist]\nenable = true\nwhitelist_clients = []\n[state]\nbackend = "memory"\n' > "$T/enabled.toml"
got=$(request | "$POSTSEAL" policy -c "$T/enabled.toml" --dns-zone "$H/greylist.zone" 2>/dev/null | head -1)
case "$got" in "action=DEFER_IF_PERMIT 4.7.1 Greylisted"*) ok "greylist.enable = true without --greylist" ;;
  *) bad "greylist.enable = true: $got" ;; esac

# `postseal verifier` with greylist.enable, as the unit starts it (root, --user nobody): the store is
# opened after the privileges are dropped, so the SQLite file belongs to nobody.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
  mkdir "$T/var" && chown nobody "$T/var" && chmod 755 "$T"
  printf '[greylist]\nenable = true\nwhitelist_clients = []\nwhitelist_recipients = []\n[state]\npath = "%s/var/state.db"\n' \
    "$T" > "$T/daemon.toml"
  # the verifier's own listener, again on a new port when a test running beside this one took
  # the chosen one first (start_listening, tests/lib/ports.sh)
  . "$POSTSEAL_SRC/tests/lib/ports.sh"
  PORT=$(free_port)
  spawn_verifier() {
    "$POSTSEAL" verifier -c "$T/daemon.toml" --listen "127.0.0.1:$PORT" --dns-zone "$H/greylist.zone" --user nobody \
      --log stderr --foreground > "$T/verifier.log" 2>&1 &
    LISTEN_PID=$!
  }
  START_LISTENING_TENTHS=50 start_listening spawn_verifier "$T/verifier.log" PORT
  VPID=$LISTEN_PID
  got=$(request 192.0.2.7 v@sender.example r@dest.example | /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.stdin.buffer.read())
data = b""
while not data.endswith(b"\n\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().splitlines()[0] if data else "<no answer>")' "$PORT")
  kill "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null
  case "$got" in "action=DEFER_IF_PERMIT 4.7.1 Greylisted"*) ok "verifier daemon greylists over TCP" ;;
    *) bad "verifier daemon: $got"; tail -5 "$T/verifier.log" ;; esac
  owner=$(stat -c %U "$T/var/state.db" 2>/dev/null)
  [ "$owner" = nobody ] && ok "SQLite file opened after dropping to nobody" || bad "state.db owner '$owner'"
fi
[ $FAIL -eq 0 ] && echo "PASS: policy greylisting" || exit 1

#!/usr/bin/env bash
# milter_socket.sh - the milter over a unix socket wired as conf/postfix/milter-main.cf says,
# through a real Postfix with its Debian defaults (mail_owner postfix, smtpd chrooted as
# Debian's master.cf has it) and this process's umask 022: `postseal verifier --milter
# unix:QUEUE_DIR/postseal/milter.sock --user nobody`, started as root.
# Checks: the socket is made mode 0660, owner nobody (the --user), group postfix, and the
# daemon runs as nobody; a chrooted smtpd with the chroot form (smtpd_milters =
# unix:postseal/milter.sock, relative to the queue directory) and a non-chrooted one with the
# absolute form both get the message through the milter (our A-R in the delivered message);
# a milter.socket_group that does not exist is a start-up error naming it; an empty one leaves
# the owner's group (the missing default group is a unit test: unit.frontends). Ports: Postfix 2811 (chroot) and 2812, smtp-sink 2813, unbound 5356. Root.
set -uo pipefail
umask 022
P_CHROOT=2811 P_PLAIN=2812 P_SINK=2813 DNS=5356
FE_NAME=milter-sock FE_PORTS="$P_CHROOT $P_PLAIN $P_SINK"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
fe_postfix $P_SINK
# the socket directory as conf/postfix/milter-main.cf has it: owned by the daemon's user,
# group postfix (so smtpd can reach the socket), nobody else
install -d -o nobody -g postfix -m 0750 "$R/spool/postseal"
SOCK="$R/spool/postseal/milter.sock"

# 1. A group that does not exist, configured: refused at start, naming the group.
printf '[milter]\nsocket_group = "no-such-group-x"\n' > "$U/badgroup.toml"
out=$("$POSTSEAL" verifier -c "$U/badgroup.toml" --foreground --listen "unix:$U/p0.sock" --milter "unix:$SOCK" \
  --dns "127.0.0.1@$DNS" --user nobody 2>&1 </dev/null)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "no-such-group-x"; then ok "configured group that does not exist: exit $rc naming it"
else bad "configured missing group: exit $rc: $out"; fi

# 2. The daemon as the unit starts it: root, umask 022, --user.
"$POSTSEAL" verifier --foreground --listen "unix:$U/policy.sock" --milter "unix:$SOCK" --dns "127.0.0.1@$DNS" \
  --authserv-id mx.test.local --user nobody > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
for i in $(seq 1 100); do [ -S "$SOCK" ] && grep -q "running as user" "$U/verifier.log" && break; sleep 0.1; done
[ -S "$SOCK" ] || die "no milter socket at $SOCK"
got=$(stat -c '%a %U %G' "$SOCK")
[ "$got" = "660 nobody postfix" ] && ok "socket mode 0660, owner nobody, group postfix" || bad "socket is '$got'"
euser=$(ps -o user= -p "$VERIFIER_PID" | tr -d ' ')
[ "$euser" = nobody ] && ok "verifier runs as nobody" || bad "verifier runs as '$euser'"

pf_master "127.0.0.1:$P_CHROOT inet n - y - - smtpd" \
  "  -o smtpd_milters=unix:postseal/milter.sock" \
  "127.0.0.1:$P_PLAIN inet n - n - - smtpd" \
  "  -o smtpd_milters=unix:$SOCK"
fe_start $P_SINK
pf_wait_master $P_PLAIN || die "postfix does not listen on $P_PLAIN"

# send PORT TOKEN - one message from an SPF-pass client; prints the transcript.
send() {
  printf 'From: a@spf-pass.example.com\r\nTo: rcpt@dest.example\r\nMessage-ID: <%s@milter-socket.test>\r\nSubject: %s\r\n\r\nbody\r\n' \
    "$2" "$2" > "$U/$2.eml"
  swaks --server 127.0.0.1 --port "$1" --from user@spf-pass.example.com --to rcpt@dest.example \
    --xclient-addr 192.0.2.10 --xclient-name mail.client.example.com --helo mail.client.example.com \
    --data "$U/$2.eml" </dev/null 2>&1
}
for form in "chroot:$P_CHROOT:unix:postseal/milter.sock" "absolute:$P_PLAIN:unix:$SOCK"; do
  name=${form%%:*} rest=${form#*:}; port=${rest%%:*} spec=${rest#*:}
  out=$(send "$port" "sock-$name")
  if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
    bad "$name form ($spec): refused: $(echo "$out" | grep -E '^ *<\*\*' | head -1 | tr -s ' ')"
  elif f=$(sink_find "<sock-$name@milter-socket.test>") && [ -n "$(ours "$f")" ]; then
    ok "$name form ($spec): delivered through the milter (our A-R: $(ours "$f" | cut -c1-70))"
  else
    bad "$name form ($spec): not delivered with our Authentication-Results"
  fi
done
grep -q "Permission denied" "$R/log/maillog" && bad "Postfix logged Permission denied: $(grep -m1 'Permission denied' "$R/log/maillog")"

stop_verifier && ok "verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"

# 3. socket_group = "" keeps the owner's group; socket_mode applies.
if getent group postfix >/dev/null; then
  printf '[milter]\nsocket_mode = "0600"\nsocket_group = ""\n' > "$U/nogroup.toml"
  "$POSTSEAL" verifier -c "$U/nogroup.toml" --foreground --listen "unix:$U/p1.sock" --milter "unix:$SOCK" \
    --dns "127.0.0.1@$DNS" > "$U/verifier-nogroup.log" 2>&1 &
  VERIFIER_PID=$!
  for i in $(seq 1 100); do [ -S "$SOCK" ] && grep -q "milter listening" "$U/verifier-nogroup.log" && break; sleep 0.1; done
  got=$(stat -c '%a %U %G' "$SOCK" 2>/dev/null)
  [ "$got" = "600 root root" ] && ok "socket_group = \"\", socket_mode = \"0600\": '$got'" || bad "empty group: socket is '$got'"
  stop_verifier || bad "verifier (empty group) did not stop"
fi
echo "milter_socket: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

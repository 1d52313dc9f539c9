#!/usr/bin/env bash
# policy_socket.sh - the policy service on a unix socket as conf/systemd/postseal-verifier.service
# allows it (verifier.policy_listen = "unix:QUEUE_DIR/private/postseal-policy"), started as the
# unit starts it: root, umask 022 (UMask= of the unit), --user nobody; Postfix's smtpd (user
# postfix, chrooted as Debian's master.cf has it) asks it with `check_policy_service
# unix:private/postseal-policy`.
# Checks: the socket is mode 0660, owner nobody (the daemon's user), group postfix (the
# defaults of verifier.policy_socket_mode / policy_socket_group), and no other user can
# connect; Postfix gets answers through it (an SPF fail sender is refused with 550 5.7.23, an
# SPF pass is delivered with Received-SPF); a configured mode and empty group apply
# (0600, the owner's group); a configured group that does not exist is a start-up error naming
# the key and group. Ports: Postfix 2851, smtp-sink 2853, unbound 5361. Root.
set -uo pipefail
umask 022
P_SMTPD=2851 P_SINK=2853 DNS=5361
FE_NAME=policy-sock FE_PORTS="$P_SMTPD $P_SINK"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"

unbound_start "$U" $DNS "$HERE/unbound-data.conf" || die "unbound did not start"
fe_postfix $P_SINK "smtpd_recipient_restrictions = reject_unauth_destination, check_policy_service unix:private/postseal-policy"
pf_master "127.0.0.1:$P_SMTPD inet n - y - - smtpd"
fe_start $P_SINK
SOCK="$R/spool/private/postseal-policy"
[ -d "$R/spool/private" ] || die "Postfix made no private directory"

# 1. A configured group that does not exist: refused at start, naming key and group.
printf '[verifier]\npolicy_socket_group = "no-such-group-x"\n' > "$U/badgroup.toml"
out=$(timeout 10 "$POSTSEAL" verifier -c "$U/badgroup.toml" --log stderr --listen "unix:$U/p0.sock" \
  --dns "127.0.0.1@$DNS" --user nobody 2>&1 </dev/null); rc=$?
if [ $rc -eq 78 ] && echo "$out" | grep -q "verifier.policy_socket_group: group 'no-such-group-x' does not exist"; then
  ok "configured policy_socket_group that does not exist: exit 78 naming key and group"
else bad "configured missing group: exit $rc: $out"; fi

# 2. As the unit starts it: root, umask 022, --user nobody.
"$POSTSEAL" verifier --log stderr --listen "unix:$SOCK" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
  --user nobody > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
for i in $(seq 1 100); do [ -S "$SOCK" ] && grep -q "starting:" "$U/verifier.log" && break; sleep 0.1; done
[ -S "$SOCK" ] || die "no policy socket at $SOCK"
got=$(stat -c '%a %U %G' "$SOCK")
[ "$got" = "660 nobody postfix" ] && ok "policy socket mode 0660, owner nobody, group postfix" || bad "policy socket is '$got'"
connect_as() {  # connect_as USER - exit 0 when USER can connect to the socket
  runuser -u "$1" -- /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$SOCK" 2>/dev/null
}
connect_as postfix && ok "user postfix can connect" || bad "user postfix cannot connect"
id daemon >/dev/null 2>&1 && { connect_as daemon && bad "user daemon (not in group postfix) can connect" || ok "other users cannot connect"; }

send() {  # send FROM ADDR TOKEN
  printf 'From: %s\r\nTo: rcpt@dest.example\r\nMessage-ID: <%s@policy-socket.test>\r\nSubject: %s\r\n\r\nbody\r\n' \
    "$1" "$3" "$3" > "$U/$3.eml"
  swaks --server 127.0.0.1 --port $P_SMTPD --from "$1" --to rcpt@dest.example --xclient-addr "$2" \
    --xclient-name unknown --xclient-helo mail.client.example.com --helo mail.client.example.com \
    --data "$U/$3.eml" </dev/null 2>&1
}
out=$(send user@spf-pass.example.com 198.51.100.5 pol-fail)
echo "$out" | grep -qE '^<\*\* +550 5\.7\.23 ' && ok "SPF fail refused by the policy service over the socket (550 5.7.23)" \
  || { bad "SPF fail not refused through the socket"; echo "$out" | grep -E '^ *<' | tail -3; }
out=$(send user@spf-pass.example.com 192.0.2.10 pol-pass)
if f=$(sink_find "<pol-pass@policy-socket.test>") && fields "$f" Received-SPF | grep -q '^Received-SPF: pass '; then
  ok "SPF pass delivered with Received-SPF: pass from the policy service"
else bad "SPF pass not delivered with Received-SPF"; echo "$out" | grep -E '^ *<' | tail -3; fi
grep -qE "warning: .*postseal-policy.*(Permission denied|Connection refused)" "$R/log/maillog" \
  && bad "Postfix could not reach the policy socket: $(grep -m1 postseal-policy "$R/log/maillog")"
stop_verifier && ok "verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"

# 3. As configured: mode 0600, the owner's group.
printf '[verifier]\npolicy_socket_mode = "0600"\npolicy_socket_group = ""\n' > "$U/mode.toml"
"$POSTSEAL" verifier -c "$U/mode.toml" --log stderr --listen "unix:$U/p1.sock" --dns "127.0.0.1@$DNS" \
  > "$U/verifier-mode.log" 2>&1 &
VERIFIER_PID=$!
for i in $(seq 1 100); do [ -S "$U/p1.sock" ] && grep -q "starting:" "$U/verifier-mode.log" && break; sleep 0.1; done
got=$(stat -c '%a %U %G' "$U/p1.sock" 2>/dev/null)
[ "$got" = "600 root root" ] && ok "policy_socket_mode = \"0600\", policy_socket_group = \"\": '$got'" || bad "configured: socket is '$got'"
stop_verifier || bad "verifier (configured mode) did not stop"
echo "policy_socket: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

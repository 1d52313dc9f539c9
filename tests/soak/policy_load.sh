#!/bin/bash
# policy_load.sh - soak: `postseal verifier`'s policy listener answers 200,000 requests
# (SOAK_SCALE=5: 1,000,000) over 8 connections, each answer checked (pass, fail -> 550,
# softfail, none; SPF cache off so every request is evaluated), with RSS flat after the first
# 10 % (bound: RSS_SLACK_KB, 4 MiB) and the fd count unchanged. A real unbound serves the SPF
# records (tests/lib/unbound.sh, soak-unbound.conf). The daemon runs as a unit runs it
# (umask 022, LimitNOFILE) and drops to SOAK_USER (--user). Prints RSS/fds/CPU before, after
# warm-up and at the end, and the log's line count (one line per decision: bound TOTAL + 10).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
soak_init policy
read -r DNS PORT < <(soak_ports 2)
unbound_start "$S/unbound" DNS "$POSTSEAL_SRC/tests/soak/soak-unbound.conf" || fail "unbound did not start"
trap 'unbound_stop "$S/unbound"; soak_cleanup' EXIT
soak_daemon verifier "$POSTSEAL" verifier --listen "127.0.0.1:$PORT" --dns "127.0.0.1@$DNS" \
  --authserv-id mx.soak.example --cache-ttl 0 --user "$SOAK_USER" --log stderr
VPID=$DAEMON_PID
soak_wait_port "$PORT" "$VPID"
[ "$(stat -c %U /proc/$VPID)" = "$SOAK_USER" ] || fail "verifier does not run as $SOAK_USER"
TOTAL=$((200000 * SOAK_SCALE))
timeout 1200 $SOAK_PY policy "$PORT" "$VPID" "$TOTAL" 8 || fail "policy load"
lines=$(soak_log_lines verifier)
echo "verifier log: $lines line(s)"
[ "$lines" -le $((TOTAL + 10)) ] || fail "verifier wrote $lines log lines for $TOTAL requests"
kill -0 "$VPID" || fail "verifier died"
echo "PASS: policy soak, $TOTAL requests"

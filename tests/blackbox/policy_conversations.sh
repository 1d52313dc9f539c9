#!/usr/bin/env bash
# policy_conversations.sh - policy protocol conversations without Postfix, resolving through a
# real unbound (tests/lib/unbound.sh, policy/conversations-unbound.conf): `postseal policy` on
# stdin/stdout and `postseal verifier` over TCP answer the docs/compat.md, seed 000 examples (pass via ip4,
# softfail via ~all, null sender via HELO), every policy option, per-instance state and
# malformed requests (docs/security.md 40) — see policy/conversations.py. Ports: unbound 5357, policy
# daemon 10142.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
H="$POSTSEAL_SRC/tests/blackbox/policy"
DNS=5357 PORT=10142
U=$(mktemp -d /var/tmp/postseal-policy-conv.XXXXXX)
VPID=""
cleanup() { [ -n "$VPID" ] && { kill "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null; }; unbound_stop "$U" 2>/dev/null; rm -rf "$U"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*"; [ -f "$U/verifier.log" ] && tail -20 "$U/verifier.log"; exit 1; }
! ss -Hltn "sport = :$PORT" | grep -q . || die "port $PORT is already in use"
unbound_start "$U" $DNS "$H/conversations-unbound.conf" || die "unbound did not start"
# POSTSEAL_TEST_THREADS (blackbox.*.threads2): verifier.threads, sessions on that many threads
printf '[verifier]\nthreads = %s\n' "${POSTSEAL_TEST_THREADS:-1}" > "$U/verifier.toml"
"$POSTSEAL" verifier -c "$U/verifier.toml" --listen "127.0.0.1:$PORT" --dns "127.0.0.1@$DNS" --authserv-id mx.example.org \
  --cache-ttl 0 --foreground > "$U/verifier.log" 2>&1 &
VPID=$!
wait_listen "$PORT" "$VPID" 50 || die "postseal verifier did not start"  # its own listener (ports.sh)
/usr/bin/python3 "$H/conversations.py" "$POSTSEAL" "$DNS" "$PORT" || die "conversations failed"
echo "PASS: policy conversations"

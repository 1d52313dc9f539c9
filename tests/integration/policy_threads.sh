#!/usr/bin/env bash
# policy_threads.sh - `postseal verifier` with verifier.threads = 4 under 8 concurrent policy
# connections resolving through a real unbound: libunbound is shared by every io thread (its
# lookups run on one strand), the DNS answer and SPF result caches are shared too; 3,200
# answers, each the right one (policy/threads_stress.py). Ports: unbound 5358, policy 10143.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
DNS=5358 PORT=10143
U=$(mktemp -d /var/tmp/postseal-policy-threads.XXXXXX)
VPID=""
cleanup() { [ -n "$VPID" ] && { kill "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null; }; unbound_stop "$U" 2>/dev/null; rm -rf "$U"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*"; [ -f "$U/verifier.log" ] && tail -20 "$U/verifier.log"; exit 1; }
! ss -Hltn "sport = :$PORT" | grep -q . || die "port $PORT is already in use"
cat > "$U/data.conf" <<'CONF'
local-data: 'hforge.example.com. TXT "v=spf1 ip4:81.169.145.0/24 ~all"'
local-data: 'fail.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"'
CONF
printf '[verifier]\nthreads = 4\n' > "$U/verifier.toml"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"
"$POSTSEAL" verifier -c "$U/verifier.toml" --listen "127.0.0.1:$PORT" --dns "127.0.0.1@$DNS" --cache-ttl 0 \
  --foreground > "$U/verifier.log" 2>&1 &
VPID=$!
wait_listen "$PORT" "$VPID" 50 || die "postseal verifier did not start"  # its own listener (ports.sh)
/usr/bin/python3 "$POSTSEAL_SRC/tests/integration/policy/threads_stress.py" "$PORT" || die "wrong or missing answers"
kill -0 "$VPID" 2>/dev/null || die "postseal verifier died"
echo "PASS: 3,200 policy answers from 4 io threads sharing one resolver"

#!/usr/bin/env bash
# greylist_redis.sh - two `postseal verifier --greylist` policy services (as two MX hosts run
# them) sharing one real redis-server (Debian; started, frozen, killed and restarted here on a
# free loopback port, no persistence). policy/greylist_redis_conversation.py asks them:
#  - a triplet first seen on A (deferred), asked on B for the first time after
#    greylist.delay (2 s), passes there;
#  - Redis hung (SIGSTOP) and then gone (killed): every answer is not a deferral (DUNNO for
#    greylisting; the SPF header stays) and comes within a bound of state.timeout_ms (200 ms);
#    each service logs the outage once, not per request;
#  - Redis started again on the same port: a new triplet is deferred again, and each service
#    logs that greylisting resumed.
# No Postfix, no DNS server: the zone through --dns-zone. Ports are free ones chosen here.
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
# shellcheck source=../lib/redis.sh
. "$POSTSEAL_SRC/tests/lib/redis.sh"
H="$POSTSEAL_SRC/tests/integration/policy"
T=$(mktemp -d /tmp/postseal-greylist-redis.XXXXXX)
read -r P_REDIS P_A P_B < <(free_ports 3)
A_PID="" B_PID=""
cleanup() {
  redis_stop
  [ -n "$A_PID" ] && kill "$A_PID" 2>/dev/null
  [ -n "$B_PID" ] && kill "$B_PID" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
FAIL=0
ok() { echo "PASS: $*"; }
bad() { FAIL=1; echo "FAIL: $*"; }
redis_start "$T" P_REDIS || { echo "FAIL: redis-server did not start on $P_REDIS"; exit 1; }
cat > "$T/postseal.toml" <<EOT
[greylist]
delay = 2
whitelist_clients = []
whitelist_recipients = []
[state]
backend = "redis"
redis = "127.0.0.1:$P_REDIS"
key_prefix = "greylist-it:"
timeout_ms = 200
EOT
# each verifier's own listener (start_listening, tests/lib/ports.sh: again on a new port when a
# test running beside this one took the chosen one first)
spawn_verifier() {
  "$POSTSEAL" verifier --greylist -c "$T/postseal.toml" --listen "127.0.0.1:${!port_var}" \
    --dns-zone "$H/greylist.zone" --authserv-id mx.test.example --foreground >"$T/$s.log" 2>&1 &
  LISTEN_PID=$!
}
for s in A B; do
  port_var=P_$s
  start_listening spawn_verifier "$T/$s.log" "$port_var" || { echo "FAIL: verifier $s did not start"; cat "$T/$s.log"; exit 1; }
  eval "${s}_PID=$LISTEN_PID"
done

# the conversation; it runs the Redis actions through these files (it cannot signal our jobs)
python3 "$H/greylist_redis_conversation.py" "$P_A" "$P_B" 2 200 "$T/ctl" &
CONV=$!
# the control loop: the conversation writes a command to $T/ctl and waits for $T/ctl.done
while kill -0 "$CONV" 2>/dev/null; do
  if [ -f "$T/ctl" ]; then
    case $(cat "$T/ctl") in
      freeze) kill -STOP "$REDIS_PID" ;;
      kill) kill -KILL "$REDIS_PID"; kill -CONT "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID="" ;;
      start) redis_start "$T" "$P_REDIS" || echo "FAIL: redis-server did not start again" ;;
    esac
    rm -f "$T/ctl"; touch "$T/ctl.done"
  fi
  sleep 0.05
done
wait "$CONV" || FAIL=1

for s in A B; do
  n=$(grep -c "greylisting: state store .*not greylisting (DUNNO) until it answers again" "$T/$s.log")
  [ "$n" -eq 1 ] && ok "$s logged the outage once" || bad "$s logged the outage $n times"
  grep -q "greylisting: state store .* answers again: greylisting resumed" "$T/$s.log" \
    && ok "$s logged that greylisting resumed" || bad "$s did not log the resumption"
done
kill -0 "$A_PID" 2>/dev/null && kill -0 "$B_PID" 2>/dev/null && ok "both services still run" \
  || bad "a service died"
[ $FAIL -eq 0 ] && echo "PASS: greylisting shared through Redis" && exit 0
tail -8 "$T/A.log" "$T/B.log"
exit 1

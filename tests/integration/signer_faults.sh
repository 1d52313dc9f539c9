#!/bin/bash
# signer_faults.sh - faults on the dksign path of a real Postfix, each ending in "nothing
# lost" (the message id at the sink exactly once, or returned to the sender for a downstream
# 5xx; `postqueue -p` empty): reinjection down; reinjection answering 4xx, 5xx, 421, closing
# silently, stalling past relay_timeout; key file made unreadable (too open) then SIGHUP;
# SIGTERM and SIGKILL while a message is in its DATA phase (docs/security.md 9, 10, 14, 43).
. "$POSTSEAL_SRC/tests/integration/signer/common.sh"
R=/var/tmp/postseal-it-faults
P_FAKE=10129      # misbehaving stand-in reinjection server
P_NOTHING=10130   # nothing listens here
FAKE_PID=""
cleanup() { stop_filter; stop_fake; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM

start_fake() {
  $PY "$HERE_SIGNER/fake_downstream.py" $P_FAKE "$1" >>"$R/log/fake.log" 2>&1 </dev/null &
  FAKE_PID=$!
  wait_listen $P_FAKE $FAKE_PID 50 || fail "fake downstream did not start"
}
stop_fake() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=""; pf_wait_closed $P_FAKE; }

# wait_grep FILE PATTERN N SECONDS - until FILE has N lines matching PATTERN.
wait_grep() {
  local i; for i in $(seq 1 $(($4 * 10))); do
    [ "$(grep -cE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0; sleep 0.1
  done
  return 1
}
deferred_count() { grep -c "status=deferred" "$R/log/maillog"; }
at_sink() { grep -l "X-Test-Token: $1\$" "$R"/sink/* 2>/dev/null | wc -l; }

filter_normal() { stop_filter; start_filter "$R/log/signer.log" -c "$R/signer.toml" --relay 127.0.0.1:$P_REINJECT; }

# deliver_after_fix TOKEN - the filter is healthy again: flush, the message arrives once.
deliver_after_fix() {
  filter_normal
  pf_flush
  local i; for i in $(seq 1 300); do [ "$(at_sink "$1")" -ge 1 ] && break; sleep 0.1; done
  pf_wait_queue_empty 30 || fail "$1: queue not empty after recovery"
  [ "$(at_sink "$1")" -eq 1 ] || fail "$1: at the sink $(at_sink "$1") times after recovery, expected once"
  note "$1: nothing lost (queued during the fault, delivered once after)"
}

# expect_deferred TOKEN - Postfix deferred the message and nothing reached the sink.
expect_deferred() {
  wait_grep "$R/log/maillog" "status=deferred" $(($2 + 1)) 30 || { tail -5 "$R/log/maillog" >&2; fail "$1: Postfix did not defer"; }
  [ "$(at_sink "$1")" -eq 0 ] || fail "$1: reached the sink during the fault"
  [ "$(pf_queue_count)" -ge 1 ] || fail "$1: not in the queue during the fault"
}

send_one() { $PY "$HERE_SIGNER/send_messages.py" $P_SUBMIT "${1%0}" 1 rsa.example 5 || fail "$1: submission failed"; }

setup_postfix "$R"
make_keys "$R/keys"
cat > "$R/signer.toml" <<TOML
[signer]
relay_timeout = 3
shutdown_grace = 1
[[signer.domain]]
name = "rsa.example"
keys = ["r1:$R/keys/r1.private"]
TOML

# 1. reinjection listener down, then back.
stop_filter; start_filter "$R/log/signer.log" -c "$R/signer.toml" --relay 127.0.0.1:$P_NOTHING
d=$(deferred_count); send_one down0 && expect_deferred down0 "$d"
grep -q "reinjection server 127.0.0.1:$P_NOTHING unavailable" "$R/log/signer.log" || fail "down: no log line"
deliver_after_fix down0

# 2-6. reinjection misbehaving at end of DATA.
for mode in 4xx 421 close stall; do
  stop_filter; start_fake $mode
  start_filter "$R/log/signer.log" -c "$R/signer.toml" --relay 127.0.0.1:$P_FAKE
  d=$(deferred_count); send_one "${mode}0"; expect_deferred "${mode}0" "$d"
  stop_fake
  deliver_after_fix "${mode}0"
done
grep -q "deferred: reinjection server 127.0.0.1:$P_FAKE: timed out" "$R/log/signer.log" || fail "stall: no timeout logged"

# 5xx: passed through, so Postfix returns the message to its sender (not lost, not retried).
stop_filter; start_fake 5xx
start_filter "$R/log/signer.log" -c "$R/signer.toml" --relay 127.0.0.1:$P_FAKE
send_one rej0
wait_grep "$R/log/maillog" "status=bounced" 1 30 || fail "5xx: Postfix did not bounce"
pf_wait_queue_empty 30 || fail "5xx: queue not empty"
for i in $(seq 1 100); do grep -lq "rej0" "$R"/sink/* 2>/dev/null && break; sleep 0.1; done
grep -l "rej0" "$R"/sink/* | xargs grep -l "Undelivered Mail Returned to Sender" >/dev/null || fail "5xx: no bounce at the sink"
n=$(grep -l "X-Test-Token: rej0\$" "$R"/sink/* | xargs grep -L "Undelivered Mail Returned to Sender" | wc -l)
[ "$n" -eq 0 ] || fail "5xx: the rejected message itself reached the sink"
stop_fake
note "rej0: downstream 5xx passed through; returned to sender"

# 7. key file made unreadable (too open) at runtime, then SIGHUP: old keys stay in use.
filter_normal
chmod 644 "$R/keys/r1.private"
kill -HUP "$FILTER_PID"
wait_grep "$R/log/signer.log" "reload failed.*r1.private" 1 10 || fail "key: reload did not fail"
send_one key0
for i in $(seq 1 100); do [ "$(at_sink key0)" -ge 1 ] && break; sleep 0.1; done
[ "$(at_sink key0)" -eq 1 ] || fail "key: message not delivered after failed reload"
grep -l "X-Test-Token: key0" "$R"/sink/* | xargs grep -q "^DKIM-Signature:.*d=rsa.example" \
  || grep -l "X-Test-Token: key0" "$R"/sink/* | xargs grep -q "d=rsa.example" || fail "key: not signed with the old key"
chmod 600 "$R/keys/r1.private"
note "key0: failed reload kept the old key; signed and delivered"

# 8-9. SIGTERM / SIGKILL while a transaction is in its DATA phase (downstream stalls).
for sig in TERM KILL; do
  stop_filter; start_fake stall
  cat > "$R/signer-slow.toml" <<TOML
[signer]
relay_timeout = 60
shutdown_grace = 1
TOML
  start_filter "$R/log/signer.log" -c "$R/signer-slow.toml" --relay 127.0.0.1:$P_FAKE
  f=$(grep -c "end of data" "$R/log/fake.log")
  d=$(deferred_count); send_one "sig${sig}0"
  wait_grep "$R/log/fake.log" "end of data" $((f + 1)) 30 || fail "$sig: message never reached DATA"
  kill -$sig "$FILTER_PID"
  for i in $(seq 1 50); do kill -0 "$FILTER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$FILTER_PID" 2>/dev/null && fail "$sig: filter still running"
  wait "$FILTER_PID" 2>/dev/null; FILTER_PID=""
  expect_deferred "sig${sig}0" "$d"
  stop_fake
  deliver_after_fix "sig${sig}0"
done

[ "$(pf_queue_count)" -eq 0 ] || fail "queue not empty at the end"
grep -q "status=sent" "$R/log/maillog" || fail "no delivery at all"
echo "PASS: every fault ended with nothing lost (sink + postqueue checked)"

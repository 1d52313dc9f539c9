#!/usr/bin/env bash
# keys_rotation.sh - DKIM key rotation end to end (docs/key-rotation.md): two `postseal
# signer` daemons (two "hosts") share one Redis state store and a real unbound whose zone the
# test rewrites; `postseal keys rotate` makes dual RSA+Ed25519 keys (0600, owned by
# signer.user), status says pending, tick leaves them pending (and the signers on the old
# keys) until the records are in the zone, then published -> active, with the default
# publish_lead (2 days) and retire_after (7 days) walked through with `keys tick --at +Nd`
# (the injected clock): not active one day after publishing, active after three;
# keys.reload_command HUPs both signers and both sign with the new selectors; the old keys
# become retiring, are not revoked two days later, are revoked eight days later; keys.dns_hook is called with the
# right records (publish while pending, revoke with the empty p=). Host A signs behind a real
# Postfix (submission -> content_filter=dksign -> signer A -> reinjection smtpd -> sink, the
# wiring of conf/postfix/signer-master.cf), host B is talked to directly; mail signed before
# and after the switch, on both hosts, verifies with dkimpy (python3-dkim) against the
# records published during the overlap (old and new keys both in the zone).
# keys.max_age: past max_age - publish_lead tick makes one successor per algorithm and the hook
# publishes it; a second tick makes none.
# Also: a record holding another key keeps a key pending; check-config refuses a bad
# selector template; rotate refuses while keys.rotation is false; on SQLite a state file made by root belongs to signer.user and tick runs
# as that user. Env: POSTSEAL, POSTSEAL_SRC. Runs as root (key owner postfix).
set -uo pipefail
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
source "$POSTSEAL_SRC/tests/lib/unbound.sh"
source "$POSTSEAL_SRC/tests/lib/redis.sh"
source "$POSTSEAL_SRC/tests/lib/postfix.sh"
PY=/usr/bin/python3
HERE_SIGNER=$POSTSEAL_SRC/tests/integration/signer
[ "$(id -u)" -eq 0 ] || { echo "keys_rotation: needs root (chown of keys); skipped"; exit 77; }

W=$(mktemp -d /var/tmp/postseal-keys-rotation.XXXXXX)
chmod 755 "$W"
read -r P_DNS P_REDIS P_SINK P_A P_B P_SUBMIT P_REINJECT < <(free_ports 7)
SIGNER_PIDS=()
SINK_PID=""
cleanup() {
  for pid in "${SIGNER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ -n "$SINK_PID" ] && { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }
  unbound_stop "$W/unbound"
  redis_stop
  pf_cleanup
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

# zone_line NAME VALUE - an unbound local-data line, the value cut into 250-octet strings.
zone_line() {
  local name=$1 value=$2 out=""
  while [ -n "$value" ]; do out+=" \"${value:0:250}\""; value=${value:250}; done
  printf "local-data: '%s. 60 TXT%s'\n" "$name" "$out"
}
# txt_value SELECTOR - the record value keygen/rotate wrote to keys/SELECTOR.txt.
txt_value() { sed -E 's/^[^(]*\( //; s/ \)$//; s/" "//g; s/^"//; s/"$//' "$W/keys/$1.txt"; }
# publish SELECTOR... - the zone is exactly these records (records file for dkimpy too); restart.
publish() {
  : >"$W/zone.conf"
  for s in "$@"; do
    zone_line "$s._domainkey.rot.example" "$(txt_value "$s")" >>"$W/zone.conf"
    echo "$s._domainkey.rot.example $(txt_value "$s")" >>"$W/records"
  done
  unbound_stop "$W/unbound"
  # the first start may move to a new port when the chosen one was taken (P_DNS then holds it);
  # once postseal.toml names the port, unbound must come back on that one
  if [ -f "$W/postseal.toml" ]; then
    unbound_start "$W/unbound" "$P_DNS" "$W/zone.conf" || die "unbound did not start"
  else
    unbound_start "$W/unbound" P_DNS "$W/zone.conf" || die "unbound did not start"
  fi
}
keys() { "$POSTSEAL" keys "$@" -c "$W/postseal.toml"; }
# selectors_at_sink PREFIX - the s= of every DKIM-Signature of the messages PREFIX*, sorted.
selectors_at_sink() {
  grep -lE "X-Test-Token: $1[0-9]" "$W"/sink/* 2>/dev/null | xargs -r cat | tr -d '\r' |
    grep -oE '^DKIM-Signature:.*|^[[:space:]].*' | grep -oE '\bs=[a-z0-9.-]+' | sort -u | tr '\n' ' '
}
send() { $PY "$HERE_SIGNER/send_messages.py" "$1" "$2" "$3" rot.example 5 || fail "sending $2 to $1"; }
wait_sink() {  # wait_sink PREFIX N - until N messages PREFIX* are at the sink (bounded, 20 s)
  local i; for i in $(seq 200); do
    [ "$(grep -lE "X-Test-Token: $1[0-9]" "$W"/sink/* 2>/dev/null | wc -l)" -ge "$2" ] && return 0; sleep 0.1
  done
  fail "$1: $2 messages did not reach the sink"
}

# The domain's keys today, published, and the test's world: DNS, Redis, a sink, two signers.
mkdir -p "$W/keys" "$W/sink" "$W/redis" && chmod 755 "$W/keys"
"$POSTSEAL" keygen --domain rot.example --selector s2026a --dir "$W/keys" --owner postfix >/dev/null 2>&1 || die keygen
"$POSTSEAL" keygen --domain rot.example --selector e2026a --type ed25519 --dir "$W/keys" --owner postfix >/dev/null 2>&1 || die keygen
publish s2026a e2026a
redis_start "$W/redis" P_REDIS || die "redis did not start"
chown postfix "$W/sink"
# the sink's own listener (start_listening, tests/lib/ports.sh; a new P_SINK if it was taken)
spawn_sink() {
  smtp-sink -u postfix -d "$W/sink/%H%M%S." "127.0.0.1:$P_SINK" 64 >"$W/sink.log" 2>&1 </dev/null &
  LISTEN_PID=$!
}
start_listening spawn_sink "$W/sink.log" P_SINK || die "smtp-sink did not start"
SINK_PID=$LISTEN_PID
cat >"$W/hook.sh" <<HOOK
#!/bin/sh
printf '%s|%s|%s|%s\n' "\$1" "\$2" "\$3" "\$POSTSEAL_DNS_NAME" >> "$W/hook.log"
HOOK
chmod 755 "$W/hook.sh"
cat >"$W/postseal.toml" <<TOML
[dns]
server = "127.0.0.1@$P_DNS"
[state]
backend = "redis"
redis = "127.0.0.1:$P_REDIS"
key_prefix = "keys-rotation-test:"
[keys]
rotation = true
directory = "$W/keys"
selector_template = "{alg}{yyyymm}"
dns_hook = "$W/hook.sh"
reload_command = ["/bin/sh", "-c", "kill -HUP \$(cat $W/signers.pid)"]
[signer]
user = "postfix"
[[signer.domain]]
name = "rot.example"
keys = ["s2026a:$W/keys/s2026a.private", "e2026a:$W/keys/e2026a.private"]
TOML
"$POSTSEAL" check-config -c "$W/postseal.toml" >/dev/null 2>"$W/check.err" && ok "check-config accepts [keys]" ||
  fail "check-config: $(cat "$W/check.err")"
sed 's/^selector_template = .*/selector_template = "{alg}_{bad}"/' "$W/postseal.toml" >"$W/bad.toml"
rc=0; "$POSTSEAL" check-config -c "$W/bad.toml" >/dev/null 2>"$W/bad.err" || rc=$?
[ "$rc" -eq 78 ] && grep -q "keys.selector_template" "$W/bad.err" && ok "check-config refuses a bad selector template" ||
  fail "bad template: exit $rc, $(cat "$W/bad.err")"

sed 's/^rotation = true/rotation = false/' "$W/postseal.toml" >"$W/off.toml"
rc=0; "$POSTSEAL" keys rotate --domain rot.example -c "$W/off.toml" >/dev/null 2>"$W/off.err" || rc=$?
[ "$rc" -eq 78 ] && grep -q "keys.rotation is false" "$W/off.err" && ok "rotate refuses while the signer ignores rotation" ||
  fail "rotate with keys.rotation = false: exit $rc $(cat "$W/off.err")"

# Host A's Postfix: its own instance relaying to the test's sink (pf_init's relayhost), the
# dksign path of conf/postfix/signer-master.cf on free ports; signer A reinjects into it.
pf_init "$W/pf" "$P_SINK" || die "pf_init"
pf_main "minimal_backoff_time = 2s" "maximal_backoff_time = 4s" "queue_run_delay = 2s"
pf_master_dksign "$P_SUBMIT" "$P_A" "$P_REINJECT"
pf_start || die "postfix did not start"
for port in "$P_A" "$P_B"; do
  relay=$P_SINK; [ "$port" = "$P_A" ] && relay=$P_REINJECT
  "$POSTSEAL" signer -c "$W/postseal.toml" --listen "127.0.0.1:$port" --relay "127.0.0.1:$relay" --foreground \
    >>"$W/signer-$port.log" 2>&1 </dev/null &
  SIGNER_PIDS+=($!)
done
echo "${SIGNER_PIDS[*]}" >"$W/signers.pid"
i=0
for port in "$P_A" "$P_B"; do
  wait_listen "$port" "${SIGNER_PIDS[$i]}" || { cat "$W/signer-$port.log" >&2; die "signer on $port did not start"; }
  i=$((i + 1))
done

send "$P_SUBMIT" before 2; send "$P_B" beforeb 2
wait_sink before 2; wait_sink beforeb 2
# host A's messages went through Postfix twice (submission, then reinjection after the signer)
[ "$(grep -lE "X-Test-Token: before[0-9]" "$W"/sink/* | xargs -r grep -c 'by mx.test.local (Postfix)' |
  awk -F: '$2 >= 2' | wc -l)" -eq 2 ] && ok "host A's mail passed Postfix's dksign path" ||
  fail "host A's mail did not pass Postfix twice: $(grep -lE "X-Test-Token: before[0-9]" "$W"/sink/* | xargs -r grep -h '^Received:')"
[ "$(selectors_at_sink before)" = "s=e2026a s=s2026a " ] && ok "before rotation: signed with the configured keys" ||
  fail "before rotation: selectors '$(selectors_at_sink before)'"

# rotate: two new keys, 0600 and owned by signer.user, records printed, state pending.
out=$(keys rotate --domain rot.example 2>"$W/rotate.err") || fail "rotate: $(cat "$W/rotate.err")"
month=$(date -u +%Y%m)
R=rsa$month E=ed25519$month
grep -q "^$R._domainkey.rot.example. IN TXT" <<<"$out" && grep -q "^$E._domainkey.rot.example. IN TXT" <<<"$out" &&
  ok "rotate prints both records" || fail "rotate output: $out"
for s in "$R" "$E"; do
  [ "$(stat -c '%a %U' "$W/keys/$s.private")" = "600 postfix" ] && ok "$s.private is 600 postfix" ||
    fail "$s.private: $(stat -c '%a %U' "$W/keys/$s.private")"
done
status=$(keys status)
grep -qE "^rot.example $R rsa [0-9]+[smhd] pending: keys.dns_hook publishes $R._domainkey.rot.example TXT" <<<"$status" &&
  grep -qE "^rot.example s2026a rsa [0-9]+[smhd] active: signing" <<<"$status" && ok "status: new keys pending, old active" ||
  fail "status after rotate: $status"
rc=0; keys rotate --domain rot.example >/dev/null 2>"$W/again.err" || rc=$?
[ "$rc" -eq 73 ] && grep -q "still pending" "$W/again.err" && ok "a second rotate is refused while one is pending" ||
  fail "second rotate: exit $rc $(cat "$W/again.err")"

# tick before the records are in DNS: still pending; the hook is asked to publish them.
keys tick >"$W/tick1.out" 2>&1 || fail "tick 1: $(cat "$W/tick1.out")"
grep -q "^$R._domainkey.rot.example: waiting" "$W/tick1.out" && ok "tick: $R waits for DNS" || fail "tick 1: $(cat "$W/tick1.out")"
grep -qxF "publish|$R._domainkey.rot.example|$(txt_value "$R")|$R._domainkey.rot.example" "$W/hook.log" &&
  ok "hook: publish with the record" || fail "hook log: $(cat "$W/hook.log")"
# a record holding another key (the old one's) keeps the new key pending
cp "$W/keys/s2026a.txt" "$W/keys/impostor.txt"
: >"$W/zone.conf"; zone_line "$R._domainkey.rot.example" "$(txt_value impostor)" >"$W/zone.conf"
unbound_stop "$W/unbound"; unbound_start "$W/unbound" "$P_DNS" "$W/zone.conf" || die "unbound restart"
keys tick >"$W/tick2.out" 2>&1
grep -q "^$R._domainkey.rot.example: waiting: mismatch" "$W/tick2.out" && ok "a record of another key is not this key published" ||
  fail "tick with a wrong record: $(cat "$W/tick2.out")"
send "$P_SUBMIT" pending 1; wait_sink pending 1
[ "$(selectors_at_sink pending)" = "s=e2026a s=s2026a " ] && ok "unpublished keys are not used" ||
  fail "while pending: selectors '$(selectors_at_sink pending)'"

# publish: tick -> published; tick -> active (old retiring), the signers reload and switch.
publish s2026a e2026a "$R" "$E"
keys tick >"$W/tick3.out" 2>&1 || fail "tick 3: $(cat "$W/tick3.out")"
grep -q "^$R._domainkey.rot.example: published" "$W/tick3.out" && grep -q "^$E._domainkey.rot.example: published" "$W/tick3.out" &&
  ok "tick: published" || fail "tick 3: $(cat "$W/tick3.out")"
keys status | grep -qE "^rot.example $R rsa [0-9]+[smhd] published: signs from the first tick after " ||
  fail "status after publish: $(keys status)"
hups_before=$(cat "$W"/signer-*.log | grep -c "reloaded:")
# one day later: inside keys.publish_lead (2 days), nothing moves and nobody reloads
keys tick --at +1d >"$W/tick-1d.out" 2>&1 || fail "tick at +1d: $(cat "$W/tick-1d.out")"
! grep -q "activated\|retired" "$W/tick-1d.out" && keys status | grep -qE "^rot.example $R rsa [0-9]+[smhd] published" &&
  ok "one day after publishing (publish_lead 2 days): still published, not active" || fail "tick at +1d: $(cat "$W/tick-1d.out")"
keys tick --at +3d >"$W/tick4.out" 2>&1 || fail "tick 4: $(cat "$W/tick4.out")"
grep -q "^$R._domainkey.rot.example: activated" "$W/tick4.out" && grep -q "^s2026a._domainkey.rot.example: retired" "$W/tick4.out" &&
  ok "tick: activated, old key retiring" || fail "tick 4: $(cat "$W/tick4.out")"
for i in $(seq 100); do [ "$(cat "$W"/signer-*.log | grep -c "reloaded:")" -ge $((hups_before + 2)) ] && break; sleep 0.1; done
[ "$(cat "$W"/signer-*.log | grep -c "reloaded:")" -ge $((hups_before + 2)) ] && ok "both signers reloaded" ||
  fail "signers did not reload: $(tail -3 "$W"/signer-*.log)"
send "$P_SUBMIT" after 2; send "$P_B" afterb 2
wait_sink after 2; wait_sink afterb 2
[ "$(selectors_at_sink after)" = "s=$E s=$R " ] && [ "$(selectors_at_sink afterb)" = "s=$E s=$R " ] &&
  ok "both hosts sign with the new selectors" || fail "after: '$(selectors_at_sink after)' / '$(selectors_at_sink afterb)'"
for prefix in before beforeb after afterb; do
  $PY "$HERE_SIGNER/verify_sink.py" "$W/sink" "$W/records" "$prefix" 2 rot.example=ed25519-sha256,rsa-sha256 \
    >"$W/verify-$prefix.out" 2>&1 && ok "dkimpy verifies the $prefix messages" || fail "dkimpy $prefix: $(cat "$W/verify-$prefix.out")"
done

# two days after the switch (retire_after 7 days): the old keys stay retiring.
keys tick --at +5d >"$W/tick-5d.out" 2>&1 || fail "tick at +5d: $(cat "$W/tick-5d.out")"
! grep -q "revoked" "$W/tick-5d.out" && keys status | grep -qE "^rot.example s2026a rsa [0-9]+[smhd] retiring" &&
  ok "two days after the switch (retire_after 7 days): old keys still retiring" || fail "tick at +5d: $(cat "$W/tick-5d.out")"
# eight days after the switch: tick -> revoked; the hook gets the empty p=; status says what to publish.
keys tick --at +11d >"$W/tick5.out" 2>&1 || fail "tick 5: $(cat "$W/tick5.out")"
grep -q "^s2026a._domainkey.rot.example: revoked" "$W/tick5.out" && grep -q "^e2026a._domainkey.rot.example: revoked" "$W/tick5.out" &&
  ok "tick: old keys revoked" || fail "tick 5: $(cat "$W/tick5.out")"
grep -qxF "revoke|s2026a._domainkey.rot.example|v=DKIM1; k=rsa; p=|s2026a._domainkey.rot.example" "$W/hook.log" &&
  grep -qxF "revoke|e2026a._domainkey.rot.example|v=DKIM1; k=ed25519; p=|e2026a._domainkey.rot.example" "$W/hook.log" &&
  ok "hook: revoke with the empty p=" || fail "hook log: $(cat "$W/hook.log")"
keys status | grep -qE "^rot.example s2026a rsa [0-9]+[smhd] revoked: keys.dns_hook set s2026a._domainkey.rot.example" &&
  keys status | grep -qE "^rot.example $R rsa [0-9]+[smhd] active: signing" && ok "status: revoked and active" || fail "status: $(keys status)"

# keys.max_age (14 days here: successors due at 12 days, max_age - publish_lead): tick --at
# +11d makes none, +12d makes one per algorithm as rotate would (0600, signer.user) and asks
# the hook to publish it, a second tick makes none.
sed -e 's/^\[keys\]$/[keys]\nmax_age = 1209600/' -e 's/^selector_template = .*/selector_template = "{alg}n{n}"/' \
  "$W/postseal.toml" >"$W/maxage.toml"
agekeys() { "$POSTSEAL" keys "$@" -c "$W/maxage.toml"; }
agekeys tick --at +11d >"$W/age-11d.out" 2>&1 || fail "max_age tick at +11d: $(cat "$W/age-11d.out")"
! grep -q "^rotate:" "$W/age-11d.out" && [ ! -e "$W/keys/rsan1.private" ] &&
  ok "max_age 14 days: no successor at 11 days" || fail "max_age tick at +11d: $(cat "$W/age-11d.out")"
agekeys status --at +11d | grep -qE "^rot.example $R rsa 11d active: signing; tick makes its successor from .* \(keys.max_age 14 days\)$" &&
  ok "status: when the active key is rotated by age" || fail "status with max_age: $(agekeys status --at +11d)"
hook_seen=$(wc -l <"$W/hook.log")
agekeys tick --at +12d >"$W/age-12d.out" 2>&1 || fail "max_age tick at +12d: $(cat "$W/age-12d.out")"
grep -qE "^rotate: rot.example: rsa key $R is 12 days old \(keys.max_age 14 days\): made rsan1 .*keys.dns_hook publishes rsan1._domainkey.rot.example$" "$W/age-12d.out" &&
  grep -qE "^rotate: rot.example: ed25519 key $E is 12 days old \(keys.max_age 14 days\): made ed25519n1 " "$W/age-12d.out" &&
  ok "max_age: tick at 12 days made one successor per algorithm" || fail "max_age tick at +12d: $(cat "$W/age-12d.out")"
[ "$(stat -c '%a %U' "$W/keys/rsan1.private" 2>&1)" = "600 postfix" ] && ok "the successor's key is 600 postfix" ||
  fail "rsan1.private: $(stat -c '%a %U' "$W/keys/rsan1.private" 2>&1)"
tail -n +$((hook_seen + 1)) "$W/hook.log" | grep -qxF "publish|rsan1._domainkey.rot.example|$(txt_value rsan1)|rsan1._domainkey.rot.example" &&
  ok "max_age: the hook publishes the successor" || fail "hook log after the max_age tick: $(tail -n +$((hook_seen + 1)) "$W/hook.log")"
agekeys tick --at +12d >"$W/age-again.out" 2>&1 || fail "second max_age tick: $(cat "$W/age-again.out")"
! grep -q "rotate: rot.example" "$W/age-again.out" && [ "$(agekeys status | grep -c " pending: ")" -eq 2 ] &&
  agekeys status | grep -qE "^rot.example $R rsa [0-9]+[smhd] active: signing until its successor \(below\) is active$" &&
  ok "max_age: a second tick makes no second successor" ||
  fail "second max_age tick: $(cat "$W/age-again.out"); status: $(agekeys status)"

# SQLite (the default store): a state file a root process creates goes to signer.user, so tick
# run as that user (the timer's User=postseal; postfix here) can write it.
mkdir -p "$W/state" && chown postfix "$W/state"
sed -e 's/^backend = "redis"/backend = "sqlite"/' -e "s|^redis = .*|path = \"$W/state/state.db\"|" "$W/postseal.toml" >"$W/sqlite.toml"
"$POSTSEAL" keys status -c "$W/sqlite.toml" >/dev/null 2>"$W/sqlite.err" || fail "status on sqlite: $(cat "$W/sqlite.err")"
[ "$(stat -c %U "$W/state/state.db" 2>/dev/null)" = postfix ] && ok "a state file made by root belongs to signer.user" ||
  fail "state.db owner: $(stat -c %U "$W/state/state.db" 2>&1)"
runuser -u postfix -- "$POSTSEAL" keys tick -c "$W/sqlite.toml" >"$W/sqlite-tick.out" 2>&1 && ok "tick as signer.user writes the store" ||
  fail "tick as postfix: $(cat "$W/sqlite-tick.out")"

[ "$failures" -eq 0 ] || { echo "keys_rotation: $failures check(s) failed" >&2; exit 1; }
echo "keys_rotation: all checks passed"

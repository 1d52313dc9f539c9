#!/bin/bash
# signer_metrics.sh - `postseal signer` with [metrics] listen on a free loopback port, no
# Postfix: messages through it (tests/integration/signer/send_messages.py, the fake
# downstream), /metrics scraped over HTTP; postseal_messages_signed_total moves for the
# configured domain, an unconfigured From domain counts as "other", build info is there, the
# text passes `promtool check metrics` (Debian's prometheus package), and without listen no
# metrics port is opened. Ports: picked free by the kernel. With keys.rotation on and a
# retiring key of rsa.example in the [state] store (written here as `postseal keys tick` would
# leave it, retiring for one day of keys.retire_after's seven; another for a domain the signer
# does not sign), postseal_key_retire_seconds shows about six days for the first only;
# postseal_stage_duration_seconds counts one dkim_sign per signed message and one relay per
# message.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
DOWN=$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py
SEND=$POSTSEAL_SRC/tests/integration/signer/send_messages.py
R=$(mktemp -d /var/tmp/postseal-metrics.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$R/signer.log" ] && tail -5 "$R/signer.log" >&2; exit 1; }
# free_port, wait_listen PORT PID, start_listening: the daemons' own listeners, and new ports
# when a test running beside this one took a chosen port first
. "$POSTSEAL_SRC/tests/lib/ports.sh"
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }
scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$R/$1.txt" || fail "scrape $1 of :$MPORT failed"; }
# value NAME_AND_LABELS FILE - the sample's value, empty when absent
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus; scripts/install-deps.sh installs it)"

FPORT=$(free_port); DPORT=$(free_port); MPORT=$(free_port)
mkdir -p "$R/down" "$R/keys"; chmod 700 "$R/keys"
openssl genrsa -out "$R/keys/r1.private" 2048 2>/dev/null; chmod 600 "$R/keys/r1.private"
spawn_fake() { $PY "$DOWN" "$DPORT" accept "$R/down" >"$R/fake.log" 2>&1 & LISTEN_PID=$!; }
START_LISTENING_TENTHS=50 start_listening spawn_fake "$R/fake.log" DPORT || fail "the fake downstream did not listen"
PIDS+=("$LISTEN_PID")
# the rotation state: one retiring key per domain, retiring since a day ago
$PY - "$R/state.db" <<'PYEOF' || fail "cannot write the rotation state"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER NOT NULL DEFAULT 0)")
since = int(time.time()) - 86400
for d in ("rsa.example", "unsigned.example"):
    value = f"d={d}\ns=old1\na=rsa\nstate=retiring\ncreated={since - 86400}\nsince={since}\nfile=/nonexistent/old1.private\ntxt=\n"
    db.execute("INSERT INTO state (key, value) VALUES (?, ?)", (f"keys.rotation:{d}:old1", value))
db.commit()
PYEOF
spawn_signer() {
cat > "$R/postseal.toml" <<TOML
[signer]
listen = "127.0.0.1:$FPORT"
relay = "127.0.0.1:$DPORT"

[[signer.domain]]
name = "rsa.example"
keys = ["r1:$R/keys/r1.private"]

[keys]
rotation = true

[state]
path = "$R/state.db"

[metrics]
listen = "127.0.0.1:$MPORT"
TOML
"$POSTSEAL" check-config -c "$R/postseal.toml" >/dev/null 2>&1 || fail "check-config refuses the test config"
"$POSTSEAL" signer -c "$R/postseal.toml" --foreground >"$R/signer.log" 2>&1 & LISTEN_PID=$!
}
START_LISTENING_TENTHS=50 start_listening spawn_signer "$R/signer.log" FPORT MPORT || fail "the signer did not listen on $FPORT and $MPORT"
PIDS+=("$LISTEN_PID")
grep -q "metrics on http://127.0.0.1:$MPORT/metrics" "$R/signer.log" || fail "no 'metrics on' start line"

scrape before
signed='postseal_messages_signed_total{domain="rsa.example",result="signed"}'
other='postseal_messages_signed_total{domain="other",result="unsigned"}'
[ "$(value "$signed" "$R/before.txt")" = "0" ] || fail "signed series not at 0 before any mail"
$PY "$SEND" "$FPORT" m 3 rsa.example,rsa.example,stranger.example || fail "sending through the signer failed"
scrape after
[ "$(value "$signed" "$R/after.txt")" = "2" ] || fail "postseal_messages_signed_total for rsa.example is '$(value "$signed" "$R/after.txt")', want 2"
[ "$(value "$other" "$R/after.txt")" = "1" ] || fail "the unconfigured From domain did not count as other/unsigned"
grep -q "stranger.example" "$R/after.txt" && fail "an unconfigured From domain became a label"
grep -q '^postseal_build_info{version="[0-9][^"]*"} 1$' "$R/after.txt" || fail "no postseal_build_info"
grep -q '^postseal_sessions_in_flight{server="signer"} 0$' "$R/after.txt" || fail "sessions in flight not back to 0"
[ "$(value 'postseal_stage_duration_seconds_count{stage="dkim_sign"}' "$R/after.txt")" = "2" ] ||
  fail "dkim_sign stage runs: '$(value 'postseal_stage_duration_seconds_count{stage="dkim_sign"}' "$R/after.txt")', want 2"
[ "$(value 'postseal_stage_duration_seconds_count{stage="relay"}' "$R/after.txt")" = "3" ] ||
  fail "relay stage runs: '$(value 'postseal_stage_duration_seconds_count{stage="relay"}' "$R/after.txt")', want 3"
[ "$(value 'postseal_messages_relayed_total{result="relayed",server="signer"}' "$R/after.txt")" = "3" ] ||
  fail "messages relayed: '$(value 'postseal_messages_relayed_total{result="relayed",server="signer"}' "$R/after.txt")', want 3"
retire=$(value 'postseal_key_retire_seconds{domain="rsa.example",selector="old1"}' "$R/after.txt")
awk -v v="$retire" 'BEGIN { exit !(v != "" && v + 0 > 6 * 86400 - 600 && v + 0 <= 6 * 86400) }' ||
  fail "postseal_key_retire_seconds of rsa.example old1 is '$retire', want about six days (518400)"
grep -q 'unsigned.example' "$R/after.txt" && fail "a domain the signer does not sign has a key_retire series"
promtool check metrics <"$R/after.txt" >"$R/promtool.txt" 2>&1 || { cat "$R/promtool.txt" >&2; fail "promtool check metrics"; }
echo "PASS: signer metrics scraped, counted and well-formed (stage times, key retire time)"

# without [metrics] listen: no HTTP listener at all
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null; unset 'PIDS[-1]'
sed -i '/^\[metrics\]/,$d' "$R/postseal.toml"
"$POSTSEAL" signer -c "$R/postseal.toml" --foreground >"$R/signer2.log" 2>&1 & PIDS+=($!)
wait_port "$FPORT" "$!"
# the signer's own listeners: a test running beside this one may listen on MPORT by now
[ "$(ss -Hltnp | grep -c "pid=${PIDS[-1]},")" -eq 1 ] || fail "a metrics port is open without [metrics] listen: $(ss -Hltnp | grep "pid=${PIDS[-1]},")"
grep -q "metrics on" "$R/signer2.log" && fail "metrics start line without [metrics] listen"
echo "PASS: no metrics listener by default"

#!/bin/bash
# signer_reuse.sh - postseal signer's reinjection connections, against fake_downstream.py
# (docs/security.md 55; no Postfix): two signed messages of one session go over one
# connection, each after its own XFORWARD; the next session, within signer.relay_idle_seconds,
# takes the same connection; after the idle time the parked connection gets QUIT; and a
# reinjection server that says 421 and closes its idle connection between two messages fails
# neither. Connections are counted in the fake's log. Ports 10127 (filter), 10128 (fake).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
DOWN=$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py
R=$(mktemp -d /var/tmp/postseal-reuse.XXXXXX)
PIDS=()
FAKE=""
cleanup() { for p in "${PIDS[@]}" $FAKE; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; tail -n 5 "$R/signer.log" "$R/fake.log" >&2; exit 1; }
ok() { echo "ok: $*"; }
. "$POSTSEAL_SRC/tests/lib/ports.sh"  # wait_listen PORT PID: PID still runs and the listener is its own
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }
count() { grep -c "$1" "$R/fake.log"; }
start_fake() {  # start_fake MODE
  $PY "$DOWN" 10128 "$1" "$R/down" >"$R/fake.log" 2>&1 & FAKE=$!
  wait_port 10128 $FAKE
}
stop_fake() { kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null; FAKE=""; }

for p in 10127 10128; do
  ss -Hltn "sport = :$p" | grep -q . && fail "port $p is already in use"
done
mkdir -p "$R/down" "$R/keys"; chmod 700 "$R/keys"
openssl genrsa -out "$R/keys/r1.private" 2048 2>/dev/null; chmod 600 "$R/keys/r1.private"
start_fake accept
"$POSTSEAL" signer --listen 127.0.0.1:10127 --relay 127.0.0.1:10128 --foreground \
  --key rsa.example:r1:$R/keys/r1.private >"$R/signer.log" 2>&1 & PIDS+=($!)
wait_port 10127 $!

# session SPEC... - one session; each SPEC is "ADDR" (XFORWARD ADDR=ADDR, then a message),
# "-" (a message without XFORWARD) or "sleep:S"; prints each final reply code.
session() {
  $PY - "$@" <<'PYEOF'
import smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", 10127, timeout=30)
s.ehlo("reuse.test")
for spec in sys.argv[1:]:
    if spec.startswith("sleep:"):
        time.sleep(float(spec[6:]))
        continue
    if spec != "-":
        code, _ = s.docmd("XFORWARD", f"ADDR={spec} NAME=client.example")
        assert code == 250, code
    msg = b"From: a@rsa.example\r\nTo: b@dest.example\r\nSubject: reuse\r\n\r\nbody\r\n"
    try:
        s.sendmail("a@rsa.example", ["b@dest.example"], msg)
        print(250)
    except smtplib.SMTPException as e:
        print(getattr(e, "smtp_code", None) or getattr(e, "recipients", e))
s.quit()
PYEOF
}

# 1. one session, two messages: one connection, XFORWARD before each MAIL.
got=$(session 192.0.2.1 192.0.2.2 | tr '\n' ' ')
[ "$got" = "250 250 " ] || fail "two messages in one session: replies $got"
[ "$(count '^connection')" -eq 1 ] || fail "two messages in one session: $(count '^connection') connections"
seq=$(grep -E '^cmd (XFORWARD|MAIL)' "$R/fake.log" | sed 's/^cmd //; s/ NAME=.*//; s/MAIL FROM:.*/MAIL/' | tr '\n' ',')
[ "$seq" = "XFORWARD ADDR=192.0.2.1,MAIL,XFORWARD ADDR=192.0.2.2,MAIL," ] || fail "XFORWARD per message: $seq"
[ "$(grep -l '^DKIM-Signature:' "$R"/down/*.eml | wc -l)" -eq 2 ] || fail "both messages signed"
ok "two messages in one session: one reinjection connection, XFORWARD before each MAIL, both signed"

# 2. the next session within the idle time takes the parked connection.
got=$(session - | tr '\n' ' ')
[ "$got" = "250 " ] || fail "second session: reply $got"
[ "$(count '^connection')" -eq 1 ] || fail "second session: $(count '^connection') connections in all, expected 1"
[ "$(count '^cmd QUIT')" -eq 0 ] || fail "the parked connection got QUIT before its idle time"
ok "the next session reused the parked connection"

# 3. after signer.relay_idle_seconds (default 5) the parked connection gets QUIT.
for _ in $(seq 1 80); do [ "$(count '^cmd QUIT')" -ge 1 ] && break; sleep 0.1; done
[ "$(count '^cmd QUIT')" -eq 1 ] || fail "parked connection not closed after the idle time"
ok "the parked connection got QUIT after the idle time"

# 4. a reinjection server that closes its idle connection (421) between messages fails nothing.
stop_fake; start_fake idle421
got=$(session 192.0.2.3 sleep:1 192.0.2.4 | tr '\n' ' ')
[ "$got" = "250 250 " ] || fail "downstream closing between messages: replies $got"
[ "$(count '^idle 421')" -ge 1 ] || fail "the fake never closed an idle connection"
[ "$(count '^connection')" -eq 2 ] || fail "downstream closing between messages: $(count '^connection') connections, expected 2"
grep -q '^cmd XFORWARD ADDR=192.0.2.4' "$R/fake.log" || fail "XFORWARD not sent on the new connection"
ok "a downstream closing its idle connection between messages failed neither message"
echo "PASS: signer reuse"

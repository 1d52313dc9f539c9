#!/usr/bin/env bash
# milter_greylist.sh - greylisting in the milter at RCPT, through a real Postfix: `postseal
# verifier --milter` with [greylist] enable = true (delay = 2, state in a SQLite file) run as
# conf/postfix/milter-main.cf says (started as root with umask 022, --user nobody, a unix socket
# in QUEUE_DIR/postseal, smtpd_milters = unix:PATH). The client is an outside address given by
# XCLIENT (the milter greylists what Postfix reports, not the loopback connection).
# Checks:
#  - a first attempt gets 450 4.7.1 Greylisted, try again in 2 seconds at RCPT, nothing delivered;
#  - a retry after the delay, with a second recipient added: the first recipient is accepted,
#    the second (new) gets its own 450 4.7.1; the message is delivered once, with one
#    X-Greylist: delayed N seconds by postseal-VERSION at mx.test.local header;
#  - a client logged in with SASL (XCLIENT LOGIN=, {auth_authen}) is not greylisted;
#  - the verifier logs one line per greylisted recipient, as the policy service does.
# Ports: free ones chosen at run time. Root.
set -uo pipefail
umask 022
read -r P_SMTPD P_SINK < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
DELAY=2
FE_NAME=milter-greylist FE_PORTS="$P_SMTPD $P_SINK"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"

fe_postfix "$P_SINK" "smtpd_sasl_auth_enable = yes"
install -d -o nobody -g postfix -m 0750 "$R/spool/postseal"
install -d -o nobody -m 0700 "$U/state"
SOCK="$R/spool/postseal/milter.sock"
echo 'unrelated.example. TXT "v=spf1 -all"' > "$U/zone.txt"
cat > "$U/postseal.toml" <<EOT
[greylist]
enable = true
delay = $DELAY
auto_whitelist_clients = 0
whitelist_clients = []
whitelist_recipients = []
[state]
backend = "sqlite"
path = "$U/state/greylist.db"
EOT
"$POSTSEAL" verifier -c "$U/postseal.toml" --foreground --listen "unix:$U/policy.sock" --milter "unix:$SOCK" \
  --dns-zone "$U/zone.txt" --authserv-id mx.test.local --user nobody > "$U/verifier.log" 2>&1 &
VERIFIER_PID=$!
for i in $(seq 1 100); do [ -S "$SOCK" ] && grep -q "greylisting: store" "$U/verifier.log" && break; sleep 0.1; done
[ -S "$SOCK" ] || die "no milter socket at $SOCK"
grep -q "greylisting: store sqlite" "$U/verifier.log" || die "greylisting did not start"

pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" "  -o smtpd_milters=unix:$SOCK"
fe_start "$P_SINK"
pf_wait_master "$P_SMTPD" || die "postfix does not listen on $P_SMTPD"

# send TOKEN RCPTS [swaks args] - one message from a@sender.example (SPF none) at 198.51.100.7;
# prints the transcript.
send() {
  local token=$1 rcpts=$2; shift 2
  printf 'From: a@sender.example\r\nTo: %s\r\nMessage-ID: <%s@milter-greylist.test>\r\nSubject: %s\r\n\r\nbody\r\n' \
    "$rcpts" "$token" "$token" > "$U/$token.eml"
  swaks --server 127.0.0.1 --port "$P_SMTPD" --from a@sender.example --to "$rcpts" \
    --xclient-addr 198.51.100.7 --xclient-name mail.outside.example --helo mail.outside.example \
    "$@" --data "$U/$token.eml" </dev/null 2>&1
}
greylisted='<\*\* *450 4\.7\.1 Greylisted, try again in [0-9]+ seconds'

# 1. first attempt: 450 4.7.1 at RCPT, nothing delivered
T0=$(date +%s.%N)
out=$(send first r1@dest.example)
if echo "$out" | grep -qE "$greylisted"; then ok "first attempt: 450 4.7.1 Greylisted at RCPT"
else bad "first attempt not greylisted: $(echo "$out" | grep -E '^ *<' | tail -2 | tr -s ' ')"; fi
echo "$out" | grep -qE '^ *-> *DATA' && bad "first attempt reached DATA"

# 2. the retry after the delay, with a second recipient: r1 passes, r2 decides on its own
python3 -c "import time; time.sleep(max(0, $T0 + $DELAY + 1 - time.time()))"
out=$(send retry r1@dest.example,r2@dest.example)
if echo "$out" | grep -A1 -E '^ *-> *RCPT TO:<r1@dest.example>' | grep -qE '^ *<- *250 '; then
  ok "retry after the delay: r1 accepted"
else bad "retry: r1 not accepted: $(echo "$out" | grep -E '^ *<' | tail -3 | tr -s ' ')"; fi
if echo "$out" | grep -A1 -E '^ *-> *RCPT TO:<r2@dest.example>' | grep -qE "$greylisted"; then
  ok "a second, new recipient in the same transaction gets its own 450 4.7.1"
else bad "r2 was not greylisted on its own: $(echo "$out" | grep -A1 'RCPT TO:<r2' | tr -s ' ')"; fi
if f=$(sink_find "<retry@milter-greylist.test>"); then
  sleep 0.5
  n=$(grep -l -F "<retry@milter-greylist.test>" "$R"/sink/* | wc -l)
  [ "$n" -eq 1 ] && ok "delivered once" || bad "delivered $n times"
  h=$(grep -c '^X-Greylist: ' "$f")
  if [ "$h" -eq 1 ] && grep -qE '^X-Greylist: delayed [0-9]+ seconds by postseal-[0-9.]+ at mx.test.local; ' "$f"; then
    ok "one X-Greylist header: $(grep '^X-Greylist: ' "$f" | cut -c1-75)"
  else bad "$h X-Greylist headers: $(grep -i '^X-Greylist' "$f")"; fi
else
  bad "the retry was not delivered"
fi

# 3. an authenticated client: not greylisted at the first attempt
out=$(send auth r3@dest.example --xclient-login alice@example.net)
if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
  bad "authenticated client refused: $(echo "$out" | grep -E '^ *<\*\*' | head -1 | tr -s ' ')"
elif f=$(sink_find "<auth@milter-greylist.test>"); then
  ok "authenticated client not greylisted, delivered"
  grep -q '^X-Greylist:' "$f" && bad "the authenticated message carries X-Greylist"
else bad "authenticated message accepted but not delivered"; fi

# 4. the log: one line per greylisted recipient, in the policy service's words
n=$(grep -c "greylist defer, [0-9]* s left (new); client=mail.outside.example\[198.51.100.7\] from=<a@sender.example> to=<r[12]@dest.example>: 450 4.7.1 Greylisted" "$U/verifier.log")
[ "$n" -eq 2 ] && ok "two deferrals logged (r1, r2)" || bad "$n deferral lines logged, wanted 2"
grep -q "greylist pass, delayed [0-9]* s (.*to=<r1@dest.example>" "$U/verifier.log" && ok "the pass is logged" \
  || bad "no pass line in the verifier's log"
grep "r3@dest.example" "$U/verifier.log" | grep -q "greylist" && bad "the authenticated recipient was greylisted"
euser=$(ps -o user= -p "$VERIFIER_PID" | tr -d ' ')
[ "$euser" = nobody ] || bad "verifier runs as '$euser', wanted nobody"

stop_verifier || bad "verifier did not stop on SIGTERM"
echo "milter_greylist: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] || { tail -15 "$U/verifier.log"; exit 1; }

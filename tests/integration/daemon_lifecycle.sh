#!/bin/bash
# daemon_lifecycle.sh - the lifecycle every daemon shares (core/net/daemon.hpp), without
# Postfix: config paths that are a directory, /dev/zero or a FIFO are refused at once (exit
# 78, the reason named); SIGHUP reloads `signer` (a changed key signs the next message),
# `srsd` (a changed SRS domain is used by the next lookup, even on an open connection) and
# `verifier` (new policy connections use a changed authserv-id; the milter listener
# survives; tests/integration/verifier_reload.sh covers milter and proxy), and a failed
# reload keeps the running state with one log line naming file, line and key; one start and
# one stop line each; and at `ulimit -n 64` with 200 connections srsd neither spins nor
# floods its log, and answers a new connection once they are gone.
# Ports 10251-10256.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
H=$POSTSEAL_SRC/tests/integration/daemon
C="$PY $H/client.py"
R=$(mktemp -d /var/tmp/postseal-lifecycle.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; for f in "$R"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -8 "$f"; }; done >&2; exit 1; }
note() { echo "ok: $*"; }
. "$POSTSEAL_SRC/tests/lib/ports.sh"  # wait_listen PORT PID: PID still runs and the listener is its own
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }
wait_grep() { for _ in $(seq 1 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done; fail "no '$2' in $1"; }
for p in 10251 10252 10253 10254 10255 10256; do
  ss -Hltn "sport = :$p" | grep -q . && fail "port $p is already in use"
done

# --- config and key paths that are not files
for cmd in check-config "signer --log stderr" "srsd --log stderr" "verifier --log stderr"; do
  out=$(timeout 5 "$POSTSEAL" $cmd -c "$R" 2>&1 </dev/null; echo "rc=$?")
  echo "$out" | grep -q "cannot read config file $R: Is a directory" || fail "$cmd -c DIR: $out"
  echo "$out" | grep -q "rc=78" || fail "$cmd -c DIR did not exit 78: $out"
done
note "a directory as config: exit 78, 'Is a directory', for check-config, signer, srsd, verifier"
start=$(date +%s%N)
out=$(timeout 5 "$POSTSEAL" check-config -c /dev/zero 2>&1; echo "rc=$?")
echo "$out" | grep -q "larger than 1048576 octets (the limit)" || fail "check-config -c /dev/zero: $out"
echo "$out" | grep -q "rc=78" || fail "check-config -c /dev/zero did not exit 78: $out"
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ] || fail "check-config -c /dev/zero took 3 s or more"
note "check-config -c /dev/zero: refused at once naming the 1 MiB cap"
mkfifo "$R/fifo.private" "$R/fifo.toml"
out=$(printf 'From: a@example.com\r\n\r\nx\r\n' | timeout 5 "$POSTSEAL" sign --domain example.com --key "s:$R/fifo.private" 2>&1; echo "rc=$?")
echo "$out" | grep -q "is not a regular file" || fail "sign with a FIFO key: $out"
out=$(timeout 5 "$POSTSEAL" check-config -c "$R/fifo.toml" 2>&1; echo "rc=$?")
echo "$out" | grep -q "not a regular file" || fail "check-config with a FIFO: $out"
note "a FIFO as key file or config: refused at once"

# --- check-config refuses what a daemon would refuse at start, naming key and line
mkdir -p "$R/cc"
"$POSTSEAL" keygen --domain example.com --selector ok --dir "$R/cc" >/dev/null 2>&1 || fail "keygen"
cp "$R/cc/ok.private" "$R/cc/open.private"; chmod 644 "$R/cc/open.private"
dom() { printf '[[signer.domain]]\nname = "example.com"\nkeys = ["s:%s"]\n%s' "$1" "${2:-}"; }
refused() {  # refused WANT TOML - check-config exits 78 and prints WANT
  printf '%b' "$2" > "$R/cc/c.toml"
  out=$("$POSTSEAL" check-config -c "$R/cc/c.toml" 2>&1); rc=$?
  [ $rc -eq 78 ] || fail "check-config said ok (rc $rc) to: $2"
  echo "$out" | grep -qF "$1" || fail "check-config: want '$1', got: $out"
}
refused "c.toml, line 1: signer.domain 'example.com': unknown canonicalization 'bogus'" "$(dom "$R/cc/ok.private" 'canonicalization = "relaxed/bogus"\n')"
refused "c.toml, line 2: signer.listen = \"127.0.0.1:100270\"" '[signer]\nlisten = "127.0.0.1:100270"\n'
refused "c.toml, line 2: helo_reject: 'fial' is not one of" '[verifier]\nhelo_reject = "fial"\n'
refused "c.toml, line 2: DNS server 'localhost': not an IP address" '[dns]\nserver = "localhost"\n'
refused "c.toml, line 3: cannot open key file $R/cc/missing.private" "$(dom "$R/cc/missing.private")"
refused "c.toml, line 3: key file $R/cc/open.private is readable by group or others; run: chmod 600" "$(dom "$R/cc/open.private")"
refused "c.toml, line 2: signer.user: unknown user 'nosuchuser'" '[signer]\nuser = "nosuchuser"\n'
refused "signer.domain 'example.com' is listed twice" "$(dom "$R/cc/ok.private")\n$(dom "$R/cc/ok.private")"
refused "c.toml, line 2: srsd needs an SRS domain" '[srs]\ndomain = ""\n'
refused "c.toml, line 2: state.backend \"mysql\": want \"sqlite\", \"redis\" or \"memory\"" '[state]\nbackend = "mysql"\n'
refused "c.toml, line 2: dmarc.discovery \"dns\": want \"treewalk\" or \"psl\"" '[dmarc]\ndiscovery = "dns"\n'
printf '%b' "$(dom "$R/cc/ok.private")" > "$R/cc/c.toml"
"$POSTSEAL" check-config -c "$R/cc/c.toml" | grep -q ": ok$" || fail "check-config refused a good file"
note "check-config: the daemons' start-up checks, each refused with key and line"

# --- srsd: reload on SIGHUP, failed reload, start and stop lines
head -c 32 /dev/urandom | base64 > "$R/srs.secret"; chmod 600 "$R/srs.secret"
srs_conf() {
  cat > "$R/srs.toml" <<TOML
[srs]
domain = "$1"
secrets_file = "$R/srs.secret"
socketmap = ""
tcp_forward = "127.0.0.1:10251"
tcp_reverse = ""
TOML
}
srs_conf fwd1.example
"$POSTSEAL" srsd -c "$R/srs.toml" --log stderr >"$R/srsd.log" 2>&1 & SRSD=$!; PIDS+=($SRSD)
wait_port 10251 $SRSD
$C tcp 10251 "get user@orig.example" | grep -q "^200 SRS0=.*@fwd1.example$" || fail "srsd: first lookup"
# an open connection: one lookup before the reload, one after
exec 3<>/dev/tcp/127.0.0.1/10251
printf 'get user@orig.example\n' >&3; read -r -t 5 before <&3
srs_conf fwd2.example
kill -HUP $SRSD
wait_grep "$R/srsd.log" "srsd: reloaded: domain fwd2.example"
printf 'get user@orig.example\n' >&3; read -r -t 5 after <&3
exec 3>&-
[[ "$before" == *@fwd1.example* && "$after" == *@fwd2.example* ]] || fail "srsd: open connection saw '$before' then '$after'"
$C tcp 10251 "get user@orig.example" | grep -q "^200 SRS0=.*@fwd2.example$" || fail "srsd: lookup after reload"
chmod 644 "$R/srs.secret"; srs_conf fwd3.example
kill -HUP $SRSD
wait_grep "$R/srsd.log" "srsd: reload failed, keeping the running configuration: SRS secrets file"
chmod 600 "$R/srs.secret"
$C tcp 10251 "get user@orig.example" | grep -q "^200 SRS0=.*@fwd2.example$" || fail "srsd: lookup after a failed reload"
srs_conf fwd2.example; echo "threads = 2" >> "$R/srs.toml"
kill -HUP $SRSD
wait_grep "$R/srsd.log" "srsd: changed, restart to apply (the running values stay): srs.threads ($R/srs.toml, line 7)"
kill -0 $SRSD || fail "srsd died"
kill -TERM $SRSD; wait $SRSD
grep -q "starting: domain fwd1.example, tcp forward 127.0.0.1:10251" "$R/srsd.log" || fail "srsd: no start line"
grep -q "stopped$" "$R/srsd.log" || fail "srsd: no stop line"
bad=$(grep -vc '^postseal/srsd\[[0-9]*\]: ' "$R/srsd.log")
[ "$bad" -eq 0 ] || fail "srsd: $bad log line(s) without the program prefix (a message over two lines?)"
note "srsd: SIGHUP reloads (open connections too), a failed reload keeps the state in one line, srs.threads needs a restart (one warning), start/stop lines"

# --- srsd at the fd limit: no busy loop, bounded log, service afterwards
srs_conf fwd1.example
( ulimit -n 64; exec "$POSTSEAL" srsd -c "$R/srs.toml" --log stderr >"$R/srsd-fd.log" 2>&1 ) & SRSD=$!; PIDS+=($SRSD)
wait_port 10251 $SRSD
cpu() { awk '{print $14 + $15}' /proc/$SRSD/stat; }
$C hold 10251 200 4 >"$R/held" & HOLD=$!
sleep 1; c0=$(cpu); sleep 2; c1=$(cpu)
wait $HOLD
ticks=$((c1 - c0)); hz=$(getconf CLK_TCK)
[ "$ticks" -lt $((hz / 2)) ] || fail "srsd used $ticks/$hz s of CPU in 2 s at the fd limit (busy loop)"
lines=$(wc -l < "$R/srsd-fd.log")
[ "$lines" -lt 10 ] || fail "srsd wrote $lines log lines at the fd limit"
grep -q "accept: Too many open files" "$R/srsd-fd.log" || fail "srsd did not log the fd shortage"
sleep 0.5
$C tcp 10251 "get user@orig.example" | grep -q "^200 SRS0=" || fail "srsd: no service after the fd shortage"
kill -TERM $SRSD; wait $SRSD
note "srsd at ulimit -n 64 with $(cat "$R/held") connections: $ticks CPU ticks in 2 s, $lines log lines, then served"

# --- verifier: reload on SIGHUP (policy uses the new values, milter survives)
cat > "$R/zone.txt" <<ZONE
mail.client.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"
spf-pass.example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"
ZONE
v_conf() { printf '[verifier]\nauthserv_id = "%s"\nhelo_reject = "%s"\n' "$1" "$2" > "$R/verifier.toml"; }
v_conf mx1.test fail
"$POSTSEAL" verifier -c "$R/verifier.toml" --listen 127.0.0.1:10252 --milter 127.0.0.1:10253 \
  --dns-zone "$R/zone.txt" --log stderr >"$R/verifier.log" 2>&1 & VERIFIER=$!; PIDS+=($VERIFIER)
wait_port 10252 $VERIFIER; wait_port 10253 $VERIFIER
$C policy 10252 a@spf-pass.example.com | grep -q "receiver=mx1.test" || fail "verifier: first answer"
v_conf mx2.test fail
kill -HUP $VERIFIER
wait_grep "$R/verifier.log" "verifier: reloaded"
$C policy 10252 a@spf-pass.example.com | grep -q "receiver=mx2.test" || fail "verifier: not reloaded"
v_conf mx3.test fial
kill -HUP $VERIFIER
wait_grep "$R/verifier.log" "verifier: reload failed, keeping the running configuration: $R/verifier.toml, line 3: helo_reject: .fial."
$C policy 10252 a@spf-pass.example.com | grep -q "receiver=mx2.test" || fail "verifier: failed reload changed the state"
kill -0 $VERIFIER || fail "verifier died on SIGHUP"
ss -Hltn "sport = :10253" | grep -q . || fail "verifier: milter listener gone after SIGHUP"
kill -TERM $VERIFIER; wait $VERIFIER
grep -q "starting: policy service listening on 127.0.0.1:10252, milter on 127.0.0.1:10253" "$R/verifier.log" \
  || fail "verifier: no start line"
grep -q "stopped$" "$R/verifier.log" || fail "verifier: no stop line"
note "verifier: SIGHUP reloads the policy options, a failed reload keeps them, the milter survives"

# --- signer: a changed key signs the next message
mkdir -p "$R/keys" "$R/sink"
for s in s1 s2; do "$POSTSEAL" keygen --domain example.com --selector $s --dir "$R/keys" >/dev/null || fail "keygen"; done
s_conf() { printf '[[signer.domain]]\nname = "example.com"\nkeys = ["%s:%s/keys/%s.private"]\n' "$1" "$R" "$1" > "$R/signer.toml"; }
s_conf s1
$PY "$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py" 10255 accept "$R/sink" >"$R/sink.log" 2>&1 & PIDS+=($!)
wait_port 10255 $!
"$POSTSEAL" signer -c "$R/signer.toml" --listen 127.0.0.1:10254 --relay 127.0.0.1:10255 --log stderr \
  >"$R/signer.log" 2>&1 & SIGNER=$!; PIDS+=($SIGNER)
wait_port 10254 $SIGNER
$C smtp 10254 a@example.com one || fail "signer: first message"
ehlo_size() { $PY -c 'import smtplib,sys; c=smtplib.SMTP("127.0.0.1",int(sys.argv[1]),timeout=5); c.ehlo(); print(c.esmtp_features.get("size","")); c.quit()' "$1"; }
[ "$(ehlo_size 10254)" != 200000 ] || fail "signer: SIZE 200000 before the reload"
s_conf s2
# the relay settings of new sessions reload too; threads is read only at start (one warning)
printf '[signer]\nmax_message_size = 200000\nthreads = 3\n' >> "$R/signer.toml"
kill -HUP $SIGNER
wait_grep "$R/signer.log" "signer: reloaded: 1 signing domain"
$C smtp 10254 a@example.com two || fail "signer: second message"
grep -l "X-Test-Token: one" "$R"/sink/* | xargs grep -q "s=s1;" || fail "signer: first message not signed with s1"
grep -l "X-Test-Token: two" "$R"/sink/* | xargs grep -q "s=s2;" || fail "signer: reloaded key s2 not used"
[ "$(ehlo_size 10254)" = 200000 ] || fail "signer: signer.max_message_size not reloaded (EHLO SIZE $(ehlo_size 10254))"
grep -q "signer: changed, restart to apply (the running values stay): signer.threads ($R/signer.toml, line 6)" "$R/signer.log" \
  || fail "signer: no 'restart to apply' warning for signer.threads"
[ "$(grep -c "restart to apply" "$R/signer.log")" -eq 1 ] || fail "signer: the restart warning is not one line"
s_conf s2
printf '[signer]\nmax_message_size = "big"\n' >> "$R/signer.toml"
kill -HUP $SIGNER
wait_grep "$R/signer.log" "reload failed, keeping the running configuration: $R/signer.toml, line 5: 'signer.max_message_size' must be an integer"
[ "$(ehlo_size 10254)" = 200000 ] || fail "signer: a failed reload changed the running settings"
kill -TERM $SIGNER; wait $SIGNER
grep -q "starting: listening on 127.0.0.1:10254" "$R/signer.log" || fail "signer: no start line"
grep -q "stopped$" "$R/signer.log" || fail "signer: no stop line"
note "signer: SIGHUP swaps the key for the next message and the relay settings for new sessions; signer.threads needs a restart (one warning); a failed reload keeps both"
echo "PASS: daemon lifecycle"

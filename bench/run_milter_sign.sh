#!/bin/bash
# run_milter_sign.sh - benchmark (c) of issue 14: signing in one queue pass through Postfix.
#   submission (mail from 127.0.0.1, 4 KB, smtp-source -s 10) through a private Postfix to
#   smtp-sink, end to end (until the maillog shows every message sent to the sink), on
#     plain       no milter
#     postseal    `postseal verifier --milter unix:SOCK`, milter.mode = "sign"
#     opendkim    Debian's opendkim, `Mode s`, the same RSA-2048 key, relaxed/relaxed
#   and the same three for `Mode sv`-style mixed traffic: half of the messages to a
#   "submission" smtpd with -o milter_macro_daemon_name=ORIGINATING (signed), half to an
#   "smtp" smtpd without it (verified, not signed), both from 127.0.0.1 at once (two
#   smtp-source -s 5). postseal: mode "sign+verify", internal_hosts = [] (sign_daemons'
#   default ORIGINATING decides), an empty --dns-zone (no network); OpenDKIM: Mode sv,
#   MTA ORIGINATING, InternalHosts csl:192.0.2.250 (not 127.0.0.1).
# Before timing, each path is checked once: a few messages dumped at the sink carry exactly
# one DKIM-Signature (d=bench.example) that dkimpy verifies, and in the mixed paths only the
# ORIGINATING half is signed. During timing every postseal run must log one
# "DKIM-Signature field added" line per signed message.
# Prints medians of RUNS runs (default 3, interleaved path by path so that the noise of a
# shared machine falls on all paths alike), the ratios postseal/plain and postseal/OpenDKIM
# beside the targets (>= 95% of plain, >= 1.2x OpenDKIM; also the median of the per-round
# ratios, which a load that drifts between rounds disturbs less), CPU ms per message in the milter
# processes (/proc/PID/stat utime+stime) beside one RSA-2048 signature (`openssl speed`).
# Needs root, postfix, smtp-source/-sink, opendkim, python3-dkim (dkimpy).
# usage: POSTSEAL=build/cli/postseal bench/run_milter_sign.sh [MSGS]   (MSGS default 2000)
# PERF=PATH (e.g. PERF=postseal): `perf record -a -g` (system-wide: `-p PID` caught only a
# fraction of the milter's samples here) during that path's first timed run, into
# /var/tmp/postseal-bench-milter-sign.perf (perf report -i FILE --comm postseal|opendkim);
# that run's figures are then not comparable.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
POSTSEAL=${POSTSEAL:-$SRC/build/cli/postseal}
MSGS=${1:-2000}
RUNS=${RUNS:-3}
CHECK=${CHECK:-20}  # messages per path in the checking pass
R=/var/tmp/postseal-bench-milter-sign
PY=/usr/bin/python3
. "$SRC/tests/lib/postfix.sh"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "run_milter_sign.sh: $*" >&2; exit 1; }
say() { echo "[$(date +%T)] $*" >&2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu_ms() { awk '{print ($14+$15)*1000/'"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }  # user+sys, all threads
sys_ms() { awk '{print $15*1000/'"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
# busy_ms - the whole machine's busy CPU time (/proc/stat: user, system, irq, softirq, steal;
# not nice, so that a niced background job does not count, nor idle and iowait)
busy_ms() { awk '$1 == "cpu" {print ($2+$4+$7+$8+$9)*1000/'"$(getconf CLK_TCK)"'}' /proc/stat; }
[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$POSTSEAL" ] || die "$POSTSEAL not built"
for c in postfix smtp-source smtp-sink opendkim openssl bc; do command -v $c >/dev/null || die "$c missing"; done
$PY -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) missing"
MSGS=$(( MSGS / 2 * 2 ))  # even: the mixed runs split it in halves

# Ports (127.0.0.1): sink 2536; plain 2537; postseal sign 2538; OpenDKIM sign 2539;
# mixed (submission ORIGINATING / smtp): plain 2540/2541, postseal 2542/2543, OpenDKIM 2544/2545.
P_SINK=2536
declare -A SUB=([plain]=2537 [postseal]=2538 [opendkim]=2539 [plain-sv]=2540 [postseal-sv]=2542 [opendkim-sv]=2544)
declare -A INB=([plain-sv]=2541 [postseal-sv]=2543 [opendkim-sv]=2545)
PATHS=(plain postseal opendkim plain-sv postseal-sv opendkim-sv)
for p in $P_SINK "${SUB[@]}" "${INB[@]}"; do
  ss -Hltn "sport = :$p" | grep -q . && die "port $p is in use"
done

# pf_init wipes $R/pf only; the rest of $R is ours
[ -f "$R/pf/etc/main.cf" ] && postfix -c "$R/pf/etc" stop >/dev/null 2>&1
rm -rf "$R"; mkdir -p "$R/keys" "$R/ps" "$R/odk"; chmod 755 "$R"; chmod 700 "$R/keys"
openssl genrsa -out "$R/keys/rsa.private" 2048 2>/dev/null || die "openssl genrsa"
chmod 600 "$R/keys/rsa.private"
echo "r._domainkey.bench.example v=DKIM1; k=rsa; p=$(openssl pkey -in "$R/keys/rsa.private" -pubout -outform DER 2>/dev/null | base64 -w0)" \
  > "$R/keys/records"

say "openssl speed rsa2048 (one signature's cost)..."
rsa_sign_ms=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print 1000/$6}')
[ -n "$rsa_sign_ms" ] || die "openssl speed rsa2048 gave nothing"

# --- postseal: two milters (sign; sign+verify), root without --user (socket root:postfix 0660)
: > "$R/ps/empty.zone"  # no records: every lookup of the verifying half is NXDOMAIN, no network
cat > "$R/ps/sign.toml" <<EOF
[milter]
mode = "sign"
[[signer.domain]]
name = "bench.example"
keys = ["r:$R/keys/rsa.private"]
EOF
cat > "$R/ps/sv.toml" <<EOF
[milter]
mode = "sign+verify"
internal_hosts = []
sign_daemons = ["ORIGINATING"]
[[signer.domain]]
name = "bench.example"
keys = ["r:$R/keys/rsa.private"]
EOF
chmod 750 "$R/ps"; chgrp postfix "$R/ps"
declare -A PSPID
for m in sign sv; do
  "$POSTSEAL" verifier -c "$R/ps/$m.toml" --foreground --listen "unix:$R/ps/policy-$m.sock" \
    --milter "unix:$R/ps/$m.sock" --dns-zone "$R/ps/empty.zone" --authserv-id mx.test.local \
    >"$R/ps/$m.log" 2>&1 </dev/null &
  PSPID[$m]=$!; PIDS+=($!)
done
for m in sign sv; do
  for i in $(seq 1 100); do [ -S "$R/ps/$m.sock" ] && break; sleep 0.1; done
  [ -S "$R/ps/$m.sock" ] || { cat "$R/ps/$m.log" >&2; die "postseal milter ($m) did not start"; }
done

# --- OpenDKIM: two milters (Mode s; Mode sv), the same key
chown opendkim:postfix "$R/odk"; chmod 750 "$R/odk"
cp "$R/keys/rsa.private" "$R/odk/rsa.private"; chown opendkim "$R/odk/rsa.private"; chmod 600 "$R/odk/rsa.private"
odk_conf() {  # odk_conf NAME EXTRA-LINES
  cat > "$R/odk/$1.conf" <<CONF
Syslog no
Domain bench.example
Selector r
KeyFile $R/odk/rsa.private
Socket local:$R/odk/$1.sock
UserID opendkim:postfix
UMask 007
Canonicalization relaxed/relaxed
RequireSafeKeys false
$2
CONF
}
odk_conf sign $'Mode s\nInternalHosts 127.0.0.1'
# signs only what comes to a daemon named ORIGINATING; 127.0.0.1 is not internal
odk_conf sv $'Mode sv\nMTA ORIGINATING\nInternalHosts csl:192.0.2.250'
declare -A ODKPID
for m in sign sv; do
  opendkim -x "$R/odk/$m.conf" -f >"$R/odk/$m.log" 2>&1 </dev/null &
  ODKPID[$m]=$!; PIDS+=($!)
done
for m in sign sv; do
  for i in $(seq 1 100); do [ -S "$R/odk/$m.sock" ] && break; sleep 0.1; done
  [ -S "$R/odk/$m.sock" ] || { cat "$R/odk/$m.log" >&2; die "opendkim ($m) did not start"; }
done

# --- Postfix
pf_init "$R/pf" $P_SINK || die "pf_init"
pf_main "default_process_limit = 200" "smtp_connection_cache_on_demand = yes" \
  "milter_protocol = 6" "milter_default_action = tempfail"
add_smtpd() {  # add_smtpd PORT [MILTER-SOCKET] [ORIGINATING]
  pf_master "127.0.0.1:$1 inet n - n - - smtpd"
  [ -n "${2:-}" ] && pf_master "  -o smtpd_milters=unix:$2"
  [ -n "${3:-}" ] && pf_master "  -o milter_macro_daemon_name=ORIGINATING"
  return 0
}
add_smtpd ${SUB[plain]}
add_smtpd ${SUB[postseal]} "$R/ps/sign.sock"
add_smtpd ${SUB[opendkim]} "$R/odk/sign.sock"
add_smtpd ${SUB[plain-sv]} "" ORIGINATING
add_smtpd ${INB[plain-sv]}
add_smtpd ${SUB[postseal-sv]} "$R/ps/sv.sock" ORIGINATING
add_smtpd ${INB[postseal-sv]} "$R/ps/sv.sock"
add_smtpd ${SUB[opendkim-sv]} "$R/odk/sv.sock" ORIGINATING
add_smtpd ${INB[opendkim-sv]} "$R/odk/sv.sock"
pf_sink_start $P_SINK || die "smtp-sink (dumping) did not start"
pf_start || die "postfix start"
MAILLOG=$R/pf/log/maillog

sent_since() {  # sent_since OFFSET - messages sent to the sink since byte OFFSET of the maillog
  tail -c +"$(( $1 + 1 ))" "$MAILLOG" | grep -c "relay=127.0.0.1\[127.0.0.1\]:$P_SINK,.*status=sent"
}
log_size() { stat -c %s "$MAILLOG"; }
# send PATH N [RCPT-SUB RCPT-INB] - N messages on PATH (mixed: N/2 to each smtpd, at once);
# returns when smtp-source is done.
send() {
  local path=$1 n=$2 pids=()
  if [ -n "${INB[$path]:-}" ]; then
    smtp-source -c -l 4096 -m $((n / 2)) -s 5 -f alice@bench.example -t "${3:-sub@dest.example}" \
      "127.0.0.1:${SUB[$path]}" >/dev/null 2>&1 & pids+=($!)
    smtp-source -c -l 4096 -m $((n / 2)) -s 5 -f alice@bench.example -t "${4:-inb@dest.example}" \
      "127.0.0.1:${INB[$path]}" >/dev/null 2>&1 & pids+=($!)
    wait "${pids[@]}"
  else
    smtp-source -c -l 4096 -m "$n" -s 10 -f alice@bench.example -t "${3:-sub@dest.example}" \
      "127.0.0.1:${SUB[$path]}" >/dev/null 2>&1
  fi
}
# wait_sent OFFSET N [SECONDS] - until N messages went to the sink since OFFSET
wait_sent() {
  local i; for i in $(seq 1 $(( ${3:-600} * 20 ))); do
    [ "$(sent_since "$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

# --- checking pass: CHECK messages per path into the dumping sink; dkimpy per message
check_sink() {  # check_sink DIR - per recipient: "RCPT total signed-and-verified unsigned bad"
  $PY - "$1" "$R/keys/records" <<'PYEOF'
import os, re, sys
import dkim
sink, records_file = sys.argv[1], sys.argv[2]
records = {}
for line in open(records_file):
    name, value = line.rstrip("\n").split(" ", 1)
    records[name.lower().rstrip(".")] = value.encode()
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return records.get(n.lower().rstrip("."))
stats = {}
for f in sorted(os.listdir(sink)):
    lines = open(os.path.join(sink, f), "rb").read().split(b"\n")
    rcpt = b"?"
    i = 0
    while i < len(lines) and re.match(rb"X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):", lines[i]):
        m = re.match(rb"X-Rcpt-Args: <?([^> ]*)", lines[i])
        if m: rcpt = m.group(1)
        i += 1
    msg = b"\r\n".join(lines[i:])
    header = msg.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    sigs = re.findall(rb"^DKIM-Signature:.*?(?=\r\n[^ \t])", header, re.S | re.M)
    s = stats.setdefault(rcpt.decode(), [0, 0, 0, 0])
    s[0] += 1
    if not sigs:
        s[2] += 1
    elif len(sigs) == 1 and re.search(rb"d=bench\.example;", sigs[0]) and dkim.DKIM(msg).verify(dnsfunc=dnsfunc):
        s[1] += 1
    else:
        s[3] += 1
for r, s in sorted(stats.items()):
    print(r, *s)
PYEOF
}
say "checking each path with $CHECK messages (dkimpy at the sink)..."
for path in "${PATHS[@]}"; do
  rm -rf "$R/pf/sink"; mkdir -p "$R/pf/sink"; chown postfix "$R/pf/sink"
  off=$(log_size)
  send "$path" "$CHECK" "sub-$path@dest.example" "inb-$path@dest.example"
  wait_sent "$off" "$CHECK" 60 || die "check $path: only $(sent_since "$off") of $CHECK delivered"
  sleep 0.5  # the sink has written its files
  res=$(check_sink "$R/pf/sink")
  read -r _ tot sv un bad <<<"$(grep "^sub-$path@" <<<"$res")"
  read -r _ itot isv iun ibad <<<"$(grep "^inb-$path@" <<<"$res" || echo "x 0 0 0 0")"
  case $path in
    plain) want="$CHECK 0 $CHECK 0 / 0 0 0 0" ;;
    plain-sv) want="$((CHECK / 2)) 0 $((CHECK / 2)) 0 / $((CHECK / 2)) 0 $((CHECK / 2)) 0" ;;
    *-sv) want="$((CHECK / 2)) $((CHECK / 2)) 0 0 / $((CHECK / 2)) 0 $((CHECK / 2)) 0" ;;
    *) want="$CHECK $CHECK 0 0 / 0 0 0 0" ;;
  esac
  got="${tot:-0} ${sv:-0} ${un:-0} ${bad:-0} / ${itot:-0} ${isv:-0} ${iun:-0} ${ibad:-0}"
  [ "$got" = "$want" ] || { echo "$res" >&2; die "check $path: (total verified unsigned bad) submission / smtp: $got, wanted $want"; }
  say "  $path: submission $tot messages, $sv signed and verified by dkimpy; smtp ${itot:-0} messages, ${iun:-0} unsigned"
done
pf_sink_stop
smtp-sink -u postfix -c 127.0.0.1:$P_SINK 512 >/dev/null 2>&1 </dev/null & PIDS+=($!)
pf_wait_listen $P_SINK 50 || die "smtp-sink (counting) did not start"

# --- timed runs
milter_pid() {
  case $1 in
    postseal) echo "${PSPID[sign]}" ;; postseal-sv) echo "${PSPID[sv]}" ;;
    opendkim) echo "${ODKPID[sign]}" ;; opendkim-sv) echo "${ODKPID[sv]}" ;;
  esac
}
ps_log() { case $1 in postseal) echo "$R/ps/sign.log" ;; postseal-sv) echo "$R/ps/sv.log" ;; esac; }
declare -A RATES CPUS SYSS BUSYS SHARES
for run in $(seq 1 "$RUNS"); do
  for path in "${PATHS[@]}"; do
    pid=$(milter_pid "$path"); logf=$(ps_log "$path")
    s0=0; [ -n "$logf" ] && s0=$(grep -c "DKIM-Signature field added (s=r, d=bench.example)" "$logf")
    off=$(log_size); c0=0 k0=0; [ -n "$pid" ] && c0=$(cpu_ms "$pid") k0=$(sys_ms "$pid")
    PERFPID=""
    if [ "$run" = 1 ] && [ "${PERF:-}" = "$path" ] && [ -n "$pid" ]; then
      perf record -q -a -g -F 999 -o "$R.perf" >/dev/null 2>&1 & PERFPID=$!
      sleep 1
    fi
    b0=$(busy_ms); t0=$(date +%s.%N)
    send "$path" "$MSGS"
    wait_sent "$off" "$MSGS" || die "$path run $run: only $(sent_since "$off") of $MSGS delivered"
    t1=$(date +%s.%N); b1=$(busy_ms)
    c1=0 k1=0; [ -n "$pid" ] && c1=$(cpu_ms "$pid") k1=$(sys_ms "$pid")
    [ -n "$PERFPID" ] && { kill -INT "$PERFPID"; wait "$PERFPID"; }
    if [ -n "$logf" ]; then
      want=$MSGS; [[ $path == *-sv ]] && want=$((MSGS / 2))
      signed=$(( $(grep -c "DKIM-Signature field added (s=r, d=bench.example)" "$logf") - s0 ))
      [ "$signed" -eq "$want" ] || die "$path run $run: $signed messages signed, wanted $want"
    fi
    rate=$(echo "$MSGS / ($t1 - $t0)" | bc -l)
    RATES[$path]+="$rate "; CPUS[$path]+="$(echo "($c1 - $c0) / $MSGS" | bc -l) "; SYSS[$path]+="$(echo "($k1 - $k0) / $MSGS" | bc -l) "
    BUSYS[$path]+="$(echo "($b1 - $b0) / $MSGS" | bc -l) "
    SHARES[$path]+="$(echo "($b1 - $b0) / (1000 * ($t1 - $t0) * $(nproc))" | bc -l) "
    say "  run $run $path: $(printf '%.1f' "$rate") msg/s"
  done
done
declare -A RATE CPU SYS BUSY SHARE
for path in "${PATHS[@]}"; do
  BUSY[$path]=$(tr ' ' '\n' <<<"${BUSYS[$path]}" | grep . | median)
  SHARE[$path]=$(tr ' ' '\n' <<<"${SHARES[$path]}" | grep . | median)
  RATE[$path]=$(tr ' ' '\n' <<<"${RATES[$path]}" | grep . | median)
  CPU[$path]=$(tr ' ' '\n' <<<"${CPUS[$path]}" | grep . | median)
  SYS[$path]=$(tr ' ' '\n' <<<"${SYSS[$path]}" | grep . | median)
done

pct() { echo "100 * $1 / $2" | bc -l; }
ratio() { echo "$1 / $2" | bc -l; }
verdict() { [ "$(echo "$1 >= $2" | bc -l)" = 1 ] && echo met || echo "NOT met"; }
paired() {  # paired A B - median over the rounds of A's rate / B's rate in the same round
  local a=(${RATES[$1]}) b=(${RATES[$2]}) i
  for i in "${!a[@]}"; do echo "${a[$i]} / ${b[$i]}" | bc -l; done | median
}
printf '\n== postseal signing milter through Postfix (%s messages of 4 KB per run, %s runs, medians; nproc %s; load %s) ==\n' \
  "$MSGS" "$RUNS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %9s %9s %s\n' "path" "msg/s" "CPU ms/msg" "(all runs, msg/s)"
for path in "${PATHS[@]}"; do
  case $path in
    plain) name="plain Postfix (no milter)" ;;
    postseal) name="postseal milter, mode sign" ;;
    opendkim) name="OpenDKIM milter, Mode s" ;;
    plain-sv) name="mixed: plain Postfix" ;;
    postseal-sv) name="mixed: postseal, sign+verify" ;;
    opendkim-sv) name="mixed: OpenDKIM, Mode sv" ;;
  esac
  cpu="-"; [ -n "$(milter_pid "$path")" ] && cpu=$(printf '%.3f' "${CPU[$path]}")
  printf '%-40s %9.1f %9s   (%s)\n' "$name" "${RATE[$path]}" "$cpu" \
    "$(for r in ${RATES[$path]}; do printf '%.1f ' "$r"; done | sed 's/ $//')"
done
printf '\nratios (target beside):\n'
for sfx in "" -sv; do
  label=submission; [ -n "$sfx" ] && label="mixed (Mode sv)"
  a=$(pct "${RATE[postseal$sfx]}" "${RATE[plain$sfx]}"); b=$(ratio "${RATE[postseal$sfx]}" "${RATE[opendkim$sfx]}")
  pa=$(echo "100 * $(paired postseal$sfx plain$sfx)" | bc -l); pb=$(paired postseal$sfx opendkim$sfx)
  printf '  %-16s postseal / plain    %5.1f%%  (target >= 95%%: %s; per-round median %.1f%%: %s)\n' \
    "$label" "$a" "$(verdict "$a" 95)" "$pa" "$(verdict "$pa" 95)"
  printf '  %-16s postseal / OpenDKIM %5.2fx  (target >= 1.2x: %s; per-round median %.2fx: %s)\n' \
    "$label" "$b" "$(verdict "$b" 1.2)" "$pb" "$(verdict "$pb" 1.2)"
  printf '  %-16s OpenDKIM / plain    %5.1f%%\n' "$label" "$(pct "${RATE[opendkim$sfx]}" "${RATE[plain$sfx]}")"
done
printf '\nCPU per message in the milter process (utime+stime) beside one RSA-2048 signature (openssl speed: %.3f ms):\n' "$rsa_sign_ms"
for path in postseal opendkim postseal-sv opendkim-sv; do
  printf '  %-14s %.3f ms/msg (%.3f of it in the kernel) = %.2fx one signature%s\n' "$path" "${CPU[$path]}" "${SYS[$path]}" \
    "$(ratio "${CPU[$path]}" "$rsa_sign_ms")" "$([[ $path == *-sv ]] && echo ' (half of the messages signed)')"
done
# The hardware limit: when plain Postfix keeps every core busy, a milter can only add CPU, and
# the rate falls to at most plain's CPU per message over plain's plus the milter's own
# (Postfix's side of the milter protocol comes on top, which the whole machine's figure shows).
printf '\nthe whole machine (%s cores) per message, busy CPU (not nice) and the share of the cores busy:\n' "$(nproc)"
for path in "${PATHS[@]}"; do
  printf '  %-14s %.3f ms/msg, cores %.0f%% busy\n' "$path" "${BUSY[$path]}" "$(echo "100 * ${SHARE[$path]}" | bc -l)"
done
for sfx in "" -sv; do
  lim=$(pct "${BUSY[plain$sfx]}" "$(echo "${BUSY[plain$sfx]} + ${CPU[postseal$sfx]}" | bc -l)")
  printf '  limit%-9s postseal / plain <= %.1f%% while plain keeps the cores busy (plain %.3f ms/msg + the milter'"'"'s own %.3f); measured %.1f%%; the whole machine spends %.3f ms/msg more with the milter\n' \
    "$sfx" "$lim" "${BUSY[plain$sfx]}" "${CPU[postseal$sfx]}" "$(pct "${RATE[postseal$sfx]}" "${RATE[plain$sfx]}")" \
    "$(echo "${BUSY[postseal$sfx]} - ${BUSY[plain$sfx]}" | bc -l)"
done

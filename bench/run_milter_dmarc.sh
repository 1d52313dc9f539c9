#!/usr/bin/env bash
# run_milter_dmarc.sh - issue 12's Postfix benchmark: messages/s through a private Postfix with
# inbound verification as a milter, in the same run:
#   plain         no milter
#   postseal      `postseal verifier --milter unix:SOCK`, [dmarc] enable = true: SPF + DKIM + DMARC
#   postseal-nd   the same without DMARC (SPF + DKIM): DMARC's extra CPU per message
#   chain         Debian's OpenDKIM (Mode v) and OpenDMARC (SPFSelfValidate: it checks SPF
#                 itself) chained as `smtpd_milters = unix:opendkim, unix:opendmarc`
# Each message is dkimpy-signed (rsa-sha256, 2048-bit key, d=dkim.example), From
# user@dkim.example whose record is p=reject, MAIL FROM user@dkim.example whose SPF passes: SPF,
# DKIM and DMARC all pass. The client is external: smtp-source connects to 198.51.100.7 (an
# address put on lo inside a private network namespace), so Postfix, postseal and OpenDMARC
# see 198.51.100.7, not localhost (which all three would skip). Records come from a private
# unbound on 127.0.0.1:53 in that namespace; /etc/resolv.conf is bind-mounted (private mount
# namespace) to point at it, for OpenDMARC's resolver; OpenDKIM gets `Nameservers 127.0.0.1`.
# Before timing, each path is checked once: the message at the sink carries the milter's
# verdict (postseal: spf=pass, dkim=pass, dmarc=pass; chain: OpenDKIM's dkim=pass and
# OpenDMARC's dmarc=pass).
# Prints per path the median msgs/s of RUNS runs (interleaved, so the noise of a shared machine
# falls on all paths alike), the ratio to plain Postfix and to the chain beside the targets
# (>= 90 % of plain, >= 2x the OpenDKIM + OpenDMARC chain), and milter CPU ms per message
# (/proc/PID/stat utime+stime of the milter processes over the timed runs), with DMARC's share
# of postseal's CPU (target <= 5 %).
# Needs root, postfix, smtp-source/-sink, unbound, opendkim, opendmarc, python3-dkim.
# usage: POSTSEAL=build/cli/postseal bench/run_milter_dmarc.sh [N] [S] [RUNS]
#   N messages per run (default 1000), S parallel smtp-source sessions (10), RUNS (3).
#   CPU is read in clock ticks (10 ms): with N = 300 one tick is ~5 % of a path's CPU per
#   message, too coarse for the DMARC share; N >= 1000 keeps it under 1.5 %.
# Comparing two builds: POSTSEAL_OLD=/path/to/old/postseal adds the paths old and old-nd (the
# same two milters of that binary), timed in the same interleaved runs, and prints the old
# binary's DMARC share beside the new one's. BENCH_PATHS="postseal postseal-nd old old-nd"
# times only those paths (the default: all of them).
set -uo pipefail
SRC=${POSTSEAL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
POSTSEAL=${POSTSEAL:-$SRC/build/cli/postseal}
if [ -z "${DMBENCH_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "run_milter_dmarc.sh: needs root (private Postfix, unshare)" >&2; exit 1; }
  exec env DMBENCH_INSIDE=1 POSTSEAL_SRC="$SRC" POSTSEAL="$POSTSEAL" \
    unshare --net --mount --propagation private bash "$0" "$@"
fi
N=${1:-1000} S=${2:-10} RUNS=${3:-3}
die() { echo "run_milter_dmarc.sh: $*" >&2; exit 1; }
[ -x "$POSTSEAL" ] || die "$POSTSEAL not built"
for c in postfix smtp-source smtp-sink unbound opendkim opendmarc; do
  command -v $c >/dev/null || [ -x "/usr/sbin/$c" ] || die "$c missing"
done
/usr/bin/python3 -c 'import dkim' 2>/dev/null || die "python3-dkim (dkimpy) missing"
ip link set lo up
CLIENT=198.51.100.7
ip addr add "$CLIENT/32" dev lo || die "cannot add $CLIENT to lo"
. "$SRC/tests/lib/postfix.sh"
. "$SRC/tests/lib/unbound.sh"
P_SINK=2853
declare -A PORT=([plain]=2850 [postseal]=2851 [postseal-nd]=2852 [chain]=2854 [old]=2855 [old-nd]=2856)
PATHS=(plain postseal postseal-nd ${POSTSEAL_OLD:+old old-nd} chain)
[ -n "${BENCH_PATHS:-}" ] && read -ra PATHS <<< "$BENCH_PATHS"
for p in "${PATHS[@]}"; do [ -n "${PORT[$p]:-}" ] || die "unknown path $p"; done
case " ${PATHS[*]} " in *" old"*) [ -x "${POSTSEAL_OLD:-}" ] || die "old paths need POSTSEAL_OLD" ;; esac
DNS=53
R=$(mktemp -d /var/tmp/postseal-bench-dmarc.XXXXXX)
U=$(mktemp -d /var/tmp/postseal-bench-dmarc-d.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  unbound_stop "$U" 2>/dev/null
  pf_cleanup
  rm -rf "$R" "$U"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }

# Records: the front-end tests' keys and DMARC policies, and an SPF record that lets the
# benchmark's client address send for dkim.example.
{ grep -v "^local-data: 'dkim.example. TXT" "$SRC/tests/integration/frontends/unbound-data.conf"
  echo "local-data: 'dkim.example. TXT \"v=spf1 ip4:$CLIENT -all\"'"
  cat "$SRC/tests/integration/frontends/unbound-dmarc.conf"
} > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"
echo "nameserver 127.0.0.1" > "$U/resolv.conf"
mount --bind "$U/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"
chmod 755 "$U"

# start_postseal NAME DMARC(true|false) [BINARY] - a verifier with its milter on unix:$U/NAME.sock.
start_postseal() {
  printf '[dmarc]\nenable = %s\n' "$2" > "$U/$1.toml"
  "${3:-$POSTSEAL}" verifier --foreground --config "$U/$1.toml" --listen "unix:$U/$1-policy.sock" \
    --milter "unix:$U/$1.sock" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
    > "$U/$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${1//-/_}=$!"
}
start_postseal postseal true
start_postseal postseal-nd false
MILTER_SOCKETS=("$U/postseal.sock" "$U/postseal-nd.sock")
if [ -n "${POSTSEAL_OLD:-}" ]; then
  start_postseal old true "$POSTSEAL_OLD"
  start_postseal old-nd false "$POSTSEAL_OLD"
  MILTER_SOCKETS+=("$U/old.sock" "$U/old-nd.sock")
fi
install -d -o opendkim -g opendkim "$U/odkim"
cat > "$U/opendkim.conf" <<CONF
Mode v
Socket local:$U/odkim/opendkim.sock
UMask 000
AuthservID mx.test.local
Nameservers 127.0.0.1
Background no
UserID opendkim
PidFile $U/odkim/opendkim.pid
CONF
opendkim -f -x "$U/opendkim.conf" > "$U/opendkim.log" 2>&1 &
PIDS+=($!); PID_opendkim=$!
install -d -o opendmarc -g opendmarc "$U/odmarc"
cat > "$U/opendmarc.conf" <<CONF
Socket local:$U/odmarc/opendmarc.sock
UMask 000
AuthservID mx.test.local
TrustedAuthservIDs mx.test.local
SPFSelfValidate true
IgnoreAuthenticatedClients false
RejectFailures false
FailureReports false
UserID opendmarc
PidFile $U/odmarc/opendmarc.pid
CONF
opendmarc -f -c "$U/opendmarc.conf" > "$U/opendmarc.log" 2>&1 &
PIDS+=($!); PID_opendmarc=$!
for s in "${MILTER_SOCKETS[@]}" "$U/odkim/opendkim.sock" "$U/odmarc/opendmarc.sock"; do
  for _ in $(seq 1 100); do [ -S "$s" ] && break; sleep 0.1; done
  [ -S "$s" ] || die "no milter socket $s (logs: $(cat "$U"/*.log | tail -5))"
done
chmod 666 "${MILTER_SOCKETS[@]}"

pf_init "$R" $P_SINK || die "pf_init"
postconf -c "$R/etc" -e "inet_interfaces = 127.0.0.1, $CLIENT" "mynetworks = 127.0.0.0/8, $CLIENT/32"
pf_main "milter_default_action = tempfail" "milter_protocol = 6"
pf_master "$CLIENT:${PORT[plain]} inet n - n - - smtpd" \
  "$CLIENT:${PORT[postseal]} inet n - n - - smtpd" "  -o smtpd_milters=unix:$U/postseal.sock" \
  "$CLIENT:${PORT[postseal-nd]} inet n - n - - smtpd" "  -o smtpd_milters=unix:$U/postseal-nd.sock" \
  "$CLIENT:${PORT[chain]} inet n - n - - smtpd" \
  "  -o smtpd_milters=unix:$U/odkim/opendkim.sock,unix:$U/odmarc/opendmarc.sock" \
  ${POSTSEAL_OLD:+"$CLIENT:${PORT[old]} inet n - n - - smtpd" "  -o smtpd_milters=unix:$U/old.sock"} \
  ${POSTSEAL_OLD:+"$CLIENT:${PORT[old-nd]} inet n - n - - smtpd" "  -o smtpd_milters=unix:$U/old-nd.sock"}
pf_sink_start $P_SINK || die "smtp-sink"
pf_start || die "postfix"

{ printf 'From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\nSubject: bench\r\n'
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <bench@dkim.example>\r\n\r\n'
  for i in $(seq 1 60); do printf 'Line %d of a benchmark message body, about seventy octets long...\r\n' "$i"; done
} | /usr/bin/python3 "$SRC/tests/integration/frontends/sign.py" "$SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" \
    sel2048 dkim.example rsa-sha256 > "$R/msg.eml" || die "dkimpy signing failed"

# send PORT COUNT - COUNT messages from $CLIENT to PORT, waits until the sink holds them all;
# prints msgs/s (0 when some were not delivered in 120 s).
send() {
  local before start end
  before=$(pf_sink_count)
  start=$(date +%s.%N)
  smtp-source -c -f user@dkim.example -t rcpt@example.net -m "$2" -s "$S" -F "$R/msg.eml" "$CLIENT:$1" >/dev/null 2>&1
  pf_wait_sink $((before + $2)) 120 >/dev/null ||
    { echo 0; echo "port $1: only $(( $(pf_sink_count) - before )) of $2 delivered" >&2; return; }
  end=$(date +%s.%N)
  awk -v n="$2" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", n / (b - a) }'
}

# Check pass: one message per path, its verdict read at the sink.
check() {
  local path=$1 f
  send "${PORT[$path]}" 1 >/dev/null
  f=$(ls -t "$R"/sink/* | head -1)
  case $path in
    plain) ! grep -qi '^Authentication-Results: mx.test.local' "$f" ;;
    postseal|old) grep -A8 '^Authentication-Results: mx.test.local' "$f" | tr -d '\r\n\t' |
      grep -q 'spf=pass.*dkim=pass.*dmarc=pass' ;;
    postseal-nd|old-nd) grep -A8 '^Authentication-Results: mx.test.local' "$f" | tr -d '\r\n\t' |
      grep -q 'spf=pass.*dkim=pass' ;;
    chain) grep -A8 '^Authentication-Results: mx.test.local' "$f" | tr -d '\r\n\t' | grep -q 'dkim=pass' &&
      grep -A8 '^Authentication-Results: mx.test.local' "$f" | tr -d '\r\n\t' | grep -q 'dmarc=pass' ;;
  esac || { echo "check failed for $path; message at the sink:" >&2; sed -n '1,25p' "$f" >&2; exit 1; }
}
for p in "${PATHS[@]}"; do check "$p"; echo "checked $p" >&2; done

echo "hardware: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "messages: $N x $(wc -c < "$R/msg.eml") octets per run, $S sessions, $RUNS runs, client $CLIENT"
for p in "${PATHS[@]}"; do send "${PORT[$p]}" $((N / 5)) >/dev/null; done  # warm-up
declare -A RATE CPU
for r in $(seq 1 "$RUNS"); do
  for p in "${PATHS[@]}"; do
    case $p in
      postseal) pids="$PID_postseal" ;; postseal-nd) pids="$PID_postseal_nd" ;;
      old) pids="$PID_old" ;; old-nd) pids="$PID_old_nd" ;;
      chain) pids="$PID_opendkim $PID_opendmarc" ;; *) pids="" ;;
    esac
    c0=0; for x in $pids; do c0=$(awk -v a="$c0" -v b="$(cpu_ms "$x")" 'BEGIN { print a + b }'); done
    rate=$(send "${PORT[$p]}" "$N")
    c1=0; for x in $pids; do c1=$(awk -v a="$c1" -v b="$(cpu_ms "$x")" 'BEGIN { print a + b }'); done
    RATE[$p]+="$rate "
    [ -n "$pids" ] && CPU[$p]+="$(awk -v a="$c0" -v b="$c1" -v n="$N" 'BEGIN { printf "%.3f", (b - a) / n }') "
    echo "run $r $p: $rate msg/s" >&2
  done
done
med() { echo $1 | tr ' ' '\n' | grep . | median; }
# ratio A B FORMAT - A / B printed with FORMAT, "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a == "" || b + 0 == 0) print "-"; else printf f, a / b }'; }
plain=$(med "${RATE[plain]:-}") chain=$(med "${RATE[chain]:-}")
printf '%-12s %10s %9s %9s %14s   %s\n' path msgs/s /plain /chain "milter ms/msg" "runs (msgs/s; ms/msg)"
for p in "${PATHS[@]}"; do
  m=$(med "${RATE[$p]}")
  c=$( [ -n "${CPU[$p]:-}" ] && med "${CPU[$p]}" || echo -)
  cpu_runs=${CPU[$p]:-}
  printf '%-12s %10s %9s %9s %14s   [%s%s]\n' "$p" "$m" "$(ratio "$m" "$plain" %.3f)" \
    "$(ratio "$m" "$chain" %.2f)" "$c" "${RATE[$p]% }" "${cpu_runs:+; ${cpu_runs% }}"
done
# dmarc_share D ND - DMARC's extra milter CPU in percent of the SPF + DKIM milter's: of the
# medians, and the median of each run's own share (D and ND timed one after the other, so the
# load of a shared machine, which changes from run to run, weighs less on it).
dmarc_share() {
  local d nd paired
  d=$(med "${CPU[$1]:-}") nd=$(med "${CPU[$2]:-}")
  [ -n "$d" ] && [ -n "$nd" ] || { echo -; return; }
  paired=$(paste <(echo ${CPU[$1]} | tr ' ' '\n') <(echo ${CPU[$2]} | tr ' ' '\n') |
    awk '{ print 100 * ($1 - $2) / $2 }' | median)
  awk -v a="$d" -v b="$nd" -v p="$paired" \
    'BEGIN { printf "%.1f %% (median of the runs\x27 own: %.1f %%)", 100 * (a - b) / b, p }'
}
ours=$(med "${RATE[postseal]:-}")
echo "targets: postseal/plain $(ratio "$ours" "$plain" %.3f | awk '$1 != "-" { $1 = sprintf("%.1f %%", 100 * $1) } 1') (>= 90 %)," \
  "postseal/chain $(ratio "$ours" "$chain" %.2fx) (>= 2x)," \
  "DMARC's extra milter CPU $(dmarc_share postseal postseal-nd) (<= 5 %)"
[ -n "${CPU[old]:-}" ] && echo "old binary ($POSTSEAL_OLD): DMARC's extra milter CPU $(dmarc_share old old-nd)"
exit 0

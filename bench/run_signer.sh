#!/bin/bash
# run_signer.sh - benchmark `postseal signer` (BENCHMARKS.md / issue 3, issue 14 (b)):
#  (a) the filter alone: smtp-source -> postseal signer -> smtp-sink, 4 KB messages, msgs/s and
#      CPU ms per message for RSA-2048, Ed25519 and no key (pass-through), beside the cost of one
#      signature from `openssl speed` (the hardware limit); each with one upstream connection
#      per message (the filter's reinjection connections are still reused, parked between
#      sessions) and, as "reused", with smtp-source -d (every message of a session over one
#      connection, as Postfix's dksign transport does with connection caching);
#  (b) through Postfix: smtp-source -> Postfix -> postseal -> Postfix -> smtp-sink, beside the
#      same path with postseal as a pass-through and beside OpenDKIM as a milter (unix socket);
#      the dksign transport caches its connections to the filter as conf/postfix/signer-master.cf
#      says (smtp_connection_cache_destinations), and the share of deliveries over a reused
#      connection (conn_use= in Postfix's log) is printed;
#  peak RSS with 200 concurrent sessions and with one 50 MB message.
# Each figure is the median of RUNS runs (default 3). Needs root, postfix, smtp-source/-sink,
# opendkim. usage: POSTSEAL=build/cli/postseal bench/run_signer.sh [MSGS]
set -u
POSTSEAL=${POSTSEAL:-build/cli/postseal}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MSGS=${1:-2000}
RUNS=${RUNS:-3}
R=/var/tmp/postseal-bench-signer
PY=/usr/bin/python3
. "$SRC/tests/lib/postfix.sh"
PIDS=()
FPID=""
cleanup() { for p in "${PIDS[@]}" $FPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pf_cleanup; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "run_signer.sh: $*" >&2; exit 1; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu_ms() { awk '{print ($14+$15)*1000/'"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

rm -rf "$R"; mkdir -p "$R/keys"; chmod 700 "$R/keys"
openssl genrsa -out "$R/keys/rsa.private" 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$R/keys/ed.private" 2>/dev/null
chmod 600 "$R/keys"/*.private

# one signature's cost (the hardware limit for one message)
rsa_sign_ms=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print 1000/$6}')
ed_sign_ms=$(openssl speed -seconds 2 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {print 1000/$7}')

RELAY=127.0.0.1:10128  # (a): smtp-sink; (b): Postfix's reinjection smtpd
start_filter() {  # start_filter NAME ARGS... -> FPID
  "$POSTSEAL" signer --listen 127.0.0.1:10127 --relay $RELAY --foreground "${@:2}" \
    >"$R/$1.log" 2>&1 </dev/null &
  FPID=$!
  pf_wait_listen 10127 50 || die "filter did not start"
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# (a) filter alone
smtp-sink -u postfix 127.0.0.1:10128 512 >/dev/null 2>&1 & SINK=$!; PIDS+=($SINK)
pf_wait_listen 10128 50 || die "smtp-sink did not start"
declare -A A_RATE A_CPU
# modes: KEY or KEY-reused (smtp-source -d: one upstream connection per session, not per message)
for mode in rsa rsa-reused ed25519 ed25519-reused none none-reused; do
  rates=(); cpus=()
  keep=""; [ "${mode%-reused}" = "$mode" ] || keep=-d
  for run in $(seq 1 "$RUNS"); do
    case ${mode%-reused} in
      rsa) start_filter a-$mode --key bench.example:r:$R/keys/rsa.private ;;
      ed25519) start_filter a-$mode --key bench.example:e:$R/keys/ed.private ;;
      none) start_filter a-$mode ;;
    esac
    c0=$(cpu_ms $FPID); t0=$(date +%s.%N)
    smtp-source -c $keep -l 4096 -m "$MSGS" -s 10 -f alice@bench.example -t bob@dest.example 127.0.0.1:10127 >/dev/null 2>&1
    t1=$(date +%s.%N); c1=$(cpu_ms $FPID)
    signed=$(grep -c "DKIM-Signature added" "$R/a-$mode.log")
    stop_pid $FPID
    [ "${mode%-reused}" = none ] || [ "$signed" -ge "$MSGS" ] || die "(a) $mode: only $signed of $MSGS signed"
    rates+=("$(echo "$MSGS / ($t1 - $t0)" | bc -l)"); cpus+=("$(echo "($c1 - $c0) / $MSGS" | bc -l)")
  done
  A_RATE[$mode]=$(printf '%s\n' "${rates[@]}" | median); A_CPU[$mode]=$(printf '%s\n' "${cpus[@]}" | median)
done

for mode in "${!A_RATE[@]}"; do echo "(a) median $mode: ${A_RATE[$mode]} msg/s ${A_CPU[$mode]} CPU ms/msg" >&2; done
echo "(a) openssl sign rsa ${rsa_sign_ms} ms ed ${ed_sign_ms} ms" >&2
# peak RSS: 200 concurrent sessions; one 50 MB message
printf '[signer]\nmax_connections = 300\n' > "$R/rss.toml"
start_filter rss -c "$R/rss.toml" --key bench.example:r:$R/keys/rsa.private
smtp-source -c -l 4096 -m 2000 -s 200 -f alice@bench.example -t bob@dest.example 127.0.0.1:10127 >/dev/null 2>&1
rss200=$(hwm_mb $FPID)
stop_pid $FPID
start_filter rss50 --key bench.example:r:$R/keys/rsa.private
$PY - <<'PYEOF' || die "50 MB message not accepted"
import smtplib
body = ("z" * 76 + "\r\n") * 660000
s = smtplib.SMTP("127.0.0.1", 10127)
s.sendmail("alice@bench.example", ["bob@dest.example"], ("From: alice@bench.example\r\nSubject: big\r\n\r\n" + body).encode())
s.quit()
PYEOF
rss50=$(hwm_mb $FPID)
stop_pid $FPID
stop_pid $SINK

# (b) through Postfix: submission 2527 -> dksign -> 10127 -> reinjection 10028 -> sink 2526;
# OpenDKIM path: 2528 with smtpd_milters=unix:... -> sink.
pf_init "$R/pf" 2526 || die "pf_init"
pf_main "default_process_limit = 200" "smtp_connection_cache_on_demand = yes"
pf_master "127.0.0.1:2527 inet n - n - - smtpd" "  -o content_filter=dksign:[127.0.0.1]:10127" \
  "  -o receive_override_options=no_address_mappings" \
  "dksign unix - - n - 10 smtp" "  -o smtp_send_xforward_command=yes" "  -o disable_mime_output_conversion=yes" \
  "  -o smtp_connection_cache_destinations=127.0.0.1" \
  "127.0.0.1:10028 inet n - n - 10 smtpd" "  -o content_filter=" \
  "  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters" \
  "  -o smtpd_recipient_restrictions=permit_mynetworks,reject" "  -o mynetworks=127.0.0.0/8" \
  "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8" \
  "127.0.0.1:2528 inet n - n - - smtpd" "  -o smtpd_milters=unix:$R/odk/odk.sock" "  -o milter_default_action=tempfail"
mkdir -p "$R/odk"; chown opendkim:postfix "$R/odk" 2>/dev/null || chown opendkim "$R/odk"; chmod 750 "$R/odk"
cp "$R/keys/rsa.private" "$R/odk/rsa.private"; chown opendkim "$R/odk/rsa.private"
cat > "$R/odk/opendkim.conf" <<CONF
Syslog no
Mode s
Domain bench.example
Selector r
KeyFile $R/odk/rsa.private
Socket local:$R/odk/odk.sock
UserID opendkim:postfix
UMask 007
Canonicalization relaxed/relaxed
InternalHosts 127.0.0.1
RequireSafeKeys false
CONF
opendkim -x "$R/odk/opendkim.conf" -f >"$R/odk.log" 2>&1 & ODK=$!; PIDS+=($ODK)
pf_sink_start 2526 || die "sink"
rm -rf "$R/pf/sink"; mkdir -p "$R/pf/sink"  # counted by smtp-sink below, not dumped
pf_sink_stop; smtp-sink -u postfix -c 127.0.0.1:2526 512 >"$R/sinkcount.log" 2>&1 & PSINK=$!; PIDS+=($PSINK)
pf_wait_listen 2526 50
pf_start || die "postfix start"
for i in $(seq 1 50); do [ -S "$R/odk/odk.sock" ] && break; sleep 0.1; done

RELAY=127.0.0.1:10028
sent_count() { grep -c "relay=127.0.0.1\[127.0.0.1\]:2526.*status=sent" "$R/pf/log/maillog"; }
# path_rate PORT - submit MSGS, wait until all reach the sink, print msgs/s end to end
path_rate() {
  local before t0 t1 want
  before=$(sent_count); want=$((before + MSGS)); t0=$(date +%s.%N)
  smtp-source -c -l 4096 -m "$MSGS" -s 10 -f alice@bench.example -t bob@dest.example "127.0.0.1:$1" >/dev/null 2>&1
  for i in $(seq 1 6000); do [ "$(sent_count)" -ge "$want" ] && break; sleep 0.1; done
  t1=$(date +%s.%N)
  [ "$(sent_count)" -ge "$want" ] || die "(b) port $1: only $(( $(sent_count) - before )) of $MSGS delivered"
  echo "$MSGS / ($t1 - $t0)" | bc -l
}
# dksign deliveries, and those over a connection Postfix reused (conn_use=N, N >= 2)
dksign_sent() { grep -c "relay=127.0.0.1\[127.0.0.1\]:10127.*status=sent" "$R/pf/log/maillog"; }
dksign_reused() { grep -c "relay=127.0.0.1\[127.0.0.1\]:10127, conn_use=.*status=sent" "$R/pf/log/maillog"; }
declare -A B_RATE
for mode in rsa none opendkim; do
  rates=()
  for run in $(seq 1 "$RUNS"); do
    case $mode in
      rsa) start_filter b-$mode --key bench.example:r:$R/keys/rsa.private; rates+=("$(path_rate 2527)"); stop_pid $FPID ;;
      none) start_filter b-$mode; rates+=("$(path_rate 2527)"); stop_pid $FPID ;;
      opendkim) rates+=("$(path_rate 2528)") ;;
    esac
  done
  B_RATE[$mode]=$(printf '%s\n' "${rates[@]}" | median)
done

printf '\n== postseal signer benchmark (%s messages of 4 KB, %s runs, medians; %s cores) ==\n' "$MSGS" "$RUNS" "$(nproc)"
printf '(a) filter alone: smtp-source -s 10 -> postseal signer -> smtp-sink (reused: smtp-source -d)\n'
for conn in "" -reused; do
  printf '    %-20s %8.0f msg/s  %6.3f CPU ms/msg   (one signature: %s ms, ratio %.2f)\n' \
    "rsa-sha256${conn}" "${A_RATE[rsa$conn]}" "${A_CPU[rsa$conn]}" "$rsa_sign_ms" "$(echo "${A_CPU[rsa$conn]} / $rsa_sign_ms" | bc -l)"
  printf '    %-20s %8.0f msg/s  %6.3f CPU ms/msg   (one signature: %s ms, ratio %.2f)\n' \
    "ed25519${conn}" "${A_RATE[ed25519$conn]}" "${A_CPU[ed25519$conn]}" "${ed_sign_ms:-?}" "$(echo "${A_CPU[ed25519$conn]} / ${ed_sign_ms:-1}" | bc -l)"
  printf '    %-20s %8.0f msg/s  %6.3f CPU ms/msg\n' "pass-through${conn}" "${A_RATE[none$conn]}" "${A_CPU[none$conn]}"
done
printf '    target (issue 14 b): rsa-sha256-reused CPU <= 1.5x one signature: %s\n' \
  "$(echo "${A_CPU[rsa-reused]} <= 1.5 * $rsa_sign_ms" | bc -l | sed 's/1/met/; s/0/not met/')"
printf '(b) through Postfix (end to end, msgs/s; %s of %s dksign deliveries over a reused connection):\n' \
  "$(dksign_reused)" "$(dksign_sent)"
printf '    postseal rsa-sha256      %6.1f  (%.0f%% of pass-through)\n' "${B_RATE[rsa]}" "$(echo "100 * ${B_RATE[rsa]} / ${B_RATE[none]}" | bc -l)"
printf '    postseal pass-through    %6.1f\n' "${B_RATE[none]}"
printf '    OpenDKIM milter (unix)   %6.1f\n' "${B_RATE[opendkim]}"
printf 'peak RSS: %s MB with 200 concurrent sessions; %s MB after one 50 MB message\n' "$rss200" "$rss50"

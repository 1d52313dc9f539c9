#!/usr/bin/env bash
# run_frontends.sh - messages/s through a private Postfix: plain, with `postseal verifier
# --milter` (over TCP and over a unix socket), with `postseal verifier --proxy` as the before-queue smtpd_proxy_filter (after-
# filter smtpd on 10026), and with OpenDKIM (Mode v) as the milter, in the same run. Each run sends
# N dkimpy-signed (rsa-sha256, 2048-bit key) messages with smtp-source (S parallel sessions)
# and times until smtp-sink holds them all; RUNS runs each, median msgs/s and the ratio to
# plain Postfix are printed. Key records come from a private unbound (tests/lib/unbound.sh) on
# 127.0.0.1:53 inside a private network namespace (unshare), which OpenDKIM reaches with
# `Nameservers 127.0.0.1` (with a ResolverConfiguration forward-zone file instead, Debian's
# OpenDKIM 2.11 crashed inside libunbound under concurrent sessions).
# The client is 127.0.0.1 (smtp-source cannot XCLIENT), so postseal skips SPF (localhost):
# the figure is DKIM verification + A-R handling. Ports: Postfix 2810-2812 and 2814, sink 2813,
# milter 10041, proxy 10025 -> after-filter smtpd 10026, OpenDKIM 10043, unbound 53 (namespace). Runs as root. Usage: run_frontends.sh [N] [S] [RUNS]
set -uo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
SRC=${POSTSEAL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
if [ -z "${FEBENCH_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "run_frontends.sh: needs root (private Postfix, unshare)" >&2; exit 1; }
  exec env FEBENCH_INSIDE=1 POSTSEAL_SRC="$SRC" unshare --net --mount --propagation private bash "$0" "$@"
fi
ip link set lo up
N=${1:-300} S=${2:-10} RUNS=${3:-3}
. "$SRC/tests/lib/postfix.sh"
. "$SRC/tests/lib/unbound.sh"
P_PLAIN=2810 P_OURS=2811 P_ODKIM=2812 P_SINK=2813 P_PROXY=2814 P_OURS_UNIX=2815 MILTER=10041 ODKIM=10043 DNS=53
R=$(mktemp -d /var/tmp/postseal-bench-fe.XXXXXX)
U=$(mktemp -d /var/tmp/postseal-bench-fe-dns.XXXXXX)
VPID="" VPID2="" OPID=""
cleanup() {
  [ -n "$VPID" ] && kill "$VPID" 2>/dev/null
  [ -n "$VPID2" ] && kill "$VPID2" 2>/dev/null
  [ -n "$OPID" ] && kill "$OPID" 2>/dev/null
  unbound_stop "$U" 2>/dev/null
  pf_cleanup
  rm -rf "$R" "$U"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*"; exit 1; }

unbound_start "$U" $DNS "$SRC/tests/integration/frontends/unbound-data.conf" || die "unbound"
"$POSTSEAL" verifier --listen "unix:$U/policy.sock" --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" \
  --proxy --proxy-listen 127.0.0.1:10025 --proxy-relay 127.0.0.1:10026 \
  --authserv-id mx.test.local > "$U/verifier.log" 2>&1 &
VPID=$!
# the same milter on a unix socket (a second verifier: one milter socket per process)
"$POSTSEAL" verifier --listen "unix:$U/policy2.sock" --milter "unix:$U/milter.sock" --dns "127.0.0.1@$DNS" \
  --authserv-id mx.test.local > "$U/verifier2.log" 2>&1 &
VPID2=$!
cat > "$U/opendkim.conf" <<CONF
Mode v
Socket inet:$ODKIM@127.0.0.1
AuthservID mx.test.local
Nameservers 127.0.0.1
Background no
UserID opendkim
PidFile $U/opendkim.pid
CONF
chmod 755 "$U"; chmod 644 "$U"/*.conf
opendkim -f -x "$U/opendkim.conf" > "$U/opendkim.log" 2>&1 &
OPID=$!
pf_wait_listen $MILTER || die "postseal milter did not start"
for _ in $(seq 1 50); do [ -S "$U/milter.sock" ] && break; sleep 0.1; done
[ -S "$U/milter.sock" ] || die "postseal milter (unix socket) did not start"
chmod 666 "$U/milter.sock"
pf_wait_listen $ODKIM || die "opendkim did not start: $(cat "$U/opendkim.log")"

pf_init "$R" $P_SINK || die "pf_init"
pf_main "milter_default_action = tempfail" "milter_protocol = 6"
pf_master "127.0.0.1:$P_PLAIN inet n - n - - smtpd" \
  "127.0.0.1:$P_OURS inet n - n - - smtpd" "  -o smtpd_milters=inet:127.0.0.1:$MILTER" \
  "127.0.0.1:$P_OURS_UNIX inet n - n - - smtpd" "  -o smtpd_milters=unix:$U/milter.sock" \
  "127.0.0.1:$P_ODKIM inet n - n - - smtpd" "  -o smtpd_milters=inet:127.0.0.1:$ODKIM" \
  "127.0.0.1:$P_PROXY inet n - n - - smtpd" "  -o smtpd_proxy_filter=127.0.0.1:10025" \
  "127.0.0.1:10026 inet n - n - - smtpd" "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8" \
  "  -o receive_override_options=no_unknown_recipient_checks"
pf_sink_start $P_SINK || die "smtp-sink"
pf_start || die "postfix"

{ printf 'From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\nSubject: bench\r\n'
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <bench@dkim.example>\r\n\r\n'
  for i in $(seq 1 60); do printf 'Line %d of a benchmark message body, about seventy octets long...\r\n' "$i"; done
} | /usr/bin/python3 "$SRC/tests/integration/frontends/sign.py" "$SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" \
    sel2048 dkim.example rsa-sha256 > "$R/msg.eml" || die "signing"

# one_run PORT - msgs/s for N messages.
one_run() {
  local before start end
  before=$(pf_sink_count)
  start=$(date +%s.%N)
  smtp-source -c -f user@dkim.example -t rcpt@example.net -m "$N" -s "$S" -F "$R/msg.eml" 127.0.0.1:"$1" >/dev/null 2>&1
  pf_wait_sink $((before + N)) 60 >/dev/null || { echo "0"; echo "run on port $1: only $(( $(pf_sink_count) - before )) of $N delivered" >&2; return; }
  end=$(date +%s.%N)
  echo "$N $start $end" | awk '{ printf "%.1f\n", $1 / ($3 - $2) }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A RES
LABELS="plain:$P_PLAIN postseal-milter:$P_OURS postseal-milter-unix:$P_OURS_UNIX postseal-proxy:$P_PROXY opendkim:$P_ODKIM"
for label in $LABELS; do
  one_run "${label#*:}" >/dev/null  # warm-up
  echo "warm-up ${label%%:*} done" >&2
done
for r in $(seq 1 "$RUNS"); do
  for label in $LABELS; do
    RES[${label%%:*}]+="$(one_run "${label#*:}") "
  done
done
f=$(ls "$R"/sink/* | tail -1)
grep -q '^Authentication-Results: mx.test.local' "$f" || echo "warning: last sink message has no A-R from mx.test.local"
plain=$(echo ${RES[plain]} | tr ' ' '\n' | median)
printf '%-20s %10s %8s   (N=%s, sessions=%s, runs=%s: %s)\n' front-end msgs/s ratio "$N" "$S" "$RUNS" "runs"
for k in plain postseal-milter postseal-milter-unix postseal-proxy opendkim; do
  m=$(echo ${RES[$k]} | tr ' ' '\n' | median)
  printf '%-20s %10s %8s   [%s]\n' "$k" "$m" "$(awk -v a="$m" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')" "${RES[$k]}"
done

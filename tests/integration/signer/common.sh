# common.sh - shared set-up for the signer integration tests: keys, DNS records for dkimpy,
# a Postfix instance wired per conf/postfix/signer-master.cf, and postseal signer control.
# Ports: submission 127.0.0.1:2527, sink 2526, Postfix reinjection 10028, filter 10027.
set -u
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
PY=/usr/bin/python3
HERE_SIGNER=$POSTSEAL_SRC/tests/integration/signer
. "$POSTSEAL_SRC/tests/lib/postfix.sh"

P_SUBMIT=2527
P_SINK=2526
P_FILTER=10027
P_REINJECT=10028

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "[$(date +%T)] $*" >&2; }

# make_keys DIR - rsa.example (RSA-2048), ed.example (Ed25519), dual.example (both);
# DIR/records holds the TXT records for verify_sink.py.
make_keys() {
  local d=$1
  mkdir -p "$d"; chmod 700 "$d"
  openssl genrsa -out "$d/r1.private" 2048 2>/dev/null || fail "openssl genrsa"
  openssl genrsa -out "$d/r2.private" 2048 2>/dev/null || fail "openssl genrsa"
  openssl genpkey -algorithm ed25519 -out "$d/e1.private" 2>/dev/null || fail "openssl genpkey"
  openssl genpkey -algorithm ed25519 -out "$d/e2.private" 2>/dev/null || fail "openssl genpkey"
  chmod 600 "$d"/*.private
  local rp ep
  : > "$d/records"
  for k in r1:rsa.example r2:dual.example; do
    rp=$(openssl pkey -in "$d/${k%%:*}.private" -pubout -outform DER 2>/dev/null | base64 -w0)
    echo "${k%%:*}._domainkey.${k#*:} v=DKIM1; k=rsa; p=$rp" >> "$d/records"
  done
  for k in e1:ed.example e2:dual.example; do
    ep=$(openssl pkey -in "$d/${k%%:*}.private" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
    echo "${k%%:*}._domainkey.${k#*:} v=DKIM1; k=ed25519; p=$ep" >> "$d/records"
  done
}

# setup_postfix ROOT - instance with the dksign path (conf/postfix/signer-master.cf wiring).
setup_postfix() {
  pf_init "$1" "$P_SINK" || fail "pf_init"
  pf_main "minimal_backoff_time = 2s" "maximal_backoff_time = 4s" "queue_run_delay = 2s" \
    "dksign_destination_concurrency_failed_cohort_limit = 100" "smtp_connect_timeout = 5s" \
    "bounce_queue_lifetime = 0" "delay_warning_time = 0"
  pf_master_dksign "$P_SUBMIT" "$P_FILTER" "$P_REINJECT"
  pf_sink_start "$P_SINK" || fail "smtp-sink did not start"
  pf_start || fail "postfix did not start"
}

FILTER_PID=""
# start_filter LOG ARGS... - postseal signer in the foreground, logging to LOG.
start_filter() {
  local log=$1; shift
  "$POSTSEAL" signer --listen 127.0.0.1:$P_FILTER --foreground "$@" >>"$log" 2>&1 </dev/null &
  FILTER_PID=$!
  wait_listen $P_FILTER $FILTER_PID 50 || { cat "$log" >&2; fail "postseal signer did not listen on $P_FILTER"; }
}

stop_filter() {
  [ -n "$FILTER_PID" ] || return 0
  kill -TERM "$FILTER_PID" 2>/dev/null || true
  local i; for i in $(seq 1 100); do kill -0 "$FILTER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$FILTER_PID" 2>/dev/null || true
  wait "$FILTER_PID" 2>/dev/null || true
  FILTER_PID=""
}

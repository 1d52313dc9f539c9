#!/bin/bash
# dns_faults.sh - soak: `postseal verifier` (policy and proxy) resolving through a DNS server
# that, for FAULT s each (10 s; SOAK_SCALE multiplies), times out, SERVFAILs or truncates
# everything (TC over UDP, TCP closed) - tests/lib/soak.py dns, in front of a real unbound
# serving soak-unbound.conf. Every sender domain is new (n.fault.example, one record for all),
# so no cache answers. Meanwhile the policy answers DEFER_IF_PERMIT (temperror_defer) and the
# proxy 451, each within BOUND s (2 x the 2 s resolver timeout + 2 s: the HELO and the MAIL
# FROM lookups); nothing hangs; once the DNS is healthy again answers are right (pass, 250)
# within RECOVER s (printed). Daemon as a unit runs it (umask 022, LimitNOFILE) as SOAK_USER.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
soak_init dns
read -r UNBOUND FAULTY POLICY PROXY SINK < <(soak_ports 5)
FAULT=$((10 * SOAK_SCALE)) TIMEOUT_MS=2000 BOUND=6 RECOVER=15
unbound_start "$S/unbound" UNBOUND "$POSTSEAL_SRC/tests/soak/soak-unbound.conf" || fail "unbound did not start"
trap 'unbound_stop "$S/unbound"; soak_cleanup' EXIT
echo ok > "$S/dns.mode"
soak_bg $SOAK_PY dns "$FAULTY" "$UNBOUND" "$S/dns.mode" >"$S/dns.log" 2>&1
soak_sink "$SINK"
printf '[verifier]\nuser = "%s"\n' "$SOAK_USER" > "$S/postseal.toml"
soak_daemon verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" --dns "127.0.0.1@$FAULTY" \
  --dns-timeout $TIMEOUT_MS --cache-ttl 0 --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
soak_wait_port "$POLICY" "$VPID"; soak_wait_port "$PROXY" "$VPID"
n=0
probe() {  # probe WANT_POLICY WANT_SMTP - one policy request and one message, new domains each
  n=$((n + 1))
  $SOAK_PY policyask "$POLICY" "p$n@p$n.fault.example" 192.0.2.10 "$1" "$BOUND" || return 1
  $SOAK_PY smtpask "$PROXY" "m$n@m$n.fault.example" "$2" "$BOUND" 192.0.2.10 || return 1
}
healthy() {  # healthy LABEL - right answers within RECOVER s
  local start=$SECONDS
  until probe "PREPEND Received-SPF: pass" 250 >"$S/probe.out" 2>&1; do
    [ $((SECONDS - start)) -lt "$RECOVER" ] || { cat "$S/probe.out"; fail "$1: answers not right within $RECOVER s"; }
    sleep 1
  done
  cut -c1-120 "$S/probe.out"
  echo "$1: right answers after $((SECONDS - start)) s"
}
healthy "healthy DNS"
soak_figures "verifier" "$VPID"
for mode in timeout servfail truncate; do
  echo "== DNS $mode for $FAULT s"
  echo "$mode" > "$S/dns.mode"
  start=$SECONDS probes=0
  while [ $((SECONDS - start)) -lt "$FAULT" ]; do
    probe DEFER_IF_PERMIT 451 >"$S/probe.out" 2>&1 || { cat "$S/probe.out"; fail "DNS $mode: probe $n"; }
    probes=$((probes + 1))
    [ $probes -eq 1 ] && cut -c1-200 "$S/probe.out"
    cat "$S/probe.out" >> "$S/probes.all"
  done
  slowest=$(grep -o '([0-9.]* s)$' "$S/probes.all" | tr -d '(s)' | sort -n | tail -1); rm -f "$S/probes.all"
  echo "DNS $mode: $probes policy requests and $probes messages, each answered 4xx within $BOUND s (slowest ${slowest}s)"
  echo ok > "$S/dns.mode"
  healthy "after $mode"
  soak_figures "verifier" "$VPID"
done
echo "verifier log: $(soak_log_lines verifier) line(s)"
kill -0 "$VPID" || fail "verifier died"
echo "PASS: DNS faults give temperror/4xx in time, answers right again afterwards"

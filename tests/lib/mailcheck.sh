# shellcheck shell=bash
# mailcheck.sh - checks shared by the front-end integration tests (milter, proxy): counting,
# stopping the verifier, finding a message at smtp-sink and reading its header fields.
# Source it after tests/lib/postfix.sh. Expects R (the pf_init directory) for sink_find.
#
#   ok / bad TEXT          count a pass / a failure in PASS / FAIL and print the line
#   stop_verifier          SIGTERM $VERIFIER_PID, bounded wait (5 s), then SIGKILL; 0 when
#                          SIGTERM sufficed (also 0 when nothing was started)
#   sink_find TEXT         the smtp-sink dump under $R/sink holding TEXT (a fixed string);
#                          waits up to 30 s; non-zero when none arrives
#   fields FILE NAME       the named header fields of FILE, unfolded, one per line
#   ours FILE              the Authentication-Results fields with authserv-id $AUTHSERV_ID
#                          (default mx.test.local)

PASS=0 FAIL=0 VERIFIER_PID=""
AUTHSERV_ID=${AUTHSERV_ID:-mx.test.local}
ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

stop_verifier() {
  local i
  [ -n "$VERIFIER_PID" ] || return 0
  kill "$VERIFIER_PID" 2>/dev/null
  for i in $(seq 1 50); do kill -0 "$VERIFIER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$VERIFIER_PID" 2>/dev/null; then kill -9 "$VERIFIER_PID" 2>/dev/null; VERIFIER_PID=""; return 1; fi
  wait "$VERIFIER_PID" 2>/dev/null
  VERIFIER_PID=""
  return 0
}

sink_find() {
  local i f
  for i in $(seq 1 300); do
    f=$(grep -l -F -- "$1" "$R"/sink/* 2>/dev/null | head -1)
    [ -n "$f" ] && { echo "$f"; return 0; }
    sleep 0.1
  done
  return 1
}

fields() {
  awk -v want="$2" 'BEGIN { IGNORECASE = 1 }
    /^\r?$/ { exit }
    /^[ \t]/ { if (cur != "") cur = cur " " $0; next }
    { if (cur != "") print cur; cur = "" }
    tolower($0) ~ "^" tolower(want) ":" { cur = $0 }
    END { if (cur != "") print cur }' "$1" | tr -d '\r' | tr -s ' \t' ' ' | sed 's/ $//'
}

ours() { fields "$1" Authentication-Results | grep -i "^Authentication-Results: $AUTHSERV_ID;"; }

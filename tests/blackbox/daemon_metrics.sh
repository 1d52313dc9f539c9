#!/bin/bash
# daemon_metrics.sh - the /metrics of `postseal verifier` and `postseal srsd` (the signer's:
# signer_metrics.sh): each daemon with [metrics] listen on free loopback ports (verifier
# PORT+1, srsd PORT+2), driven over its own protocol without Postfix, then scraped: a policy
# request moves postseal_policy_answers_total{action="prepend"} and the SPF results of HELO
# (none) and MAIL FROM (pass, from a --dns-zone file); a socketmap forward lookup moves
# postseal_srs_total{direction="forward",result="rewritten"} and a forged reverse one
# result="bad_hash"; both texts pass `promtool check metrics`. The verifier greylists with its
# [state] store on a Redis port where nothing listens: the request still gets its answer
# (greylisting fails open) and postseal_store_errors_total{backend="redis",error="unavailable"}
# counts the failed lookup; postseal_stage_duration_seconds counts one run of the spf, greylist
# and policy_request stages, and the srsd's two runs of srs.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
R=$(mktemp -d /var/tmp/postseal-dmetrics.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; tail -5 "$R"/*.log >&2 2>/dev/null; exit 1; }
# free_port, start_listening: a daemon on free ports, again on new ones when a test running
# beside this one took a port first
. "$POSTSEAL_SRC/tests/lib/ports.sh"
scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" >"$R/$2.txt" || fail "scrape of :$1 failed"; }
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
want() {  # want SERIES VALUE FILE
  [ "$(value "$1" "$3")" = "$2" ] || fail "$1 is '$(value "$1" "$3")', want $2"
}
command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus; scripts/install-deps.sh installs it)"

# verifier: the policy service on TCP, SPF from a zone file
PPORT=$(free_port); VM=$(free_port); NOREDIS=$(free_port)
cat > "$R/zone" <<'ZONE'
pass.example TXT "v=spf1 ip4:192.0.2.1 -all"
ZONE
spawn_verifier() {
  printf '[metrics]\nlisten = "127.0.0.1:%s"\n[greylist]\nenable = true\n[state]\nbackend = "redis"\nredis = "127.0.0.1:%s"\n' \
    $((VM - 1)) "$NOREDIS" > "$R/verifier.toml"
  "$POSTSEAL" verifier -c "$R/verifier.toml" --listen "127.0.0.1:$PPORT" --dns-zone "$R/zone" --foreground \
    >"$R/verifier.log" 2>&1 & LISTEN_PID=$!
}
START_LISTENING_TENTHS=50 start_listening spawn_verifier "$R/verifier.log" PPORT VM || fail "verifier did not listen on $PPORT and $VM"
PIDS+=("$LISTEN_PID")
scrape "$VM" verifier-before
want 'postseal_policy_answers_total{action="prepend"}' 0 "$R/verifier-before.txt"
want 'postseal_store_errors_total{backend="redis",error="unavailable"}' 0 "$R/verifier-before.txt"
want 'postseal_stage_duration_seconds_count{stage="spf"}' 0 "$R/verifier-before.txt"
$PY - "$PPORT" >"$R/answer.txt" <<'PYEOF' || fail "policy request failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\n"
          b"client_name=mail.pass.example\nhelo_name=mail.pass.example\nsender=alice@pass.example\n"
          b"recipient=bob@dest.example\ninstance=1.1\n\n")
answer = b""
while not answer.endswith(b"\n\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    answer += chunk
print(answer.decode().strip())
PYEOF
grep -q "^action=PREPEND Received-SPF: pass " "$R/answer.txt" || fail "policy answer: $(cat "$R/answer.txt")"
scrape "$VM" verifier-after
want 'postseal_policy_answers_total{action="prepend"}' 1 "$R/verifier-after.txt"
want 'postseal_spf_results_total{result="pass"}' 1 "$R/verifier-after.txt"
want 'postseal_spf_results_total{result="none"}' 1 "$R/verifier-after.txt"
want 'postseal_greylist_total{decision="store_error"}' 1 "$R/verifier-after.txt"
want 'postseal_store_errors_total{backend="redis",error="unavailable"}' 1 "$R/verifier-after.txt"
want 'postseal_store_errors_total{backend="redis",error="timeout"}' 0 "$R/verifier-after.txt"
for stage in spf greylist policy_request; do
  want "postseal_stage_duration_seconds_count{stage=\"$stage\"}" 1 "$R/verifier-after.txt"
done
want 'postseal_stage_duration_seconds_count{stage="dkim_sign"}' 0 "$R/verifier-after.txt"
promtool check metrics <"$R/verifier-after.txt" >"$R/promtool.txt" 2>&1 || { cat "$R/promtool.txt" >&2; fail "promtool (verifier)"; }
echo "PASS: verifier metrics: policy answer, SPF results, store errors and stage times counted"

# srsd: one forward and one forged reverse lookup over socketmap
SPORT=$(free_port); SM=$(free_port)
head -c 24 /dev/urandom | base64 > "$R/secret"; chmod 600 "$R/secret"
spawn_srsd() {
  printf '[metrics]\nlisten = "127.0.0.1:%s"\n' $((SM - 2)) > "$R/srsd.toml"
  "$POSTSEAL" srsd -c "$R/srsd.toml" --domain fwd.example --secrets-file "$R/secret" --socketmap "127.0.0.1:$SPORT" \
    --tcp-forward "" --tcp-reverse "" --foreground >"$R/srsd.log" 2>&1 & LISTEN_PID=$!
}
START_LISTENING_TENTHS=50 start_listening spawn_srsd "$R/srsd.log" SPORT SM || fail "srsd did not listen on $SPORT and $SM"
PIDS+=("$LISTEN_PID")
$PY - "$SPORT" >"$R/srs.txt" <<'PYEOF' || fail "socketmap lookups failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
def ask(query):
    q = query.encode()
    s.sendall(b"%d:%s," % (len(q), q))
    data = b""
    while not data.endswith(b","):
        data += s.recv(4096)
    return data.decode()
print(ask("forward alice@example.com"))
print(ask("reverse SRS0=AAAA=AA=example.com=alice@fwd.example"))
PYEOF
grep -q "OK SRS0=" "$R/srs.txt" || fail "forward lookup: $(cat "$R/srs.txt")"
scrape "$SM" srsd
want 'postseal_srs_total{direction="forward",result="rewritten"}' 1 "$R/srsd.txt"
want 'postseal_srs_total{direction="reverse",result="bad_hash"}' 1 "$R/srsd.txt"
want 'postseal_stage_duration_seconds_count{stage="srs"}' 2 "$R/srsd.txt"
promtool check metrics <"$R/srsd.txt" >"$R/promtool.txt" 2>&1 || { cat "$R/promtool.txt" >&2; fail "promtool (srsd)"; }
echo "PASS: srsd metrics: forward and reverse lookups counted"

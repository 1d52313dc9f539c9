#!/usr/bin/env bash
# run_srs.sh - SRS lookup benchmark: postseal srsd beside postsrsd 1.10 (Debian), same client,
# same run. For tcp_table (both daemons) and socketmap (postseal only), forward and reverse,
# 1, 2 and 8 persistent clients: lookups/s (median of RUNS) and server CPU per lookup
# (utime+stime of the daemon and its reaped children, from /proc). Then the new-connection
# rate (one lookup per connection). Ratios printed (postseal / postsrsd; CPU: postsrsd / postseal).
# Usage: bench/run_srs.sh [BUILD_DIR]   env: RUNS (default 3), SECONDS_PER_RUN (default 2)
# Everything on 127.0.0.1: postseal 10211-10213, postsrsd 10201/10202.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
POSTSEAL=$BUILD/cli/postseal
[ -x "$POSTSEAL" ] || POSTSEAL=$(find "$BUILD" -name postseal -type f -perm -u+x | head -1)
CLIENT=$(find "$BUILD" -name srs_load_bench -type f -perm -u+x | head -1)
[ -x "$POSTSEAL" ] && [ -x "$CLIENT" ] || { echo "build postseal and srs_load_bench in $BUILD first"; exit 1; }
command -v postsrsd >/dev/null || { echo "postsrsd not installed (apt-get install postsrsd)"; exit 1; }
RUNS=${RUNS:-3} SECS=${SECONDS_PER_RUN:-2}
HZ=$(getconf CLK_TCK)
T=$(mktemp -d /tmp/postseal-srs-bench.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT

head -c 24 /dev/urandom | base64 > "$T/secret"; chmod 600 "$T/secret"
# postsrsd drops to nobody after reading its secret; our srsd stays as the caller
"$POSTSEAL" srsd --domain fwd.example --secrets-file "$T/secret" --socketmap 127.0.0.1:10211 \
  --tcp-forward 127.0.0.1:10212 --tcp-reverse 127.0.0.1:10213 --threads 1 > "$T/srsd.log" 2>&1 &
PS_PID=$!; PIDS+=($PS_PID)
postsrsd -4 -l 127.0.0.1 -d fwd.example -s "$T/secret" -f 10201 -r 10202 -u nobody > "$T/postsrsd.log" 2>&1 &
PR_PID=$!; PIDS+=($PR_PID)
for p in 10211 10213 10201 10202; do
  for i in $(seq 1 50); do ss -Hltn "sport = :$p" | grep -q . && break; sleep 0.1; done
done

# cpu PID - clock ticks used by PID, its reaped children and its live (or zombie) children:
# each child is counted once, before or after postsrsd reaps it.
cpu() {
  local sum c
  sum=$(awk '{sub(/.*\) /,""); print $12+$13+$14+$15}' "/proc/$1/stat")
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    sum=$((sum + $(awk '{sub(/.*\) /,""); print $12+$13}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# measure PID PROTO PORT DIR CLIENTS MODE FWDPORT -> "rate us_per_lookup" (medians)
measure() {
  local pid=$1 proto=$2 port=$3 dir=$4 clients=$5 mode=$6 fwd=$7 r rates=() cpus=()
  for r in $(seq 1 "$RUNS"); do
    local c0 c1 out n rate
    c0=$(cpu "$pid")
    out=$("$CLIENT" "$proto" 127.0.0.1 "$port" "$dir" "$clients" "$SECS" "$mode" "$fwd")
    sleep 0.2
    c1=$(cpu "$pid")
    n=$(sed -n 's/.*lookups=\([0-9]*\).*/\1/p' <<<"$out")
    rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$out")
    grep -q "errors=0" <<<"$out" || echo "  (warning: $out)" >&2
    rates+=("$rate")
    cpus+=("$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v n="$n" 'BEGIN{printf "%.2f", n ? c / hz * 1e6 / n : 0}')")
  done
  echo "$(printf '%s\n' "${rates[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1fx", (b > 0) ? (a / b) : 0}'; }

echo "SRS lookups: median of $RUNS runs x ${SECS}s; CPU = daemon CPU per lookup (us); $(nproc) cores"
echo "hardware: $(openssl speed -seconds 1 -evp sha1 2>/dev/null | awk '/^sha1/{print "sha1 16-byte blocks/s:", $2}')"
printf '%-10s %-8s %-8s | %12s %8s | %12s %8s | %7s %7s\n' proto dir clients "postseal/s" "CPU us" "postsrsd/s" "CPU us" "rate" "CPU"
for dir in forward reverse; do
  for clients in 1 2 8; do
    read -r ours_rate ours_cpu < <(measure $PS_PID tcp $([ $dir = forward ] && echo 10212 || echo 10213) $dir $clients persistent 10212)
    read -r peer_rate peer_cpu < <(measure $PR_PID tcp $([ $dir = forward ] && echo 10201 || echo 10202) $dir $clients persistent 10201)
    printf '%-10s %-8s %-8s | %12s %8s | %12s %8s | %7s %7s\n' tcp_table $dir $clients "$ours_rate" "$ours_cpu" \
      "$peer_rate" "$peer_cpu" "$(ratio "$ours_rate" "$peer_rate")" "$(ratio "$peer_cpu" "$ours_cpu")"
  done
done
for dir in forward reverse; do
  for clients in 1 2 8; do
    read -r ours_rate ours_cpu < <(measure $PS_PID socketmap 10211 $dir $clients persistent 10211)
    printf '%-10s %-8s %-8s | %12s %8s | %12s %8s | %7s %7s\n' socketmap $dir $clients "$ours_rate" "$ours_cpu" "-" "-" "-" "-"
  done
done
echo "new connection per lookup (tcp_table forward):"
for clients in 1 8; do
  read -r ours_rate ours_cpu < <(measure $PS_PID tcp 10212 forward $clients connect 10212)
  read -r peer_rate peer_cpu < <(measure $PR_PID tcp 10201 forward $clients connect 10201)
  printf '%-10s %-8s %-8s | %12s %8s | %12s %8s | %7s %7s\n' connect forward $clients "$ours_rate" "$ours_cpu" \
    "$peer_rate" "$peer_cpu" "$(ratio "$ours_rate" "$peer_rate")" "$(ratio "$peer_cpu" "$ours_cpu")"
done

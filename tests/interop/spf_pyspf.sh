#!/bin/bash
# spf_pyspf.sh - interop: postseal's native SPF engine and pyspf (python3-spf, check2) give
# the same result for a set of records and client IPs, with both reading the same zone
# (postseal --dns-zone; pyspf through a replaced spf.DNSLookup). Also runs the libspf2 engine
# on the same cases and reports (does not fail on) where it differs.
set -u
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
dir="$POSTSEAL_SRC/tests/interop/spf"
zone="$dir/zone.txt"
cases="$dir/cases.txt"

if ! /usr/bin/python3 -c 'import spf' 2>/dev/null; then
  echo "FAIL: pyspf (Debian python3-spf) is not installed" >&2
  exit 1
fi
mapfile -t theirs < <(/usr/bin/python3 "$dir/pyspf_check.py" "$zone" "$cases") || true
n=0 failures=0 libspf2_diff=0
while read -r ip sender helo; do
  case "$ip" in ''|'#'*) continue ;; esac
  args=(spf --dns-zone "$zone" --ip "$ip" --helo "$helo" --receiver mx.test -c /nonexistent)
  [ "$sender" != "-" ] && args+=(--sender "$sender")
  ours=$(timeout 10 "$POSTSEAL" "${args[@]}" 2>&1 | head -n 1)
  lib=$(timeout 10 "$POSTSEAL" "${args[@]}" --engine libspf2 2>&1 | head -n 1)
  want=${theirs[$n]:-missing}
  if [ "$ours" != "$want" ]; then
    echo "DIFFER: $ip $sender $helo: postseal=$ours pyspf=$want" >&2
    failures=$((failures + 1))
  fi
  if [ "$lib" != "$want" ]; then
    echo "note: libspf2 differs: $ip $sender $helo: libspf2=$lib pyspf=$want"
    libspf2_diff=$((libspf2_diff + 1))
  fi
  n=$((n + 1))
done < "$cases"
if [ "$n" -ne "${#theirs[@]}" ] || [ "$n" -lt 30 ]; then
  echo "FAIL: $n cases run, pyspf answered ${#theirs[@]}" >&2
  exit 1
fi
echo "postseal vs pyspf: $((n - failures)) of $n agree; libspf2 differs from pyspf on $libspf2_diff"
[ "$failures" -eq 0 ] || { echo "FAIL: $failures cases differ" >&2; exit 1; }

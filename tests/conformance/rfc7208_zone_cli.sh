#!/usr/bin/env bash
# rfc7208_zone_cli.sh - the RFC 7208 suite (tests/data/spf/rfc7208-tests.yml, 203 cases) through
# the command line: each scenario's zonedata is written as an RFC 1035 master file by
# rfc7208_to_zones.py (escaped names, $ORIGIN, relative names, parentheses; see there), and every
# case runs `postseal spf --ip HOST [--sender MAILFROM] --helo HELO --dns-zone ZONE`. The first
# output line, the result, must be one of the suite's acceptable results; where the suite gives
# an explanation for a fail, the "explanation:" line must carry it ("DEFAULT": no exp= text, so
# postseal's own default sentence). Without MAIL FROM the CLI checks postmaster@HELO, the suite's
# convention. TIMEOUT entries use the zone reader's TIMEOUT pseudo type, so no case is skipped.
# Prints "N passed, N failed". No network. Env: POSTSEAL, POSTSEAL_SRC.
set -euo pipefail
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
WANT_CASES=203
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$POSTSEAL_SRC/tests/conformance/rfc7208_to_zones.py" \
  "$POSTSEAL_SRC/tests/data/spf/rfc7208-tests.yml" "$work"
passed=0
failed=0
while IFS=$'\x1f' read -r zone name host mailfrom helo results has_exp exp; do
  args=(spf -c /nonexistent/postseal.toml --receiver receiver.example --ip "$host"
        --helo "$helo" --dns-zone "$zone")
  [ -n "$mailfrom" ] && args+=(--sender "$mailfrom")
  out=$("$POSTSEAL" "${args[@]}" 2>&1) || true
  got=${out%%$'\n'*}
  ok=0
  case ",$results," in *",$got,"*) ok=1 ;; esac
  if [ "$ok" -eq 1 ] && [ "$has_exp" = 1 ] && [ "$got" = fail ]; then
    want_exp="explanation: $exp"
    [ "$exp" = DEFAULT ] && want_exp="explanation: SPF fail: "
    case $'\n'"$out"$'\n' in *$'\n'"$want_exp"*) ;; *) ok=0 ;; esac
  fi
  if [ "$ok" -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    want=$results
    [ "$has_exp" = 1 ] && want+=", explanation '$exp'"
    echo "FAIL: $name ($(basename "$zone")): want $want, got:" >&2
    printf '%s\n' "$out" | sed 's/^/    /' >&2
  fi
done <"$work/cases.txt"
echo "$passed passed, $failed failed"
total=$((passed + failed))
if [ "$total" -ne "$WANT_CASES" ]; then
  echo "rfc7208_zone_cli: ran $total cases, the suite has $WANT_CASES" >&2
  exit 1
fi
[ "$failed" -eq 0 ]

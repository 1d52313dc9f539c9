#!/bin/bash
# spf_unbound.sh - `postseal spf --dns 127.0.0.1@5353` against a real unbound (docs/security.md 34):
# an SPF record over 512 octets (the UDP answer is truncated, so the resolver must retry over
# TCP), a record split into several TXT strings (joined with nothing between), include and mx
# through real DNS, both engines. Exits non-zero with a message when anything differs.
set -u
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
PORT=5353
work=$(mktemp -d /tmp/postseal-spf-unbound.XXXXXX)
trap 'unbound_stop "$work/unbound"; rm -rf "$work"' EXIT

# big.example.com: 40 ip4 terms in 255-octet strings (> 512 octets), the client's last.
big_strings=$(/usr/bin/python3 -c '
terms = " ".join(f"ip4:198.51.{i}.0/24" for i in range(40)) + " ip4:192.0.2.1 -all"
text = "v=spf1 " + terms
assert len(text) > 600, len(text)
print(" ".join("\"%s\"" % text[i:i + 255] for i in range(0, len(text), 255)))
')
{
  echo "local-data: 'big.example.com. 300 IN TXT $big_strings'"
  echo "local-data: 'multi.example.com. 300 IN TXT \"v=spf1 ip4:203.0.113.0\" \"/24 include:inc.example.com\" \" -all\"'"
  echo "local-data: 'inc.example.com. 300 IN TXT \"v=spf1 mx ~all\"'"
  echo "local-data: 'inc.example.com. 300 IN MX 10 mx.inc.example.com.'"
  echo "local-data: 'mx.inc.example.com. 300 IN A 192.0.2.25'"
  echo "local-data: 'helo.example.com. 300 IN TXT \"v=spf1 a -all\"'"
  echo "local-data: 'helo.example.com. 300 IN A 192.0.2.40'"
} >"$work/data"
# 5353 as the integration tests agree; when another server holds it (tests of several areas
# run at once on a developer machine), 25354.
if ! unbound_start "$work/unbound" "$PORT" "$work/data" 2>"$work/start.log"; then
  PORT=25354
  echo "note: 127.0.0.1:5353 busy, using $PORT"
  unbound_start "$work/unbound" "$PORT" "$work/data" ||
    { cat "$work/start.log" >&2; echo "FAIL: unbound did not start" >&2; exit 1; }
fi

failures=0
expect() {  # expect RESULT ENGINE ARGS... : first line of `postseal spf` must be RESULT
  local want=$1 engine=$2
  shift 2
  local out got
  out=$(timeout 20 "$POSTSEAL" spf -c /nonexistent --dns "127.0.0.1@$PORT" --engine "$engine" \
    --receiver mx.test "$@" 2>&1)
  got=$(printf '%s\n' "$out" | head -n 1)
  if [ "$got" = "$want" ]; then
    echo "ok: $engine $* -> $got"
  else
    echo "FAIL: $engine $*: want $want, got:" >&2
    printf '%s\n' "$out" >&2
    failures=$((failures + 1))
  fi
}

for engine in native libspf2; do
  expect pass "$engine" --ip 192.0.2.1 --sender u@big.example.com --helo h.example.net
  expect fail "$engine" --ip 192.0.2.2 --sender u@big.example.com --helo h.example.net
  expect pass "$engine" --ip 203.0.113.9 --sender u@multi.example.com --helo h.example.net
  expect pass "$engine" --ip 192.0.2.25 --sender u@multi.example.com --helo h.example.net
  expect fail "$engine" --ip 192.0.2.26 --sender u@multi.example.com --helo h.example.net
  expect pass "$engine" --ip 192.0.2.40 --helo helo.example.com
  expect none "$engine" --ip 192.0.2.40 --sender u@nothing.example.com --helo h.example.net
done
# The trace shows the lookups; lint sees that the record is longer than 512 octets.
trace=$(timeout 20 "$POSTSEAL" spf -c /nonexistent --dns "127.0.0.1@$PORT" --trace \
  --ip 192.0.2.1 --sender u@big.example.com --helo h.example.net 2>&1)
if ! printf '%s\n' "$trace" | grep -q "trace: dns TXT big.example.com -> NOERROR (1 records)"; then
  echo "FAIL: --trace did not show the TXT lookup:" >&2
  printf '%s\n' "$trace" >&2
  failures=$((failures + 1))
fi
lint=$(timeout 20 "$POSTSEAL" spf -c /nonexistent --dns "127.0.0.1@$PORT" --lint big.example.com 2>&1)
if ! printf '%s\n' "$lint" | grep -q "over 512: needs DNS over TCP"; then
  echo "FAIL: --lint did not report the record over 512 octets:" >&2
  printf '%s\n' "$lint" >&2
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || { echo "FAIL: $failures checks failed" >&2; exit 1; }
echo "spf_unbound: all checks passed"

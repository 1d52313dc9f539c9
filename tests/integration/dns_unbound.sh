#!/usr/bin/env bash
# dns_unbound.sh - `postseal dns-lookup --dns 127.0.0.1@PORT` against a real unbound (Debian
# package) serving local-data: A, AAAA, MX, multi-string TXT, PTR, CNAME, a name under the
# special-use .test (libunbound's built-in zone must be removed), NXDOMAIN, NODATA, and a TXT
# record of over 1232 octets that does not fit a UDP answer (checked: the server sets TC over
# UDP), so a complete answer shows libunbound's TCP fallback works. Also: a dead server gives
# rcode timeout (exit 75) within the --dns-timeout. Env: POSTSEAL, POSTSEAL_SRC; DNS_TEST_PORT
# (default 5353, falling back to 25353 when 5353 is busy).
set -euo pipefail

: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
PORT=${DNS_TEST_PORT:-5353}
DEAD_PORT=$((PORT + 1))
# shellcheck source=../lib/unbound.sh
source "$POSTSEAL_SRC/tests/lib/unbound.sh"

WORK=$(mktemp -d /tmp/postseal-dns-unbound.XXXXXX)
cleanup() {
  unbound_stop "$WORK/unbound"
  rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The long TXT: 6 strings of 250 octets (1500 octets of data).
long_strings=()
for i in 1 2 3 4 5 6; do
  long_strings+=("part$i-$(printf '%0244d' 0 | tr 0 "$(printf "\\x$((60 + i))")")")
done
{
  cat "$POSTSEAL_SRC/tests/data/dns/unbound-data.conf"
  printf "local-data: 'long.example.com. 300 TXT"
  for s in "${long_strings[@]}"; do printf ' "%s"' "$s"; done
  printf "'\n"
} >"$WORK/data.conf"

if ! unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf"; then
  # 5353 may be held by another test's unbound running in parallel: use a second port.
  [ -z "${DNS_TEST_PORT:-}" ] || { echo "FAIL: unbound did not start on $PORT" >&2; exit 1; }
  PORT=25353
  DEAD_PORT=$((PORT + 1))
  echo "dns_unbound: port 5353 busy, using $PORT" >&2
  unbound_start "$WORK/unbound" "$PORT" "$WORK/data.conf" ||
    { echo "FAIL: unbound did not start on 5353 nor $PORT" >&2; exit 1; }
fi

# lookup NAME TYPE WANT_RC WANT_OUTPUT - compare the whole output of dns-lookup.
lookup() {
  local name=$1 type=$2 want_rc=$3 want=$4 got rc=0
  got=$("$POSTSEAL" dns-lookup --dns "127.0.0.1@$PORT" "$name" $type 2>&1) || rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    fail "$name ${type:-A}: exit $rc, want $want_rc; output:"$'\n'"$got"
  elif [ "$(sort <<<"$got")" != "$(sort <<<"$want")" ]; then
    fail "$name ${type:-A}: got"$'\n'"$got"$'\n'"want"$'\n'"$want"
  else
    echo "ok: $name ${type:-A}"
  fi
}

lookup example.com TXT 0 $'rcode: NOERROR\nexample.com. IN TXT "v=spf1 mx ip4:192.0.2.0/24 -all"'
lookup multi.example.com TXT 0 \
  $'rcode: NOERROR\nmulti.example.com. IN TXT "first string; " "second \\"quoted\\" string" "third"'
lookup example.com MX 0 \
  $'rcode: NOERROR\nexample.com. IN MX 10 mail.example.com.\nexample.com. IN MX 20 backup.example.com.'
lookup mail.example.com A 0 $'rcode: NOERROR\nmail.example.com. IN A 192.0.2.25'
lookup mail.example.com "" 0 $'rcode: NOERROR\nmail.example.com. IN A 192.0.2.25'
lookup mail.example.com AAAA 0 $'rcode: NOERROR\nmail.example.com. IN AAAA 2001:db8::25'
lookup 192.0.2.25 "" 0 $'rcode: NOERROR\n25.2.0.192.in-addr.arpa. IN PTR mail.example.com.'
lookup 25.2.0.192.in-addr.arpa PTR 0 $'rcode: NOERROR\n25.2.0.192.in-addr.arpa. IN PTR mail.example.com.'
lookup www.example.com CNAME 0 $'rcode: NOERROR\nwww.example.com. IN CNAME mail.example.com.'
lookup www.example.com A 0 $'rcode: NOERROR\nwww.example.com. IN A 192.0.2.25'
lookup host.postseal.test A 0 $'rcode: NOERROR\nhost.postseal.test. IN A 192.0.2.77'
lookup nosuch.example.com A 1 'rcode: NXDOMAIN'
lookup mail.example.com MX 1 'rcode: NOERROR'

# The long record must not fit over UDP (TC set at the default EDNS size of 1232)...
tc=$(/usr/bin/python3 - "$PORT" <<'PY'
import socket, struct, sys
name = b"".join(bytes([len(p)]) + p for p in b"long.example.com".split(b".")) + b"\x00"
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 1) + name + struct.pack(">HH", 16, 1)
q += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)  # OPT: UDP payload 1232
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
r = s.recv(65535)
print("TC" if struct.unpack(">H", r[2:4])[0] & 0x0200 else "noTC", len(r))
PY
)
case "$tc" in
  TC*) echo "ok: long TXT truncated over UDP ($tc)" ;;
  *) fail "long TXT was not truncated over UDP ($tc): the test would not exercise TCP" ;;
esac
# ...and postseal gets it whole.
want_long="rcode: NOERROR"$'\n'"long.example.com. IN TXT"
for s in "${long_strings[@]}"; do want_long+=" \"$s\""; done
lookup long.example.com TXT 0 "$want_long"

# A server that does not answer: rcode timeout, exit 75, within the timeout (bounded).
start=$(date +%s%N)
rc=0
out=$("$POSTSEAL" dns-lookup --dns "127.0.0.1@$DEAD_PORT" --dns-timeout 800 example.com TXT 2>&1) || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" -ne 75 ] || [ "$out" != "rcode: timeout" ] || [ "$ms" -gt 5000 ]; then
  fail "dead server: exit $rc after $ms ms, output '$out' (want 75, 'rcode: timeout', < 5 s)"
else
  echo "ok: dead server times out ($ms ms)"
fi

# A bad server address is a configuration error (exit 78) that says what to write.
rc=0
out=$("$POSTSEAL" dns-lookup --dns "127.0.0.1:$PORT" example.com 2>&1) || rc=$?
if [ "$rc" -ne 78 ] || [[ "$out" != *"ADDRESS@PORT"* ]]; then
  fail "bad --dns value: exit $rc, output '$out' (want 78 and a hint)"
else
  echo "ok: bad --dns value refused"
fi

if [ "$failures" -ne 0 ]; then
  echo "dns_unbound: $failures check(s) failed" >&2
  exit 1
fi
echo "dns_unbound: all checks passed"

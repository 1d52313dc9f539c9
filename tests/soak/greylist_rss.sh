#!/bin/bash
# greylist_rss.sh - soak: `postseal verifier --greylist` with the SQLite store answers 150,000
# requests (SOAK_SCALE=7: 1,050,000) over 4 connections, every one a DISTINCT triplet (client
# address spread over many /24s, sender and recipient numbered), each answer checked (a first
# sighting: DEFER_IF_PERMIT 4.7.1). state.max_entries is 50,000, so the store's bound is
# exercised 3x over: RSS must stay flat after the first 10 % (bound RSS_SLACK_KB, here 8 MiB:
# SQLite's page cache is part of the warm-up), the fd count unchanged, and the store holds no
# more than max_entries (+ one bound interval) triplets at the end (postseal greylist stats).
# The daemon runs as a unit runs it and drops to SOAK_USER. A real unbound answers NXDOMAIN for
# every sender domain and HELO name (SPF none); not --dns-zone, whose test resolver records
# every query it was asked (memory that grows per request).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
. "$POSTSEAL_SRC/tests/lib/soak.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
soak_init greylist
read -r DNS PORT < <(soak_ports 2)
unbound_start "$S/unbound" DNS "$POSTSEAL_SRC/tests/soak/soak-unbound.conf" || fail "unbound did not start"
trap 'unbound_stop "$S/unbound"; soak_cleanup' EXIT
MAX=50000
TOTAL=$((150000 * SOAK_SCALE))
mkdir -p "$S/state" && chown "$SOAK_USER" "$S/state"
cat > "$S/postseal.toml" <<EOT
[greylist]
whitelist_clients = []
whitelist_recipients = []
auto_whitelist_clients = 0
[state]
backend = "sqlite"
path = "$S/state/state.db"
max_entries = $MAX
EOT
chmod 644 "$S/postseal.toml"
soak_daemon verifier "$POSTSEAL" verifier --greylist -c "$S/postseal.toml" --listen "127.0.0.1:$PORT" \
  --dns "127.0.0.1@$DNS" --authserv-id mx.soak.example --user "$SOAK_USER" --log stderr
VPID=$DAEMON_PID
soak_wait_port "$PORT" "$VPID"
RSS_SLACK_KB=${RSS_SLACK_KB:-8192} timeout 1800 /usr/bin/python3 - "$PORT" "$VPID" "$TOTAL" 4 <<'PY' || fail "greylisting load"
import os, socket, sys
sys.path.insert(0, os.path.join(os.environ["POSTSEAL_SRC"], "tests/lib"))
import soak

port, pid, total, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def request(n):
    ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"  # one /24 per 256 requests
    return (f"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
            f"client_address={ip}\nclient_name=unknown\nhelo_name=h{n}.example\n"
            f"sender=s{n}@sender{n % 1000}.example\nrecipient=r{n}@dest.example\n\n").encode()


def worker(load, i, window=8):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    k = 0  # thread i numbers its triplets i, i + conns, i + 2 * conns, ...: all distinct
    while True:
        n = load.take(window)
        if n == 0:
            break
        numbers = [(k + j) * conns + i for j in range(n)]
        k += n
        s.sendall(b"".join(request(x) for x in numbers))
        for x in numbers:
            got = soak.read_answer(f)
            if not got.startswith("action=DEFER_IF_PERMIT 4.7.1 Greylisted"):
                raise RuntimeError(f"triplet {x}: got {got!r}")
    load.finish()
    s.close()


# the first request opens the store's files (SQLite's WAL and shm): not a leak
w = socket.create_connection(("127.0.0.1", port), timeout=30)
w.sendall(request(1 << 30))
if not soak.read_answer(w.makefile("rb")).startswith("action=DEFER_IF_PERMIT"):
    soak.fail("the first request was not greylisted")
w.close()
soak.Load(pid, total, conns).run(worker)
PY
out=$("$POSTSEAL" greylist stats -c "$S/postseal.toml" 2>&1)
echo "greylist stats: $out"
n=$(echo "$out" | sed -n 's/.*triplets: \([0-9]*\).*/\1/p')
[ -n "$n" ] || fail "no triplet count in: $out"
[ "$n" -le $((MAX + 1024)) ] || fail "the store holds $n triplets, bound $MAX"
ls -l "$S/state"
kill -0 "$VPID" || fail "verifier died"
echo "PASS: greylisting RSS flat over $TOTAL distinct triplets (store bounded at $n <= $MAX + 1024)"

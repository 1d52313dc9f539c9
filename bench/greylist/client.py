#!/usr/bin/python3
"""client.py - greylisting load client for bench/run_greylist.sh.

Usage: client.py load N CONNS PORT SEED PID[,PID...]
           N requests over CONNS connections to 127.0.0.1:PORT, one outstanding request per
           connection (as Postfix's smtpd asks), every request a DISTINCT triplet (client
           address, sender, recipient numbered from SEED, so each run is new to the store):
           the write path. Prints `rps R cpu_ms C answers A actions K=V,...`, C the CPU
           (utime + stime, /proc/PID/stat) of the listed processes per request.
       client.py rate RATE SECONDS CONNS PORT SEED
           open loop: a request every 1/RATE s over CONNS connections (a free one; when none is
           free the request waits, and its latency counts from when it was due). Prints
           `rate R sent S p50_ms A p99_ms B max_ms C`.
Every answer must be an action= line; bounded reads (4096 bytes, 30 s).
"""
import os, selectors, socket, sys, time

TICK = os.sysconf("SC_CLK_TCK")


def request(n):
    ip = "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255)
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
            "client_address=%s\nclient_name=unknown\nreverse_client_name=unknown\n"
            "helo_name=mail%d.example.com\nsender=user%d@sender%d.example\n"
            "recipient=rcpt%d@dest.example\nqueue_id=\ninstance=%x\nsize=0\n\n"
            % (ip, n % 1000, n, n % 1000, n, n)).encode()


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.due = None

    def answers(self):
        chunk = self.s.recv(65536)
        if not chunk:
            sys.exit("client.py: server closed the connection")
        self.buf += chunk
        out = []
        while (end := self.buf.find(b"\n\n")) >= 0:
            line, self.buf = self.buf[:end].split(b"\n")[0].decode(errors="replace"), self.buf[end + 2:]
            if not line.startswith("action="):
                sys.exit("client.py: not an action line: %r" % line[:200])
            out.append(line)
        if len(self.buf) > 4096:
            sys.exit("client.py: answer over 4096 bytes")
        return out


def load(total, nconn, port, seed, pids):
    sel = selectors.DefaultSelector()
    conns = [Conn(port) for _ in range(nconn)]
    for c in conns:
        sel.register(c.s, selectors.EVENT_READ, c)
    n, done, actions = seed, 0, {}
    # warm-up: one request per connection (opens the store), not timed
    for c in conns:
        c.s.sendall(request(n)); n += 1
    warm = 0
    while warm < nconn:
        for key, _ in sel.select(30):
            warm += len(key.data.answers())
    cpu0, t0 = cpu_seconds(pids), time.monotonic()
    sent = 0
    for c in conns:
        if sent < total:
            c.s.sendall(request(n)); n += 1; sent += 1
    while done < total:
        events = sel.select(30)
        if not events:
            sys.exit("client.py: no answer in 30 s")
        for key, _ in events:
            c = key.data
            for line in c.answers():
                word = line[7:].split(" ")[0]
                actions[word] = actions.get(word, 0) + 1
                done += 1
                if sent < total:
                    c.s.sendall(request(n)); n += 1; sent += 1
    elapsed, cpu1 = time.monotonic() - t0, cpu_seconds(pids)
    print("rps %.1f cpu_ms %.4f answers %d actions %s" % (
        done / elapsed, (cpu1 - cpu0) * 1000.0 / done, done,
        ",".join("%s=%d" % kv for kv in sorted(actions.items()))))


def rate(rps, secs, nconn, port, seed):
    sel = selectors.DefaultSelector()
    conns = [Conn(port) for _ in range(nconn)]
    for c in conns:
        sel.register(c.s, selectors.EVENT_READ, c)
    free = list(conns)
    total = int(rps * secs)
    interval = 1.0 / rps
    lat, n, sent = [], seed, 0
    start = time.monotonic()
    while len(lat) < total:
        now = time.monotonic()
        while sent < total and free and start + sent * interval <= now:
            c = free.pop()
            c.due = start + sent * interval
            c.s.sendall(request(n)); n += 1; sent += 1
        wait = 0.0 if (sent < total and free) else 0.05
        if sent < total and free:
            wait = max(0.0, start + sent * interval - time.monotonic())
        for key, _ in sel.select(wait):
            c = key.data
            for _ in c.answers():
                lat.append(time.monotonic() - c.due)
                free.append(c)
        if time.monotonic() - start > secs + 60:
            sys.exit("client.py: rate run overran")
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    print("rate %d sent %d p50_ms %.3f p99_ms %.3f max_ms %.3f" % (rps, sent, q(0.5), q(0.99), lat[-1] * 1000))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "load":
        load(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
             [int(p) for p in sys.argv[6].split(",")])
    elif sys.argv[1] == "rate":
        rate(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""client.py - Postfix policy protocol load client for bench/run_policy.sh.

Usage: client.py N CONNS spawn CMD [ARGS...]   CONNS spawned processes, each on a pipe
       client.py N CONNS tcp HOST:PORT PID     CONNS connections to one daemon (PID for CPU)

Sends N requests in total (bounded: at most 1,000,000), split over CONNS connections, each
connection writing one request and reading its `action=` line and blank line before the next
(as Postfix's smtpd does). Client IPs rotate over a few values (pass through each mechanism,
and a fail). A warm-up of WARM requests per connection (not timed) fills the DNS caches first.
Every answer is read with a bound (ANSWER_LIMIT bytes, TIMEOUT seconds). Prints one line:
`rps R cpu_ms C answers A actions K=V,...` where C is the server CPU per timed request (utime +
stime from /proc/PID/stat of the server process(es)).
"""
import os, selectors, socket, subprocess, sys, time

MAX_REQUESTS = 1_000_000
WARM = 20
ANSWER_LIMIT = 4096
TIMEOUT = 30.0
IPS = ["203.0.113.5", "198.18.1.200", "192.0.2.77", "198.51.100.11", "192.0.3.1"]
TICK = os.sysconf("SC_CLK_TCK")


def request(i, conn):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
            "client_address=%s\nclient_name=unknown\nreverse_client_name=unknown\n"
            "helo_name=mail.example.com\nsender=user%d@example.com\n"
            "recipient=rcpt@example.net\nrecipient_count=0\nqueue_id=\n"
            "instance=%x.%x.%x\nsize=0\n\n" % (IPS[i % len(IPS)], i % 97, os.getpid(), conn, i)
            ).encode()


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / TICK


class Conn:
    def __init__(self, idx, rfd, wfd, count):
        self.idx, self.rfd, self.wfd, self.left = idx, rfd, wfd, count
        self.buf, self.sent = b"", 0

    def send(self):
        data = request(self.sent * 131 + self.idx, self.idx)
        os.write(self.wfd, data) if isinstance(self.wfd, int) else self.wfd.sendall(data)
        self.sent += 1

    def read_answer(self):
        """Return a complete answer if one is buffered (None otherwise)."""
        end = self.buf.find(b"\n\n")
        if end < 0:
            if len(self.buf) > ANSWER_LIMIT:
                sys.exit("client.py: answer over %d bytes" % ANSWER_LIMIT)
            return None
        answer, self.buf = self.buf[:end], self.buf[end + 2:]
        return answer


def run(conns, total, sel, actions):
    """Keep one request outstanding on each connection until `total` answers came back."""
    done = 0
    for c in conns:
        if c.left > 0:
            c.send()
    deadline = time.monotonic() + TIMEOUT + total * 0.05
    while done < total:
        if time.monotonic() > deadline:
            sys.exit("client.py: timed out after %d of %d answers" % (done, total))
        for key, _ in sel.select(TIMEOUT):
            c = key.data
            chunk = os.read(c.rfd, 65536) if isinstance(c.rfd, int) else c.rfd.recv(65536)
            if not chunk:
                sys.exit("client.py: server closed the connection after %d answers" % done)
            c.buf += chunk
            while (answer := c.read_answer()) is not None:
                line = answer.split(b"\n")[0].decode(errors="replace")
                if not line.startswith("action="):
                    sys.exit("client.py: not an action line: %r" % line[:200])
                word = line[7:].split(" ")[0]
                actions[word] = actions.get(word, 0) + 1
                done += 1
                c.left -= 1
                if c.left > 0:
                    c.send()
        if not sel.get_map():
            break
    return done


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    total, nconn, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if not (0 < total <= MAX_REQUESTS and 0 < nconn <= 64):
        sys.exit("client.py: N in 1..%d, CONNS in 1..64" % MAX_REQUESTS)
    sel = selectors.DefaultSelector()
    procs, conns, pids = [], [], []
    share = [total // nconn + (1 if i < total % nconn else 0) for i in range(nconn)]
    for i in range(nconn):
        if mode == "spawn":
            p = subprocess.Popen(sys.argv[4:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, bufsize=0)
            procs.append(p)
            pids.append(p.pid)
            c = Conn(i, p.stdout.fileno(), p.stdin.fileno(), WARM)
            sel.register(c.rfd, selectors.EVENT_READ, c)
        else:
            host, port = sys.argv[4].rsplit(":", 1)
            s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c = Conn(i, s, s, WARM)
            sel.register(s, selectors.EVENT_READ, c)
        conns.append(c)
    if mode != "spawn":
        pids = [int(sys.argv[5])]
    warm_actions = {}
    run(conns, WARM * nconn, sel, warm_actions)
    for c, n in zip(conns, share):
        c.left = n
    actions = {}
    cpu0, t0 = cpu_seconds(pids), time.monotonic()
    done = run(conns, total, sel, actions)
    elapsed, cpu1 = time.monotonic() - t0, cpu_seconds(pids)
    for c in conns:
        if not isinstance(c.wfd, int):
            c.wfd.close()
    for p in procs:
        p.stdin.close()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print("rps %.1f cpu_ms %.4f answers %d actions %s" % (
        done / elapsed, (cpu1 - cpu0) * 1000.0 / done, done,
        ",".join("%s=%d" % kv for kv in sorted(actions.items()))))


if __name__ == "__main__":
    main()

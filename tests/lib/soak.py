# soak.py - load, idle, slow and fault clients for the soak tests (tests/soak/*.sh), and the
# figures they print: a daemon's RSS, open fds and CPU time from /proc.
#
#   soak.py ports N                          N free loopback TCP ports (never the fixed ports
#                                            of the integration tests)
#   soak.py figures PID                      "rss_kb=.. fds=.. cpu_s=.." of PID
#   soak.py policy PORT PID TOTAL CONNS      TOTAL policy requests over CONNS connections (a
#                                            fixed mix, every answer checked); figures before,
#                                            after the first 10 % (warm-up) and at the end;
#                                            fails when RSS grows by more than RSS_SLACK_KB
#                                            (env, default 4096) after warm-up or fds change
#   soak.py smtp PORT PID TOTAL CONNS PER [xforward]
#                                            TOTAL messages over CONNS parallel sessions of
#                                            PER messages each; every one must get 250; the
#                                            same figures and bounds as `policy`, the fds
#                                            counted SOAK_LINGER (env, default 0) seconds after
#                                            the sessions ended (a relay's parked downstream
#                                            connections live relay_idle_seconds longer)
#   soak.py idle KIND PORT PID COUNT         COUNT idle connections (KIND smtp, policy, srsd,
#                                            milter): memory per idle session (bound
#                                            IDLE_SESSION_BOUND, 16 KiB); one more is
#                                            refused (421 / closed / milter tempfail); after
#                                            they close, a new client is served
#   soak.py fdlimit KIND PORT PID COUNT SECS COUNT connections held SECS s against a daemon at
#                                            a low fd limit; prints its CPU seconds meanwhile;
#                                            then a new client is served
#   soak.py slow KIND PORT INTERVAL CUT      slowloris clients (one byte every INTERVAL s) must
#                                            be cut within CUT s while a normal client is
#                                            served (answers within 2 s)
#   soak.py dns LISTEN_PORT UPSTREAM_PORT MODEFILE
#                                            a UDP+TCP DNS responder: forwards to unbound on
#                                            UPSTREAM_PORT while MODEFILE says "ok", else
#                                            "timeout" (no answer), "servfail" or "truncate"
#                                            (TC over UDP, connection closed over TCP)
#   soak.py policyask PORT SENDER IP WANT MAXSECS
#                                            one policy request; its action must start with
#                                            WANT and come within MAXSECS
#   soak.py sendmany PORT COUNT SIZE TAG [xforward]
#                                            COUNT messages of SIZE octets, a session each;
#                                            prints "TAG-i CODE text" per message
#   soak.py smtpask PORT SENDER WANTCODE MAXSECS [xforward-addr]
#                                            one message; the DATA reply code must be WANTCODE
#                                            (e.g. 250 or 451) within MAXSECS
# Every failure prints "FAIL: ..." and exits 1. Only the loopback interface is used.
import os, resource, select, socket, struct, sys, threading, time

FIXED = {5353, 10025, 10026, 10027, 10028, 10140, 2701, 2702, 2703}
RSS_SLACK_KB = int(os.environ.get("RSS_SLACK_KB", "4096"))
LINGER_S = float(os.environ.get("SOAK_LINGER", "0"))
# IDLE_SESSION_BOUND - octets of daemon RSS one idle connection may cost (soak.py idle).
IDLE_SESSION_BOUND = 16 * 1024


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def figures(pid):
    pid = int(pid)
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
    threads = int(st[17])
    return {"rss_kb": rss, "fds": fds, "cpu_s": round(cpu, 2), "threads": threads}


def show(label, fig):
    print(f"{label}: " + " ".join(f"{k}={v}" for k, v in fig.items()), flush=True)


def ports(n):
    socks, out = [], []
    while len(out) < int(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        socks.append(s)
        if p not in FIXED and not 10000 <= p <= 10300:
            out.append(p)
    for s in socks:
        s.close()
    print(" ".join(map(str, out)))


def check_flat(warm, end, before, after):
    """RSS after warm-up within RSS_SLACK_KB; fds with no session open back where they were."""
    grow = end["rss_kb"] - warm["rss_kb"]
    print(f"rss growth after warm-up: {grow} kB (bound {RSS_SLACK_KB} kB); fds with no session "
          f"open {before['fds']} before, {after['fds']} after (bound: equal); under load "
          f"{warm['fds']} at warm-up, {end['fds']} at the end", flush=True)
    if grow > RSS_SLACK_KB:
        fail(f"RSS grew by {grow} kB after warm-up (bound {RSS_SLACK_KB} kB)")
    if after["fds"] != before["fds"]:
        fail(f"fd count with no session open changed: {before['fds']} -> {after['fds']}")


class Load:
    """TOTAL units of work over CONNS threads; figures at 10 % and at the end."""

    def __init__(self, pid, total, conns):
        self.pid, self.total, self.conns = int(pid), int(total), int(conns)
        self.done = 0
        self.lock = threading.Lock()
        self.errors = []
        self.warm = None
        self.waiting = 0
        self.gate = threading.Event()

    def take(self, n):
        with self.lock:
            n = min(n, self.total - self.done)
            self.done += n
            if self.warm is None and self.done >= self.total // 10:
                self.warm = "due"
            return n

    def run(self, worker):
        time.sleep(LINGER_S)  # what earlier sessions left parked has gone
        before = settle(self.pid)
        show("before", before)
        start = time.time()
        threads = [threading.Thread(target=self.guard, args=(worker, i)) for i in range(self.conns)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads) and self.waiting < sum(t.is_alive() for t in threads):
            if self.warm == "due":
                self.warm = figures(self.pid)
                show("after warm-up", self.warm)
            time.sleep(0.05)
        wall = time.time() - start
        end = figures(self.pid)  # the connections are still open
        show("end", end)
        self.gate.set()
        for t in threads:
            t.join()
        time.sleep(LINGER_S)
        after = settle(self.pid)
        show("after closing", after)
        if self.errors:
            fail(f"{len(self.errors)} error(s), first: {self.errors[0]}")
        print(f"{self.total} done over {self.conns} connections in {wall:.1f} s "
              f"({self.total / wall:.0f}/s)", flush=True)
        if not isinstance(self.warm, dict):
            fail("no warm-up figures taken")
        check_flat(self.warm, end, before, after)

    def finish(self):
        """A worker that is done waits here, its connection open, until the end figures."""
        with self.lock:
            self.waiting += 1
        self.gate.wait(600)

    def guard(self, worker, i):
        try:
            worker(self, i)
        except Exception as e:  # a worker's failure is the test's failure
            with self.lock:
                self.errors.append(repr(e))
            self.finish()


# ---- policy protocol ----------------------------------------------------------------------

def policy_request(sender, ip, helo="mail.client.example.com"):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
            f"client_address={ip}\nclient_name=unknown\nhelo_name={helo}\n"
            f"sender={sender}\nrecipient=u@local.example\nqueue_id=\n\n").encode()


# The mix: (sender, client address, the action's start). Records: tests/soak/soak-unbound.conf.
POLICY_MIX = [
    ("a@spf-pass.example", "192.0.2.10", "PREPEND Received-SPF: pass"),
    ("b@spf-fail.example", "198.51.100.7", "550 5.7.23"),
    ("c@spf-soft.example", "198.51.100.7", "PREPEND Received-SPF: softfail"),
    ("d@no-spf.example", "192.0.2.10", "PREPEND Received-SPF: none"),
]


def read_answer(f):
    line = f.readline()
    blank = f.readline()
    if not line or blank not in (b"\n", b"\r\n"):
        raise RuntimeError(f"bad or missing answer: {line!r} {blank!r}")
    return line.decode().rstrip("\n")


def policy_worker(load, i, port, window=8):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    k = i
    while True:
        n = load.take(window)
        if n == 0:
            break
        batch = [POLICY_MIX[(k + j) % len(POLICY_MIX)] for j in range(n)]
        k += n
        s.sendall(b"".join(policy_request(snd, ip) for snd, ip, _ in batch))
        for snd, ip, want in batch:
            got = read_answer(f)
            if not got.startswith("action=" + want):
                raise RuntimeError(f"{snd} from {ip}: got {got!r}, want action={want}...")
    load.finish()
    s.close()


def policy_load(port, pid, total, conns):
    if not served("policy", port):  # first use opens the resolver's sockets: not a leak
        fail("policy: the first request was not answered")
    load = Load(pid, total, conns)
    load.run(lambda l, i: policy_worker(l, i, int(port)))


# ---- SMTP ---------------------------------------------------------------------------------

class Smtp:
    def __init__(self, port, timeout=30):
        self.s = socket.create_connection(("127.0.0.1", int(port)), timeout=timeout)
        self.f = self.s.makefile("rb")

    def reply(self):
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError("connection closed; so far " + repr(lines))
            lines.append(line.decode(errors="replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return int(lines[-1][:3]), "\n".join(lines)

    def cmd(self, text, want=None):
        self.s.sendall(text.encode() + b"\r\n")
        code, full = self.reply()
        if want is not None and code != want:
            raise RuntimeError(f"{text!r}: {full!r}, want {want}")
        return code, full

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
            self.reply()
        except (OSError, RuntimeError):
            pass
        self.s.close()


def message(sender, token):
    return (f"From: <{sender}>\r\nTo: <u@dest.example>\r\nSubject: soak {token}\r\n"
            f"Message-ID: <{token}@soak.example>\r\nX-Soak-Token: {token}\r\n\r\n"
            f"soak body {token}\r\n" + "line of text for the body hash\r\n" * 20)


def send_one(c, sender, token, xforward=None):
    """One transaction on an open session; returns (code, text) of the DATA reply."""
    if xforward:
        c.cmd(f"XFORWARD ADDR={xforward} NAME=mail.client.example.com HELO=mail.client.example.com", 250)
    c.cmd(f"MAIL FROM:<{sender}>", 250)
    c.cmd("RCPT TO:<u@dest.example>", 250)
    c.cmd("DATA", 354)
    body = message(sender, token).replace("\r\n.", "\r\n..")
    c.s.sendall(body.encode() + b".\r\n")
    return c.reply()


def smtp_worker(load, i, port, per, xforward):
    seq = 0
    c = None
    while True:
        n = load.take(per)
        if n == 0:
            break
        if c is not None:
            c.close()
        c = Smtp(port)
        c.reply()
        c.cmd("EHLO soak.example", 250)
        for _ in range(n):
            seq += 1
            code, text = send_one(c, "s@example.com", f"c{i}-{seq}", "192.0.2.10" if xforward else None)
            if code != 250:
                raise RuntimeError(f"message c{i}-{seq}: {text!r}")
    load.finish()
    if c is not None:
        c.close()


def smtp_load(port, pid, total, conns, per, xforward=""):
    c = Smtp(port)  # first use opens the resolver's sockets: not a leak
    c.reply()
    c.cmd("EHLO soak.example", 250)
    code, text = send_one(c, "s@example.com", "first", "192.0.2.10" if xforward == "xforward" else None)
    c.close()
    if code != 250:
        fail(f"the first message: {text!r}")
    load = Load(pid, total, conns)
    load.run(lambda l, i: smtp_worker(l, i, port, int(per), xforward == "xforward"))


def smtpask(port, sender, want, maxsecs, addr=None):
    start = time.time()
    c = Smtp(port, timeout=float(maxsecs) + 5)
    c.reply()
    c.cmd("EHLO soak.example", 250)
    code, text = send_one(c, sender, f"ask{time.time_ns()}", addr)
    took = time.time() - start
    c.close()
    print(f"{sender}: {text} ({took:.2f} s)", flush=True)
    if str(code) != str(want):
        fail(f"{sender}: DATA answered {text!r}, want {want}")
    if took > float(maxsecs):
        fail(f"{sender}: answered after {took:.2f} s, bound {maxsecs} s")


def sendmany(port, count, size, tag, xforward=""):
    """COUNT messages of about SIZE octets, one session each; prints "TOKEN CODE" per message
    (CODE 0: the session broke before a DATA reply - the client still holds the message)."""
    for i in range(int(count)):
        token = f"{tag}-{i}"
        code = 0
        try:
            c = Smtp(port)
            c.reply()
            c.cmd("EHLO soak.example", 250)
            if xforward:
                c.cmd("XFORWARD ADDR=192.0.2.10 HELO=mail.client.example.com", 250)
            c.cmd("MAIL FROM:<s@example.com>", 250)
            c.cmd("RCPT TO:<u@dest.example>", 250)
            c.cmd("DATA", 354)
            body = message("s@example.com", token) + ("x" * 998 + "\r\n") * (int(size) // 1000)
            c.s.sendall(body.encode() + b".\r\n")
            code, text = c.reply()
            c.close()
        except (OSError, RuntimeError) as e:
            text = repr(e)
        print(f"{token} {code} {text.splitlines()[-1] if text else ''}", flush=True)


def policyask(port, sender, ip, want, maxsecs):
    start = time.time()
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=float(maxsecs) + 5)
    s.sendall(policy_request(sender, ip))
    got = read_answer(s.makefile("rb"))
    took = time.time() - start
    s.close()
    print(f"{sender} from {ip}: {got} ({took:.2f} s)", flush=True)
    if not got.startswith("action=" + want):
        fail(f"{sender}: {got!r}, want action={want}...")
    if took > float(maxsecs):
        fail(f"{sender}: answered after {took:.2f} s, bound {maxsecs} s")


# ---- milter (just enough to negotiate and send CONNECT) -------------------------------------

def milter_packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def milter_read(s):
    head = b""
    while len(head) < 4:
        more = s.recv(4 - len(head))
        if not more:
            return None
        head += more
    n = struct.unpack(">I", head)[0]
    body = b""
    while len(body) < n:
        more = s.recv(n - len(body))
        if not more:
            return None
        body += more
    return body


def milter_connect_reply(s):
    """Negotiate and send CONNECT; the first octet of the CONNECT reply (b'c', b't'...) or None."""
    s.sendall(milter_packet(b"O", struct.pack(">III", 6, 0x1FF, 0)))
    r = milter_read(s)
    if r is None or r[:1] != b"O":
        return None
    s.sendall(milter_packet(b"C", b"client.example\x004\x00\x00192.0.2.10\x00"))
    while True:
        r = milter_read(s)
        if r is None:
            return None
        if r[:1] not in (b"h",):  # skip progress-like packets
            return r[:1]


# ---- one client of each kind: served? -------------------------------------------------------

def served(kind, port):
    """True when a new client of KIND is served normally on port."""
    try:
        s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
        f = s.makefile("rb")
        if kind == "smtp":
            line = f.readline()
            s.sendall(b"EHLO soak.example\r\n")
            ok = line.startswith(b"220") and f.readline().startswith(b"250")
        elif kind == "policy":
            s.sendall(policy_request(*POLICY_MIX[0][:2]))
            ok = read_answer(f).startswith("action=" + POLICY_MIX[0][2])
        elif kind == "milter":
            ok = milter_connect_reply(s) == b"c"
        else:
            raise ValueError(kind)
        s.close()
        return ok
    except (OSError, RuntimeError) as e:
        print(f"{kind} client on {port}: {e!r}", flush=True)
        return False


def srsd_served(port):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    s.sendall(b"25:forward alice@example.com,")
    data = b""
    while b"," not in data[3:]:
        more = s.recv(200)
        if not more:
            break
        data += more
    s.close()
    return b":OK SRS0=" in data


def is_served(kind, port):
    return srsd_served(port) if kind == "srsd" else served(kind, port)


def refused(kind, s):
    """How the listener treats a connection over its cap: True when refused as it should be."""
    s.settimeout(5)
    try:
        if kind == "smtp":
            data = s.recv(200)
            print(f"over the cap: {data!r}", flush=True)
            return data.startswith(b"421")
        if kind == "milter":
            r = milter_connect_reply(s)
            print(f"over the cap: milter reply {r!r}", flush=True)
            return r == b"t"
        data = s.recv(200)  # policy, srsd: closed at once
        print(f"over the cap: closed ({data!r})", flush=True)
        return data == b""
    except OSError as e:
        print(f"over the cap: {e!r}", flush=True)
        return False


def settle(pid, secs=1.0):
    """Figures once the fd count has stopped moving (all connections accepted)."""
    last = figures(pid)
    for _ in range(100):
        time.sleep(secs / 4)
        now = figures(pid)
        if now["fds"] == last["fds"]:
            return now
        last = now
    return last


def idle(kind, port, pid, count):
    raise_nofile()
    port, count = int(port), int(count)
    if not is_served(kind, port):
        fail(f"{kind}: not served before the test")
    before = settle(pid)
    show(f"{kind} before", before)
    t0 = time.time()
    socks = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
        if i % 64 == 63:  # paced: a burst over the listen backlog (128) costs SYN retries of 1 s
            time.sleep(0.03)
    if kind == "smtp":
        for s in socks:
            if not s.recv(200).startswith(b"220"):
                fail(f"{kind}: an idle connection got no greeting")
    if kind == "milter":  # Postfix negotiates and sends CONNECT at once, then waits
        for s in socks:
            if milter_connect_reply(s) != b"c":
                fail(f"{kind}: an idle connection was not continued at connect")
    print(f"{kind}: {count} connections open in {time.time() - t0:.1f} s", flush=True)
    held = settle(pid, 2.0)
    show(f"{kind} with {count} idle", held)
    per = (held["rss_kb"] - before["rss_kb"]) * 1024 / count
    print(f"{kind}: memory per idle session {per:.0f} octets "
          f"({held['rss_kb'] - before['rss_kb']} kB for {count}); "
          f"fds per session {(held['fds'] - before['fds']) / count:.2f}", flush=True)
    if per > IDLE_SESSION_BOUND:
        fail(f"{kind}: an idle session costs {per:.0f} octets (bound {IDLE_SESSION_BOUND})")
    if held["fds"] - before["fds"] < count:
        fail(f"{kind}: only {held['fds'] - before['fds']} of {count} connections accepted")
    extra = socket.create_connection(("127.0.0.1", port), timeout=10)
    if not refused(kind, extra):
        fail(f"{kind}: connection {count + 1} over the cap of {count} was not refused")
    extra.close()
    for s in socks:
        s.close()
    time.sleep(1)
    after = settle(pid)
    show(f"{kind} after closing", after)
    if not is_served(kind, port):
        fail(f"{kind}: a new client is not served after the idle connections closed")
    print(f"{kind}: a new client is served after they closed", flush=True)


def fdlimit(kind, port, pid, count, secs):
    raise_nofile()
    port, count, secs = int(port), int(count), float(secs)
    socks = []
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    time.sleep(0.5)
    c0 = figures(pid)
    time.sleep(secs)
    c1 = figures(pid)
    print(f"{kind}: {len(socks)} connections held; daemon cpu {c1['cpu_s'] - c0['cpu_s']:.2f} s "
          f"in {secs:.0f} s; fds {c1['fds']}", flush=True)
    print(f"cpu_used={c1['cpu_s'] - c0['cpu_s']:.2f}", flush=True)
    for s in socks:
        s.close()
    time.sleep(1)
    for _ in range(10):
        if is_served(kind, port):
            print(f"{kind}: a new client is served afterwards", flush=True)
            return
        time.sleep(0.5)
    fail(f"{kind}: no service after the connections closed")


# ---- slowloris ----------------------------------------------------------------------------

SLOW_PREFIX = {
    # what is sent at full speed before the trickle starts, and the trickled bytes
    "smtp-command": (b"", b"EHLO slow.example\r\n" * 1000),
    "smtp-data": (b"EHLO slow.example\r\nMAIL FROM:<s@example.com>\r\nRCPT TO:<u@dest.example>\r\nDATA\r\n",
                  b"Subject: slow\r\n\r\n" + b"x" * 100000),
    "policy": (b"", policy_request("a@spf-pass.example", "192.0.2.10") * 100),
    "srsd": (b"", b"25:forward alice@example.com," * 1000),
}


def slow_client(kind, port, interval, results, i):
    prefix, trickle = SLOW_PREFIX[kind]
    start = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=300)
    if prefix:
        s.sendall(prefix)
    got = b""
    n = 0
    while True:
        r, _, _ = select.select([s], [], [], interval)
        if r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                break
            got += data
            continue
        try:
            s.send(trickle[n:n + 1])
        except OSError:
            break
        n += 1
    results[i] = (time.time() - start, n, got[-120:])
    s.close()


def slow(kind, port, interval, cut, clients=4):
    port, interval, cut = int(port), float(interval), float(cut)
    results = [None] * clients
    threads = [threading.Thread(target=slow_client, args=(kind, port, interval, results, i), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    normal = "srsd" if kind == "srsd" else ("policy" if kind == "policy" else "smtp")
    served_n, worst = 0, 0.0
    deadline = time.time() + cut + 10
    while any(t.is_alive() for t in threads) and time.time() < deadline:
        t0 = time.time()
        if not is_served(normal, port):
            fail(f"{kind}: a normal client was not served while slow clients were connected")
        worst = max(worst, time.time() - t0)
        served_n += 1
        time.sleep(0.5)
    if any(t.is_alive() for t in threads):
        fail(f"{kind}: slow clients still connected after {cut + 10:.0f} s (bound {cut:.0f} s)")
    for took, sent, last in results:
        print(f"{kind}: slow client cut after {took:.1f} s, {sent} byte(s) trickled; last reply {last!r}",
              flush=True)
        if took > cut:
            fail(f"{kind}: a slow client held its connection {took:.1f} s (bound {cut} s)")
    print(f"{kind}: {served_n} normal clients served meanwhile, slowest {worst:.2f} s", flush=True)
    if worst > 2:
        fail(f"{kind}: a normal client waited {worst:.2f} s")


# ---- DNS fault responder ------------------------------------------------------------------

def dns_mode(path):
    try:
        with open(path) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def dns_fault_reply(query, rcode, tc=False):
    """The query's header and question with QR, the RCODE and maybe TC set, no records."""
    qid, flags = struct.unpack(">HH", query[:4])
    flags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode | (0x0200 if tc else 0)
    return struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 0) + query[12:]


def dns_upstream(query, upstream, tcp):
    if tcp:
        with socket.create_connection(("127.0.0.1", upstream), timeout=3) as u:
            u.sendall(struct.pack(">H", len(query)) + query)
            n = struct.unpack(">H", recv_exact(u, 2))[0]
            return recv_exact(u, n)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(3)
        u.sendto(query, ("127.0.0.1", upstream))
        return u.recv(65535)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        more = s.recv(n - len(data))
        if not more:
            raise OSError("closed")
        data += more
    return data


def dns_answer(query, upstream, modefile, tcp):
    """The reply for one query, or None for no reply."""
    mode = dns_mode(modefile)
    if mode == "timeout":
        return None
    if mode == "servfail":
        return dns_fault_reply(query, 2)
    if mode == "truncate":
        return None if tcp else dns_fault_reply(query, 0, tc=True)
    return dns_upstream(query, upstream, tcp)


def dns_tcp_conn(c, upstream, modefile):
    try:
        c.settimeout(10)
        while True:
            n = struct.unpack(">H", recv_exact(c, 2))[0]
            r = dns_answer(recv_exact(c, n), upstream, modefile, True)
            if r is None:
                if dns_mode(modefile) == "truncate":
                    break  # close: TCP fails too
                time.sleep(10)
                break
            c.sendall(struct.pack(">H", len(r)) + r)
    except OSError:
        pass
    c.close()


def dns_server(port, upstream, modefile):
    port, upstream = int(port), int(upstream)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", port))
    t = socket.socket()
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(64)
    counts = {}

    def udp_one(data, addr):
        mode = dns_mode(modefile)
        counts[mode] = counts.get(mode, 0) + 1
        try:
            r = dns_answer(data, upstream, modefile, False)
            if r is not None:
                u.sendto(r, addr)
        except OSError:
            pass

    print(f"dns responder on 127.0.0.1:{port} (udp+tcp), upstream {upstream}", flush=True)
    while True:
        r, _, _ = select.select([u, t], [], [])
        if u in r:
            data, addr = u.recvfrom(65535)
            threading.Thread(target=udp_one, args=(data, addr), daemon=True).start()
        if t in r:
            c, _ = t.accept()
            threading.Thread(target=dns_tcp_conn, args=(c, upstream, modefile), daemon=True).start()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "figures":
        show("figures", figures(args[0]))
        return
    table = {"ports": ports, "policy": policy_load, "smtp": smtp_load, "idle": idle,
             "fdlimit": fdlimit, "slow": slow, "dns": dns_server, "policyask": policyask,
             "smtpask": smtpask, "sendmany": sendmany}
    table[cmd](*args)


if __name__ == "__main__":
    main()

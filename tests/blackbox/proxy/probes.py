# probes.py - protocol probes against `postseal verifier --proxy` (docs/security.md 1-14 where they
# apply to a before-queue proxy), with a recording after-filter server in this process.
# usage: probes.py PROXY_PORT RESTRICTED_PORT DOWN_PORT PROXY_PID
#   PROXY_PORT: the proxy under test (xforward from 127.0.0.1 allowed, max_message_size 1 MB);
#   RESTRICTED_PORT: a second proxy with xforward_hosts = 192.0.2.1, max_connections 2,
#   command_timeout 2; DOWN_PORT: where both relay (this script serves it).
# Prints PASS/FAIL lines; exits 1 when any probe failed.
import socket, sys, threading, time, os, signal

proxy_port, restricted_port, down_port, proxy_pid = (int(a) for a in sys.argv[1:5])
failures = 0

def check(cond, what):
    global failures
    print(("PASS: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1

# --- the recording after-filter server --------------------------------------------------
sessions = []          # one list of events per connection: ("CMD", line) / ("MSG", bytes)
sessions_lock = threading.Lock()

def downstream(conn):
    events = []
    with sessions_lock:
        sessions.append(events)
    f = conn.makefile("rb")
    def send(s):
        conn.sendall(s.encode() + b"\r\n")
    send("220 after-filter ESMTP")
    try:
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.rstrip(b"\r\n")
            events.append(("CMD", cmd.decode("latin-1")))
            up = cmd.upper()
            if up.startswith(b"EHLO"):
                send("250-after\r\n250-PIPELINING\r\n250-SIZE 200000000\r\n250-8BITMIME\r\n250-DSN\r\n250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE")
            elif up == b"DATA":
                send("354 go")
                raw = []
                while True:
                    l = f.readline()
                    if not l or l == b".\r\n":
                        break
                    raw.append(l)
                events.append(("MSG", b"".join(raw)))
                send("250 2.0.0 Ok: queued as AFTER%d" % len(sessions))
            elif up == b"QUIT":
                send("221 bye")
                return
            else:
                send("250 2.0.0 ok")
    except OSError:
        pass
    finally:
        conn.close()

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", down_port))
listener.listen(16)
def accept_loop():
    while True:
        c, _ = listener.accept()
        threading.Thread(target=downstream, args=(c,), daemon=True).start()
threading.Thread(target=accept_loop, daemon=True).start()

def all_events():
    with sessions_lock:
        return [e for s in sessions for e in s]
def messages():
    return [e[1] for e in all_events() if e[0] == "MSG"]

# --- an SMTP client for the proxy ---------------------------------------------------------
class Client:
    def __init__(self, port=proxy_port, timeout=15):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.s.makefile("rb")
        self.greeting = self.reply()
    def reply(self):
        lines = []
        while True:
            l = self.f.readline()
            if not l:
                return "".join(lines) or "(closed)"
            lines.append(l.decode("latin-1"))
            if len(l) < 4 or l[3:4] != b"-":
                return "".join(lines)
    def cmd(self, line):
        self.s.sendall(line.encode("latin-1") + b"\r\n")
        return self.reply()
    def raw(self, data):
        self.s.sendall(data)
    def close(self):
        self.s.close()

def envelope(c, addr="192.0.2.10", helo="mail.client.example.com", sender="user@dkim.example"):
    c.cmd("EHLO postfix.example")
    r = c.cmd(f"XFORWARD NAME=unknown ADDR={addr} HELO={helo} IDENT=4F1A2B3C4D")
    assert r.startswith("250"), r
    assert c.cmd(f"MAIL FROM:<{sender}>").startswith("250")
    assert c.cmd("RCPT TO:<rcpt@dest.example>").startswith("250")

HEAD = b"From: <user@dkim.example>\r\nTo: <rcpt@dest.example>\r\nSubject: probe\r\n"

def send_message(c, content):
    r = c.cmd("DATA")
    if not r.startswith("354"):
        return r
    c.raw(content + b".\r\n")
    return c.reply()

time.sleep(0.2)

# 1-2. Smuggling: bare-LF / CR terminators are data; one message, no second transaction.
before = len(messages())
c = Client(); envelope(c)
smuggle = HEAD + b"\r\nbody\n.\nMAIL FROM:<evil@x>\nRCPT TO:<victim@x>\nDATA\nsmuggled\r\n\r.\r\nmore\r\n.\n\r\n"
r = send_message(c, smuggle)
check(r.startswith("250"), "smuggling: one 250 for the whole message")
r2 = c.cmd("NOOP")
check(r2.startswith("250"), "smuggling: the session is still in step (NOOP 250)")
c.close(); time.sleep(0.3)
msgs = messages()[before:]
check(len(msgs) == 1 and b"smuggled" in msgs[0] and b"evil@x" in msgs[0], "smuggling: exactly one message downstream, smuggled text inside it")
check(not any(e == ("CMD", "MAIL FROM:<evil@x>") for e in all_events()), "smuggling: no smuggled MAIL downstream")

# 3. Dot-stuffing survives: a body line ".x" arrives stuffed as "..x".
before = len(messages())
c = Client(); envelope(c)
r = send_message(c, HEAD + b"\r\n..leading dot\r\n...two\r\n")
c.close(); time.sleep(0.3)
m = messages()[before:]
check(r.startswith("250") and m and b"\r\n..leading dot\r\n...two\r\n" in m[0], "dot-stuffing: stuffed lines relayed stuffed")
check(m and b"Authentication-Results:" in m[0].split(b"\r\n\r\n")[0], "headers: Authentication-Results prepended")

# SPF from XFORWARD ADDR: a fail is refused at end of DATA, downstream gets RSET and no DATA.
sessions_before = len(sessions)
c = Client(); envelope(c, addr="198.51.100.5", sender="user@spf-pass.example.com")
r = send_message(c, HEAD + b"\r\nfail\r\n")
check(r.startswith("550 5.7.23"), "SPF fail from XFORWARD ADDR: 550 5.7.23 at end of DATA (got %r)" % r.strip())
c.cmd("QUIT"); c.close(); time.sleep(0.3)
with sessions_lock:
    new = [e for s in sessions[sessions_before:] for e in s]
cmds = [e[1].upper() for e in new if e[0] == "CMD"]
check("RSET" in cmds and "DATA" not in cmds and not any(e[0] == "MSG" for e in new),
      "SPF fail: downstream got RSET, never DATA (%s)" % cmds)
check(any(x.startswith("XFORWARD") and "ADDR=198.51.100.5" in x for x in cmds), "XFORWARD relayed downstream")

# temperror (the zone times out) -> 451 4.4.3.
c = Client(); envelope(c, addr="198.51.100.5", sender="user@spf-slow.example.com")
r = send_message(c, HEAD + b"\r\ntemp\r\n")
check(r.startswith("451 4.4.3"), "SPF temperror: 451 4.4.3 (got %r)" % r.strip())
c.close()

# 4. Pipelining after DATA -> 554, no desync.
c = Client(); envelope(c)
c.raw(b"DATA\r\nNOOP\r\n")
r = c.reply()
check(r.startswith("554"), "pipelining after DATA: 554 (got %r)" % r.strip())
c.close()

# 5. A 1 MB command line -> 500, memory bounded; a 1 MB message line -> 552; NUL in a header -> 554.
c = Client(); c.cmd("EHLO x")
r = c.cmd("NOOP " + "a" * (1 << 20))
check(r.startswith("500"), "1 MB command line: 500 (got %r)" % r[:40])
c.close()
c = Client(); envelope(c)
r = send_message(c, HEAD + b"\r\n" + b"b" * (1 << 20) + b"\r\n")
check(r.startswith("552"), "1 MB message line: 552 (got %r)" % r.strip()[:60])
c.close()
c = Client(); envelope(c)
r = send_message(c, b"From: <user@dkim.example>\r\nSubject: a\x00b\r\n\r\nbody\r\n")
check(r.startswith("554"), "NUL in a header: 554 (got %r)" % r.strip()[:60])
c.close()

# 6. XFORWARD: bad xtext -> 501; over 255 octets -> 501; unauthorised peer -> 550.
c = Client(); c.cmd("EHLO x")
r = c.cmd("XFORWARD ADDR=1.2.3.4+ZZ")
check(r.startswith("501"), "XFORWARD bad xtext: 501 (got %r)" % r.strip())
r = c.cmd("XFORWARD HELO=" + "h" * 300)
check(r.startswith("501"), "XFORWARD value over 255 octets: 501 (got %r)" % r.strip()[:40])
c.close()
c = Client(restricted_port); c.cmd("EHLO x")
r = c.cmd("XFORWARD ADDR=198.51.100.5")
check(r.startswith("550"), "XFORWARD from an unauthorised peer: 550 (got %r)" % r.strip())
c.close()

# 12. SIZE over the limit -> 552 at MAIL; a message over it -> 552 at end of DATA, nothing relayed.
c = Client(); c.cmd("EHLO x")
r = c.cmd("MAIL FROM:<user@dkim.example> SIZE=999999999")
check(r.startswith("552"), "SIZE over the limit: 552 at MAIL (got %r)" % r.strip())
c.close()
before = len(messages())
c = Client(); envelope(c)
r = send_message(c, HEAD + b"\r\n" + (b"x" * 998 + b"\r\n") * 1100)
check(r.startswith("552"), "message over max_message_size: 552 (got %r)" % r.strip()[:60])
c.close(); time.sleep(0.2)
check(len(messages()) == before, "oversized message not relayed")

# 13. 10,000 header fields -> 552, memory bounded.
c = Client(); envelope(c)
r = send_message(c, HEAD + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\nbody\r\n")
check(r.startswith("552"), "10,000 header fields: 552 (got %r)" % r.strip()[:60])
c.close()

# 8. Disconnect during DATA -> nothing downstream.
before = len(messages())
c = Client(); envelope(c)
c.cmd("DATA"); c.raw(HEAD + b"\r\npartial body\r\n"); c.close(); time.sleep(0.5)
check(len(messages()) == before, "disconnect during DATA: nothing relayed")

# 11. Idle client on the restricted proxy (command_timeout 2 s) is closed; others unaffected.
slow = Client(restricted_port)
t0 = time.time()
r = slow.reply()
check(time.time() - t0 < 6 and r.startswith("421 4.4.2"), "idle client: 421 4.4.2 and closed by the command deadline (%.1f s, %r)" % (time.time() - t0, r.strip()))
check(slow.reply() == "(closed)", "idle client: connection closed after the 421")
slow.close()

# Connection cap (restricted: max_connections 2) -> the third gets 421.
a, b = Client(restricted_port), Client(restricted_port)
c = Client(restricted_port)
check(c.greeting.startswith("421"), "over the connection cap: 421 (got %r)" % c.greeting.strip())
for x in (a, b, c): x.close()

# 14. SIGTERM mid-transaction: the message in progress is finished (250 only after the
# after-filter's 250), new connections are refused.
before = len(messages())
c = Client(); envelope(c)
c.cmd("DATA"); c.raw(HEAD + b"\r\nfirst half\r\n")
os.kill(proxy_pid, signal.SIGTERM); time.sleep(0.5)
c.raw(b"second half\r\n.\r\n")
r = c.reply()
time.sleep(0.3)
got = messages()[before:]
check(r.startswith("250") and len(got) == 1 and b"second half" in got[0], "SIGTERM in DATA: transaction finished, 250 after downstream 250 (got %r)" % r.strip())
try:
    Client(timeout=2)
    refused = False
except OSError:
    refused = True
check(refused, "after SIGTERM: new connections refused")

print("probes: %d failed" % failures)
sys.exit(1 if failures else 0)

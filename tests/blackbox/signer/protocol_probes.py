# protocol_probes.py - SMTP-level probes against a running `postseal signer` (no Postfix):
# smuggling (docs/security.md 1-2), dot lines (3), pipelining (4), 1 MB lines (5), XFORWARD (6),
# RSET/disconnect in DATA (8), 10,000 headers (13), 50 MB message with RSS bound (12),
# connection cap and idle deadline (11). The downstream is fake_downstream.py in accept mode
# writing each relayed message to DOWNDIR.
# usage: protocol_probes.py PORT RESTRICTED_PORT DOWNDIR FILTER_PID
import os, socket, sys, time

PORT, RPORT, DOWN, PID = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
failures = []

def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)

def relayed():
    return sorted(os.listdir(DOWN), key=lambda n: int(n.split(".")[0]))

class Conn:
    def __init__(self, port=PORT):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.greeting = self.reply()
    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())
    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l.rstrip(b"\r").decode("latin-1")
    def reply(self):
        lines = [self.line()]
        while lines[-1][3:4] == "-":
            lines.append(self.line())
        return lines[-1]
    def cmd(self, c):
        self.send(c + "\r\n")
        return self.reply()
    def envelope(self, frm="a@rsa.example"):
        r = [self.cmd(f"MAIL FROM:<{frm}>"), self.cmd("RCPT TO:<b@dest.example>"), self.cmd("DATA")]
        return r
    def closed(self):
        try:
            self.s.settimeout(5)
            return self.s.recv(100) == b""
        except OSError:
            return True

def clean_crlf(data):
    return data.replace(b"\r\n", b"").find(b"\r") < 0 and data.replace(b"\r\n", b"").find(b"\n") < 0

HDR = "From: A <a@rsa.example>\r\nTo: b@dest.example\r\nSubject: probe\r\n\r\n"

c = Conn()
check(c.greeting.startswith("220"), "greeting 220")
check(c.cmd("EHLO probe").startswith("250"), "EHLO")

# 1-2. smuggling: fake terminators followed by a smuggled transaction.
for name, fake in [("LF.LF", b"\n.\n"), ("LF.CRLF", b"\n.\r\n"), ("CRLF.LF", b"\r\n.\n"),
                   ("CR.CRLF", b"\r.\r\n"), ("CR.CR", b"\r.\r")]:
    before = len(relayed())
    r = c.envelope()
    c.send(HDR.encode() + b"first" + fake + b"MAIL FROM:<evil@rsa.example>\r\nRCPT TO:<victim@dest.example>\r\n"
           b"DATA\r\nFrom: evil@rsa.example\r\n\r\nspoofed\r\n.\r\n")
    final = c.reply()
    ok = final.startswith("250")
    after = relayed()
    one = len(after) == before + 1
    data = open(os.path.join(DOWN, after[-1]), "rb").read() if one else b""
    check(ok and one and b"spoofed" in data and clean_crlf(data),
          f"smuggling {name}: one message downstream, smuggled text stays inside it, clean CRLF")
    check(c.cmd("NOOP").startswith("250"), f"smuggling {name}: session in sync afterwards")

# 3. dot lines are unstuffed then re-stuffed.
before = len(relayed())
c.envelope()
c.send(HDR + "..leading dot\r\n...two dots\r\n.\r\n")
check(c.reply().startswith("250"), "dot lines accepted")
data = open(os.path.join(DOWN, relayed()[-1]), "rb").read()
check(b"\r\n..leading dot\r\n...two dots\r\n" in data, "dot lines re-stuffed on output")

# 4. pipelining: a whole group in one write, replies in order; DATA must end the group.
c.send("MAIL FROM:<a@rsa.example>\r\nRCPT TO:<b@dest.example>\r\nRCPT TO:<c@dest.example>\r\nDATA\r\n")
rs = [c.reply() for _ in range(4)]
check([x[:3] for x in rs] == ["250", "250", "250", "354"], f"pipelined group answered in order {rs}")
c.send(HDR + "pipelined\r\n.\r\n")
check(c.reply().startswith("250"), "pipelined message relayed")
p = Conn(); p.cmd("EHLO probe")
before = len(relayed())
p.send("MAIL FROM:<a@rsa.example>\r\nRCPT TO:<b@dest.example>\r\nDATA\r\n" + HDR + "early\r\n.\r\n")
rs = [p.reply() for _ in range(3)]
check(rs[2].startswith("554") and p.closed() and len(relayed()) == before,
      f"data sent before 354 -> 554 sync error, closed, nothing relayed ({rs[2]})")

# 5. 1 MB command line; 1 MB line in DATA.
c.send("NOOP " + "x" * (1 << 20) + "\r\n")
check(c.reply().startswith("500"), "1 MB command line -> 500")
check(c.cmd("NOOP").startswith("250"), "session goes on after the long line")
before = len(relayed())
c.envelope()
c.send(HDR + "y" * (1 << 20) + "\r\n.\r\n")
r = c.reply()
check(r.startswith("552") and len(relayed()) == before, f"1 MB line in DATA -> 552, nothing relayed ({r[:60]})")

# NUL in a command.
check(c.cmd("NOOP \0").startswith("500"), "NUL in a command -> 500")

# 13. 10,000 header fields.
before = len(relayed())
c.envelope()
c.send(HDR[:-2] + "".join(f"X-H{i}: v\r\n" for i in range(10000)) + "\r\nbody\r\n.\r\n")
r = c.reply()
check(r.startswith("552") and "header" in r and len(relayed()) == before, f"10,000 headers -> 552 ({r[:70]})")

# 6. XFORWARD: validation, and IDENT as the queue id in the log.
check(c.cmd("XFORWARD NAME=" + "a" * 256).startswith("501"), "XFORWARD value over 255 -> 501")
check(c.cmd("XFORWARD NAME=bad+ZZxtext").startswith("501"), "XFORWARD bad xtext -> 501")
check(c.cmd("XFORWARD BOGUS=1").startswith("501"), "XFORWARD unknown attribute -> 501")
check(c.cmd("XFORWARD NAME=client.example ADDR=192.0.2.7 IDENT=ABCDEF1234").startswith("250"), "XFORWARD valid -> 250")
c.envelope()
c.send(HDR + "with xforward\r\n.\r\n")
check(c.reply().startswith("250"), "message after XFORWARD relayed")
data = open(os.path.join(DOWN, relayed()[-1]), "rb").read()
check(b"DKIM-Signature:" in data, "message signed")
r = Conn(RPORT); r.cmd("EHLO probe")
check(r.cmd("XFORWARD NAME=x").startswith("550"), "XFORWARD from an unauthorised peer -> 550")
# closed now: left idle, its 2 s deadline could free a session slot in the middle of the
# connection-cap probe (11) and let the connection over the cap in (seen under load in CI)
r.cmd("QUIT"); r.s.close()

# 8. RSET mid-transaction and disconnect in DATA: nothing relayed.
before = len(relayed())
c.cmd("MAIL FROM:<a@rsa.example>"); c.cmd("RCPT TO:<b@dest.example>")
check(c.cmd("RSET").startswith("250"), "RSET -> 250")
d = Conn(); d.cmd("EHLO probe"); d.envelope()
d.send(HDR + "half a message\r\nQUIT\r\nRSET\r\n")
d.s.close()
time.sleep(0.5)
check(len(relayed()) == before, "RSET / QUIT-as-content / disconnect in DATA: nothing relayed")

# 12. 50 MB message: streamed, RSS bounded.
before = len(relayed())
c.envelope()
chunk = ("z" * 76 + "\r\n").encode() * 10000
c.send(HDR)
for _ in range(66):
    c.send(chunk)
c.send(b".\r\n")
r = c.reply()
size = os.path.getsize(os.path.join(DOWN, relayed()[-1])) if len(relayed()) == before + 1 else 0
hwm = 0
for l in open(f"/proc/{PID}/status"):
    if l.startswith("VmHWM:"):
        hwm = int(l.split()[1]) // 1024
check(r.startswith("250") and size > 50_000_000, f"50 MB message relayed ({size} octets)")
# Streamed, not buffered: 64 MB for a 50 MB message. Under AddressSanitizer (scripts/test-asan.sh
# sets ASAN_OPTIONS) freed memory waits in ASan's quarantine and shadow memory is counted, so
# the same streaming measured 65 MB there: its bound is 96 MB, still far below a buffered copy.
limit = 96 if "ASAN_OPTIONS" in os.environ else 64
check(hwm < limit, f"peak RSS {hwm} MB < {limit} MB with a 50 MB message")
print(f"RSS_PEAK_MB {hwm}")
check(c.cmd("QUIT").startswith("221"), "QUIT -> 221")

# 11. connection cap (restricted instance: 4 sessions) and idle deadline (2 s).
conns = [Conn(RPORT) for _ in range(3)]
extra = Conn(RPORT)
check(extra.greeting.startswith("421"), f"connection over the cap -> 421 ({extra.greeting})")
idle = conns[0]
time.sleep(3)
idle.s.settimeout(5)
said = idle.reply()
check(said.startswith("421 4.4.2"), f"idle session told 421 4.4.2 at the command deadline ({said.strip()!r})")
check(idle.closed(), "idle session closed after the command deadline")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)

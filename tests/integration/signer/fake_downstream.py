# fake_downstream.py - a misbehaving reinjection server for fault tests (never delivers).
# usage: fake_downstream.py PORT MODE [DIR]   MODE: 4xx | 5xx | 421 | close | stall | accept | idle421
# accept: answers 250 and writes each message (raw wire bytes, dot-stuffed) to DIR/N.eml.
# idle421: as accept, then, when no command follows a message's 250 within 0.3 s, says
# "421 ... timeout" and closes (Postfix's smtpd on its idle timeout; the client's next
# message must go through a new connection).
# Answers EHLO/MAIL/RCPT normally; at end of DATA: 451, 554, 421 (and closes), closes
# silently, or stalls (reads, never answers). Logs each end of DATA to stdout, and each
# connection ("connection N"), XFORWARD, MAIL and QUIT line (connection reuse tests).
import select, socket, sys, threading, time

port, mode = int(sys.argv[1]), sys.argv[2]
counter = 0
connections = 0
lock = threading.Lock()

def log(text):
    with lock:
        print(text, flush=True)

def idle_then_421(c, f, send):
    """True when no command came within 0.3 s: 421 said, connection to be closed. (The
    relay sends nothing after "." before the reply, so nothing waits in f's buffer.)"""
    if select.select([c], [], [], 0.3)[0]:
        return False
    send("421 4.4.2 fake Error: timeout exceeded")
    log("idle 421")
    return True

def serve(c):
    f = c.makefile("rb")
    def send(s):
        c.sendall(s.encode() + b"\r\n")
    send("220 fake ESMTP")
    try:
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith((b"XFORWARD", b"MAIL", b"QUIT")):
                log("cmd " + line.strip().decode("latin-1"))
            if cmd.startswith(b"EHLO"):
                send("250-fake\r\n250-PIPELINING\r\n250-SIZE 200000000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE")
            elif cmd == b"DATA":
                send("354 go")
                raw = []
                while True:
                    l = f.readline()
                    if not l or l == b".\r\n":
                        break
                    raw.append(l)
                if mode in ("accept", "idle421") and l:
                    global counter
                    with lock:
                        counter += 1
                        n = counter
                    with open(f"{sys.argv[3]}/{n}.eml", "wb") as out:
                        out.write(b"".join(raw))
                    send(f"250 2.0.0 Ok: queued as FAKE{n}")
                    if mode == "idle421" and idle_then_421(c, f, send):
                        return
                    continue
                print(f"end of data, mode {mode}", flush=True)
                if mode == "4xx":
                    send("451 4.3.0 fake temporary failure")
                elif mode == "5xx":
                    send("554 5.7.1 fake permanent rejection")
                elif mode == "421":
                    send("421 4.3.2 fake shutting down")
                    return
                elif mode == "close":
                    return
                elif mode == "stall":
                    time.sleep(3600)
            elif cmd == b"QUIT":
                send("221 bye")
                return
            else:
                send("250 2.0.0 ok")
    except OSError:
        pass
    finally:
        c.close()

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
while True:
    c, _ = s.accept()
    connections += 1
    log(f"connection {connections}")
    threading.Thread(target=serve, args=(c,), daemon=True).start()

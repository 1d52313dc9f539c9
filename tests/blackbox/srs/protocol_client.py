#!/usr/bin/python3
"""protocol_client.py - black-box protocol checks of a running `postseal srsd`.
Usage: protocol_client.py HOST SOCKETMAP_PORT TCP_FORWARD_PORT TCP_REVERSE_PORT
Covers socketmap and tcp_table dialogs, persistent and pipelined requests, many clients at
once, and every malformed input of docs/security.md 39. Prints "N passed, N failed"; exit 1 on failure.
The srsd under test must use SRS domain fwd.example and local domain local.example."""
import socket
import sys
import threading

HOST = sys.argv[1]
SMAP, TFWD, TREV = (int(p) for p in sys.argv[2:5])
TIMEOUT = 5.0
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (name, detail), flush=True)


def connect(port):
    s = socket.create_connection((HOST, port), timeout=TIMEOUT)
    return s


def ns(payload):
    b = payload.encode() if isinstance(payload, str) else payload
    return str(len(b)).encode() + b":" + b + b","


def read_netstring(s):
    digits = b""
    while True:
        c = s.recv(1)
        if not c:
            return None
        if c == b":":
            break
        digits += c
    n = int(digits)
    data = b""
    while len(data) < n + 1:
        chunk = s.recv(n + 1 - len(data))
        if not chunk:
            return None
        data += chunk
    assert data[-1:] == b",", data
    return data[:-1].decode()


def read_line(s):
    out = b""
    while not out.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            return None
        out += c
    return out[:-1].decode()


def closed_without_reply(s):
    """True when the server closes the connection and sent nothing."""
    try:
        data = s.recv(100)
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
    return data == b""


def smap(s, name, key):
    s.sendall(ns(name + " " + key))
    return read_netstring(s)


def socketmap_dialog():
    s = connect(SMAP)
    r = smap(s, "forward", "alice@example.com")
    check("socketmap forward", r is not None and r.startswith("OK SRS0=") and r.endswith("=example.com=alice@fwd.example"), r)
    srs = r[3:] if r else ""
    check("socketmap reverse", smap(s, "reverse", srs) == "OK alice@example.com")
    for key in [srs, "", "alice", "@example.com", "bob@local.example", "bob@fwd.example"]:
        r = smap(s, "forward", key)
        check("socketmap forward NOTFOUND %r" % key, r == "NOTFOUND ", r)
    forged = srs.replace("SRS0=", "SRS0=X", 1) if srs else "SRS0=x@fwd.example"
    for key in ["alice@example.com", forged, "SRS0=AAAA=G3=example.com=alice@fwd.example",
                "SRS0=PGkz=" + "A" * 1000 + "=example.com=alice@fwd.example", "alice", "@fwd.example"]:
        r = smap(s, "reverse", key)
        check("socketmap reverse NOTFOUND %r" % key[:40], r == "NOTFOUND ", r)
    # a NUL or other control character in a key is never rewritten (Postfix would
    # cut the address at the NUL): PERM, not an SRS address
    for key in ["a\0b@example.org", "a\rb@example.org", "a@example.org\n", "a\x7fb@example.org"]:
        r = smap(s, "forward", key)
        check("socketmap forward control char %r -> PERM" % key, r is not None and r.startswith("PERM "), r)
    r = smap(s, "nosuchmap", "alice@example.com")
    check("socketmap unknown map -> PERM", r is not None and r.startswith("PERM "), r)
    s.sendall(ns("forwardalice@example.com"))
    r = read_netstring(s)
    check("socketmap request without space -> PERM", r is not None and r.startswith("PERM "), r)
    # pipelined: two requests in one write, two replies in order
    s.sendall(ns("forward carol@example.org") + ns("reverse " + srs))
    r1, r2 = read_netstring(s), read_netstring(s)
    check("socketmap pipelined", r1 is not None and r1.startswith("OK SRS0=") and r2 == "OK alice@example.com", (r1, r2))
    # a request split over several writes
    whole = ns("forward dave@example.net")
    for i in range(0, len(whole), 3):
        s.sendall(whole[i:i + 3])
    r = read_netstring(s)
    check("socketmap request in pieces", r is not None and r.startswith("OK SRS0="), r)
    # the query limit: exactly 10,000 octets is read (and not found), one more closes
    r = smap(s, "forward", "a" * (10000 - 8))
    check("socketmap 10,000-octet query answered", r == "NOTFOUND ", r)
    s.sendall(b"10001:" + b"a" * 10001 + b",")
    check("socketmap 10,001-octet query -> closed", closed_without_reply(s))
    s.close()


def malformed_netstrings():
    cases = [b"99999999999999999999:", b"0x1:a,", b"-1:", b"3:abcX", b":abc,", b"abc"]
    for raw in cases:
        s = connect(SMAP)
        s.sendall(raw)
        check("socketmap malformed %r -> closed" % raw, closed_without_reply(s))
        s.close()
    # truncated: no comma / short data, then end of stream: closed, no reply
    for raw in [b"3:abc", b"999:short,"]:
        s = connect(SMAP)
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        check("socketmap truncated %r -> closed" % raw, closed_without_reply(s))
        s.close()


def tcp_dialog():
    f, r = connect(TFWD), connect(TREV)
    f.sendall(b"get alice@example.com\n")
    fwd = read_line(f)
    check("tcp forward 200", fwd is not None and fwd.startswith("200 SRS0="), fwd)
    srs = fwd[4:] if fwd else ""
    r.sendall(("get %s\n" % srs).encode())
    check("tcp reverse 200", read_line(r) == "200 alice@example.com")
    f.sendall(b"get a%2Bb@example.com\n")
    out = read_line(f)
    check("tcp %XX decoded", out is not None and out.startswith("200 SRS0=") and out.endswith("=example.com=a+b@fwd.example"), out)
    for line in [b"get a%zz@example.com\n", b"get a%2@example.com\n", b"put a b\n", b"hello\n",
                 b"get alice\n", b"get @example.com\n", b"get bob@local.example\n", b"get \n",
                 b"get a%00b@example.org\n", b"get a%0Db@example.org\n", b"get a%7Fb@example.org\n"]:
        f.sendall(line)
        out = read_line(f)
        check("tcp forward 500 %r" % line, out is not None and out.startswith("500 "), out)
    for line in [b"get alice@example.com\n", ("get %s\n" % srs.replace("SRS0=", "SRS0=Q", 1)).encode(),
                 b"get SRS0=PGkz=" + b"A" * 1000 + b"=example.com=alice@fwd.example\n"]:
        r.sendall(line)
        out = read_line(r)
        check("tcp reverse 500 %r" % line[:40], out is not None and out.startswith("500 "), out)
    # a line over 4,096 octets: one 500, the rest of the line skipped, the session goes on
    f.sendall(b"get " + b"a" * 5000 + b"@example.com\nget bob@example.com\n")
    out1, out2 = read_line(f), read_line(f)
    check("tcp long line -> 500", out1 is not None and out1 == "500 line%20too%20long", out1)
    check("tcp session goes on after a long line", out2 is not None and out2.startswith("200 SRS0="), out2)
    # exactly 4,096 octets with the newline is served
    key = "a" * (4096 - 5 - 12) + "@example.com"
    f.sendall(("get %s\n" % key).encode())
    out = read_line(f)
    check("tcp 4,096-octet line served", out is not None and out.startswith("500 ") and out != "500 line%20too%20long", out)
    # pipelined lines
    f.sendall(b"get x@example.com\nget y@example.com\r\n")
    a, b = read_line(f), read_line(f)
    check("tcp pipelined", a is not None and b is not None and a.startswith("200 SRS0=") and b.endswith("=y@fwd.example"), (a, b))
    f.close()
    r.close()


def many_clients(n=40, rounds=25):
    errors = []

    def worker(i):
        try:
            s = connect(SMAP)
            for j in range(rounds):
                addr = "user%d.%d@example.com" % (i, j)
                fwd = smap(s, "forward", addr)
                if not fwd or not fwd.startswith("OK "):
                    errors.append(fwd)
                    break
                if smap(s, "reverse", fwd[3:]) != "OK " + addr:
                    errors.append("reverse " + fwd)
                    break
            s.close()
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check("%d clients x %d round trips at once" % (n, rounds), not errors, errors[:3])


def still_serving():
    s = connect(SMAP)
    r = smap(s, "forward", "last@example.com")
    check("still serving after the bad input", r is not None and r.startswith("OK SRS0="), r)
    s.close()


for step in (socketmap_dialog, malformed_netstrings, tcp_dialog, many_clients, still_serving):
    try:
        step()
    except Exception as e:
        check(step.__name__, False, repr(e))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)

# milter_wire.py - speak the milter wire protocol to `postseal verifier --milter` (docs/security.md 41).
# usage: /usr/bin/python3 milter_wire.py PORT
# A packet is a 4-octet big-endian length (command octet included), the command, the data
# (docs/milter-protocol.md). As an MTA does, the client offers every protocol step and then
# waits for an answer only where the milter did not ask for none (NR_* steps).
# Cases: a good session (smoke: A-R inserted, forged A-R deleted), then hostile packets - zero
# length, oversized length, truncated packet, unknown command, body before end-of-headers,
# garbage before negotiation - each must end with the milter closing or answering sanely,
# never hanging; after each the milter must still negotiate on a new connection. Limits: a
# 70,000-octet header field (one packet above libmilter's 64 KiB default) is taken; a forged
# A-R as field 1,001 (past the 1,000-field cap) is still deleted; with max_connections = 3
# (the config milter_robustness.sh writes) a fourth connection is tempfailed at connect.
# Prints PASS/FAIL lines; exits 1 if anything failed.
import socket
import struct
import sys
import time

PORT = int(sys.argv[1]) if __name__ == "__main__" else 0  # imported: the wire helpers only
FAILS = 0


def result(ok, what):
    global FAILS
    print(("PASS: " if ok else "FAIL: ") + what)
    if not ok:
        FAILS += 1


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return s


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_packet(s):
    try:
        return read_packet_or_raise(s)
    except OSError:  # reset or timeout: no packet
        return None


def read_packet_or_raise(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    (n,) = struct.unpack(">I", head)
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return body[:1], body[1:]


# NR - the no-reply protocol step of each command (SMFIP_NR_*).
NR = {b"C": 0x1000, b"H": 0x2000, b"M": 0x4000, b"R": 0x8000, b"T": 0x10000, b"U": 0x20000,
      b"N": 0x40000, b"B": 0x80000, b"L": 0x80}
GRANTED = {}  # socket -> the protocol steps the milter asked for at negotiation


def optneg(s):
    s.sendall(packet(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF & ~0x3F)))
    r = read_packet(s)
    if r is not None and r[0] == b"O" and len(r[1]) >= 12:
        GRANTED[s] = struct.unpack(">I", r[1][8:12])[0]
    return r


def answer(s, cmd):
    """the milter's answer to command cmd: read, or continue when it asked not to answer"""
    if GRANTED.get(s, 0) & NR.get(cmd, 0):
        return (b"c", b"")
    return read_packet(s)


def closed(s):
    """True when the peer closes (EOF or reset) within the timeout."""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def still_serving(what):
    try:
        s = connect()
        r = optneg(s)
        s.close()
        result(r is not None and r[0] == b"O", f"milter still negotiates after: {what}")
    except OSError as e:
        result(False, f"milter still negotiates after: {what} ({e})")


def connect_packet():
    return packet(b"C", b"mail.client.example\0" + b"4" + struct.pack(">H", 4567) + b"192.0.2.10\0")


def envelope(s):
    """negotiate, connect, HELO, MAIL, RCPT; True when each was answered continue"""
    optneg(s)
    answers = []
    for p in (connect_packet(), packet(b"H", b"mail.client.example.com\0"),
              packet(b"M", b"<user@spf-pass.example.com>\0"), packet(b"R", b"<rcpt@dest.example>\0")):
        s.sendall(p)
        r = answer(s, p[4:5])
        answers.append(r is not None and r[0] == b"c")
    return all(answers)


def end_of_message(s):
    """EOH, one body line, EOM: the modification packets before the final answer"""
    s.sendall(packet(b"N"))
    answer(s, b"N")
    s.sendall(packet(b"B", b"body line\r\n"))
    answer(s, b"B")
    s.sendall(packet(b"E"))
    mods = []
    while True:
        r = read_packet(s)
        if r is None or r[0] in (b"c", b"a", b"r", b"t"):
            return mods, r
        mods.append(r)


def long_field():
    s = connect()
    result(envelope(s), "long field: envelope continues")
    s.sendall(packet(b"L", b"X-Long\0 " + b"a" * 70000 + b"\0"))
    r = answer(s, b"L")
    result(r is not None and r[0] == b"c", "a 70,000-octet header field: continue (not dropped)")
    if r is not None:
        mods, final = end_of_message(s)
        inserted = [d for c, d in mods if c == b"i" and b"Authentication-Results\0" in d]
        result(len(inserted) == 1 and final is not None and final[0] == b"c", "long field: A-R inserted, accepted")
    s.close()


def forged_past_field_cap():
    s = connect()
    result(envelope(s), "field cap: envelope continues")
    s.sendall(packet(b"L", b"Authentication-Results\0 other.example; spf=pass\0"))
    answer(s, b"L")
    for _ in range(999):
        s.sendall(packet(b"L", b"X-Filler\0 y\0"))
        answer(s, b"L")
    s.sendall(packet(b"L", b"Authentication-Results\0 mx.test.local; dkim=pass header.d=paypal.com\0"))
    answer(s, b"L")
    mods, final = end_of_message(s)
    deleted = [d for c, d in mods if c == b"m" and b"Authentication-Results\0" in d]
    result(len(deleted) == 1 and deleted[0][:4] == struct.pack(">I", 2),
           f"forged A-R as field 1,001: deleted (change packets {[d[:4] for d in deleted]})")
    s.close()


def connection_cap():
    held = []
    for i in range(3):
        s = connect()
        optneg(s)
        s.sendall(connect_packet())
        r = read_packet(s)
        result(r is not None and r[0] == b"c", f"connection {i + 1} of max_connections 3: continue")
        held.append(s)
    s = connect()
    optneg(s)
    s.sendall(connect_packet())
    r = read_packet(s)
    result(r is not None and r[0] == b"t", "connection 4 over max_connections 3: tempfail at connect")
    s.close()
    for h in held:
        h.sendall(packet(b"Q"))
        h.close()
    time.sleep(0.5)
    s = connect()
    optneg(s)
    s.sendall(connect_packet())
    r = read_packet(s)
    result(r is not None and r[0] == b"c", "after the others closed: a new connection continues")
    s.sendall(packet(b"Q"))
    s.close()


def good_session():
    s = connect()
    r = optneg(s)
    result(r is not None and r[0] == b"O", "option negotiation answered")
    steps = GRANTED.get(s, 0)
    result(steps & 0x80 and steps & 0x80000 and not steps & (0x1000 | 0x4000 | 0x8000),
           f"negotiation: no answers to header and body packets, answers to connect, MAIL, RCPT (0x{steps:x})")
    s.sendall(connect_packet())
    result(read_packet(s)[0] == b"c", "connect: continue")
    s.sendall(packet(b"H", b"mail.client.example.com\0"))
    result(answer(s, b"H")[0] == b"c", "helo: continue")
    s.sendall(packet(b"M", b"<user@spf-pass.example.com>\0"))
    result(read_packet(s)[0] == b"c", "mail: continue")
    s.sendall(packet(b"R", b"<rcpt@dest.example>\0"))
    result(read_packet(s)[0] == b"c", "rcpt: continue")
    for name, value in ((b"From", b" a@spf-pass.example.com"), (b"Subject", b" wire test"),
                        (b"Authentication-Results", b" mx.test.local; dkim=pass header.d=bank.example")):
        s.sendall(packet(b"L", name + b"\0" + value + b"\0"))
        result(answer(s, b"L")[0] == b"c", "header " + name.decode() + ": continue")
    s.sendall(packet(b"N"))
    result(answer(s, b"N")[0] == b"c", "eoh: continue")
    s.sendall(packet(b"B", b"body line\r\n"))
    result(answer(s, b"B")[0] == b"c", "body: continue")
    s.sendall(packet(b"E"))
    mods = []
    while True:
        r = read_packet(s)
        if r is None or r[0] in (b"c", b"a", b"r", b"t"):
            break
        mods.append(r)
    inserted = [d for c, d in mods if c == b"i" and b"Authentication-Results\0" in d]
    result(len(inserted) == 1 and b"spf=pass" in inserted[0], "eom: one A-R inserted with spf=pass")
    deleted = [d for c, d in mods if c == b"m" and b"Authentication-Results\0" in d]
    result(len(deleted) == 1, "eom: the forged A-R deleted")
    s.sendall(packet(b"Q"))
    s.close()


def hostile(what, payload, negotiate=True):
    s = connect()
    if negotiate:
        optneg(s)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR) if what.startswith("truncated") else None
    except OSError:
        pass
    result(closed(s) or what == "body before end-of-headers", f"{what}: session closed cleanly")
    s.close()
    still_serving(what)



if __name__ == "__main__":
    good_session()
    time.sleep(0.5)
    connection_cap()
    long_field()
    still_serving("a 70,000-octet header field")
    forged_past_field_cap()
    hostile("zero length", struct.pack(">I", 0))
    hostile("oversized length", struct.pack(">I", 0xFFFFFFF0) + b"B" + b"x" * 100)
    hostile("truncated packet", struct.pack(">I", 100) + b"Bshort")
    hostile("unknown command", packet(b"Z", b"whatever"))
    hostile("body before end-of-headers", packet(b"B", b"early body\r\n") + packet(b"E") + packet(b"Q"))
    hostile("garbage before negotiation", b"GET / HTTP/1.0\r\n\r\n" * 4, negotiate=False)
    print(f"milter_wire: {FAILS} failed")
    sys.exit(1 if FAILS else 0)

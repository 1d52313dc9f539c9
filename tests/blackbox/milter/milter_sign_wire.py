# milter_sign_wire.py - the signing path of `postseal verifier --milter` (milter.mode =
# "sign+verify") on the milter wire, without an MTA (docs/milter-signing.md, docs/security.md 41).
# usage: /usr/bin/python3 milter_sign_wire.py PORT VERIFIER_PID KEY_RECORD
#   KEY_RECORD: "s1._domainkey.sign.example v=DKIM1; k=rsa; p=..." (dkimpy's DNS answer)
# Cases: an internal session (client 127.0.0.1) gets one inserted DKIM-Signature that dkimpy
# verifies over the message as sent, for body chunks of every size 1-70 octets and of 1,000,
# 65,535 and 250,000 octets (one message per size, one connection reused for several); an
# outside client's message is verified (A-R inserted), not signed; an authenticated client
# ({auth_authen} at MAIL) is signed; out-of-order packets (body before end-of-headers, end
# of message without MAIL) answer without a signature and without killing the milter; a
# packet over the 256 KiB cap closes the session; a 50 MB message in 64 KiB chunks is
# signed (bh= checked against SHA-256 of its body) while the milter's peak RSS grows by less
# than 32 MB (96 MB under AddressSanitizer; VmHWM of /proc/PID/status).
# Prints PASS/FAIL lines; exits 1 if anything failed.
import base64
import time
import hashlib
import os
import re
import socket
import struct
import sys

import dkim

PORT, PID, RECORD = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
KEY_NAME, KEY_VALUE = RECORD.split(" ", 1)
FAILS = 0


def result(ok, what):
    global FAILS
    print(("PASS: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        FAILS += 1


def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return KEY_VALUE.encode() if n.lower().rstrip(".") == KEY_NAME else None


# packet / read_packet: the wire format, shared with milter_wire.py
from milter_wire import packet, read_packet  # noqa: E402


def ask(s, p):
    s.sendall(p)
    return read_packet(s)


def session(addr=b"127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    r = ask(s, packet(b"O", struct.pack(">III", 6, 0x1FF, 0)))
    assert r and r[0] == b"O", "negotiation"
    r = ask(s, packet(b"C", b"client.example\0" + b"4" + struct.pack(">H", 4567) + addr + b"\0"))
    assert r and r[0] == b"c", f"connect answered {r}"
    return s


HEADER = [(b"From", b" Alice <alice@sign.example>"), (b"To", b" bob@dest.example"),
          (b"Subject", b" wire signing"), (b"Date", b" Mon, 07 Dec 2026 03:00:00 +0000"),
          (b"Message-ID", b" <wire@sign.example>")]


def message(s, body_chunks, mail_macros=b"", header=HEADER):
    """MAIL .. EOM; returns (modification packets, final answer)"""
    if mail_macros:
        s.sendall(packet(b"D", b"M" + mail_macros))
    for p in (packet(b"M", b"<alice@sign.example>\0"), packet(b"R", b"<bob@dest.example>\0")):
        r = ask(s, p)
        if r is None or r[0] != b"c":
            return [], r
    for name, value in header:
        ask(s, packet(b"L", name + b"\0" + value + b"\0"))
    ask(s, packet(b"N"))
    for chunk in body_chunks:
        r = ask(s, packet(b"B", chunk))
        if r is None or r[0] != b"c":
            return [], r
    s.sendall(packet(b"E"))
    mods = []
    while True:
        r = read_packet(s)
        if r is None or r[0] in (b"c", b"a", b"r", b"t"):
            return mods, r
        mods.append(r)


def inserted(mods, name):
    out = []
    for c, d in mods:
        if c == b"i" and d[4:].startswith(name + b"\0"):
            out.append(d[4:].split(b"\0")[1])
    return out


def as_sent(sig_values, body):
    """the message the MTA would deliver: the inserted fields on top (LF folds -> CRLF)"""
    lines = [b"DKIM-Signature:" + v.replace(b"\n", b"\r\n") for v in sig_values]
    lines += [n + b":" + v for n, v in HEADER]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


BODY = b"".join(b"line %d of the body, with  two spaces \t and a tab\r\n" % i for i in range(40)) + b"\r\n\r\n"


def chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def every_chunk_size():
    sizes = list(range(1, 71)) + [1000, 65535, 250000]
    bad = []
    s = session()
    for n, size in enumerate(sizes):
        if n % 10 == 0 and n:  # a new connection now and then; several messages per connection
            s.sendall(packet(b"Q"))
            s.close()
            s = session()
        mods, final = message(s, chunks(BODY, size) if size < len(BODY) else [BODY])
        sigs = inserted(mods, b"DKIM-Signature")
        ok = final is not None and final[0] == b"c" and len(sigs) == 1 and \
            dkim.verify(as_sent(sigs, BODY), dnsfunc=dnsfunc)
        if not ok:
            bad.append(size)
    s.sendall(packet(b"Q"))
    s.close()
    result(not bad, f"internal mail signed and verified by dkimpy for body chunks of {len(sizes)} sizes"
           + (f" (failed: {bad[:10]})" if bad else ""))


def outside_verified_not_signed():
    s = session(b"198.51.100.5")
    mods, final = message(s, [BODY])
    result(final is not None and final[0] == b"c" and not inserted(mods, b"DKIM-Signature")
           and len(inserted(mods, b"Authentication-Results")) == 1,
           "outside client: A-R inserted, no signature")
    s.sendall(packet(b"Q"))
    s.close()


def authenticated_signed():
    s = session(b"198.51.100.5")
    mods, final = message(s, [BODY], mail_macros=b"{auth_authen}\0alice\0")
    sigs = inserted(mods, b"DKIM-Signature")
    result(len(sigs) == 1 and not inserted(mods, b"Authentication-Results") and
           dkim.verify(as_sent(sigs, BODY), dnsfunc=dnsfunc), "outside client with {auth_authen}: signed, not checked")
    s.sendall(packet(b"Q"))
    s.close()


def out_of_order():
    s = session()
    s.settimeout(2)  # libmilter drops a session out of order, or waits for the next packet
    ask(s, packet(b"M", b"<alice@sign.example>\0"))
    r = ask(s, packet(b"B", b"early body\r\n"))  # body before any header and end of headers
    s.sendall(packet(b"E"))
    mods = []
    while True:
        r = read_packet(s)
        if r is None or r[0] in (b"c", b"a", b"r", b"t"):
            break
        mods.append(r)
    result(not inserted(mods, b"DKIM-Signature"), f"body before end-of-headers: no signature (answer {r[0] if r else None})")
    s.close()
    s = session()
    s.settimeout(2)
    s.sendall(packet(b"E"))  # end of message without MAIL
    r = read_packet(s)
    result(True, f"end of message without MAIL answered {r[0] if r else 'close'}")
    s.close()
    s = session()
    mods, final = message(s, [BODY])
    result(len(inserted(mods, b"DKIM-Signature")) == 1, "after out-of-order sessions a new one is signed")
    s.close()


def oversized_packet():
    s = session()
    ask(s, packet(b"M", b"<alice@sign.example>\0"))
    try:
        s.sendall(struct.pack(">I", 300 * 1024) + b"B" + b"x" * (300 * 1024 - 1))
    except OSError:
        pass
    r = read_packet(s)
    result(r is None, "a 300 KiB packet (cap 256 KiB): session closed")
    s.close()


def peak_rss_kb():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def fifty_megabytes():
    line = b"x" * 78 + b"\r\n"
    chunk = line * (65536 // len(line))
    count = 50 * 1024 * 1024 // len(chunk)
    before = peak_rss_kb()
    s = session()
    mods, final = message(s, (chunk for _ in range(count)))
    sigs = inserted(mods, b"DKIM-Signature")
    after = peak_rss_kb()
    want = base64.b64encode(hashlib.sha256(chunk * count).digest())
    bh = re.search(rb"bh=([A-Za-z0-9+/=\s]+);", sigs[0]) if sigs else None
    got = re.sub(rb"\s", b"", bh.group(1)) if bh else b""
    result(len(sigs) == 1 and got == want, f"50 MB message signed, bh= is SHA-256 of its body")
    # AddressSanitizer keeps freed chunks in quarantine (up to 256 MB by default): its bound is wider
    bound = 96 if os.environ.get("ASAN_OPTIONS") else 32
    result(after - before < bound * 1024,
           f"50 MB message: peak RSS {before // 1024} -> {after // 1024} MB (bound +{bound} MB)")
    s.close()


for case in (every_chunk_size, outside_verified_not_signed, authenticated_signed, out_of_order,
             oversized_packet, fifty_megabytes):
    start = time.monotonic()
    case()
    print(f"  ({case.__name__}: {time.monotonic() - start:.1f} s)")
print(f"milter_sign_wire: {FAILS} failed")
sys.exit(1 if FAILS else 0)

#!/usr/bin/python3
"""import_opendkim_equivalence.py - the same messages signed by Debian's opendkim (a milter,
driven over its socket by the small milter client below) and by postseal from the config
`postseal import opendkim` made of opendkim's own config: same d=, s=, c=, postseal's h=
covering every field opendkim signed, the same i= (alice's per-address row), and both
signatures verified by dkimpy.

With MODE "multi" (MultipleSignatures yes, imported as signer.multiple_signatures = true) each
message gets several signatures: opendkim's and postseal's must be the same set of (d=, s=),
with the same i= each, and dkimpy must verify every signature of both (DKIM.verify(idx=i)).

Usage: import_opendkim_equivalence.py POSTSEAL WORKDIR [MODE] (run by
import_opendkim_equivalence.sh).
The milter client speaks milter protocol version 6 (libmilter's mfdef.h): option negotiation,
connect, MAIL, RCPT, headers, end of headers, body, end of message; it collects the header
fields the filter inserts. postseal signs through `postseal signer`, the content filter, run
by the shell script with the imported TOML (its [[signer.domain]] and [[signer.sender]] rows);
what it relays lands in fake_downstream.py's directory WORKDIR/down.
"""
import base64
import glob
import os
import smtplib
import socket
import struct
import subprocess
import sys
import time

import dkim

POSTSEAL, WORK = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "first"
DOMAIN = "example.com"
# per message: the s= and i= both must choose (alice has her own SigningTable row)
EXPECT = [("alice2026", "alice@example.com"), ("s2026", None)]
# MODE multi, per message: every (d=, s=) -> i= (alice's row and the domain's row; carol's
# row, an ESP's d=, and the domain's row)
EXPECT_MULTI = [
    {("example.com", "alice2026"): "alice@example.com", ("example.com", "s2026"): None},
    {("esp.example", "esp2026"): None, ("example.com", "s2026"): None},
]

MESSAGES = [
    b"From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: hello\r\n"
    b"Date: Sun, 06 Dec 2026 18:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHello Bob.\r\n",
    b"From: carol@example.com\r\nTo: a@example.net, b@example.org\r\nCc: c@example.net\r\n"
    b"Subject: =?utf-8?q?caf=C3=A9?=\r\nReply-To: list@example.com\r\nList-Id: <x.example.com>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nline one  \r\n\r\nline three\r\n\r\n\r\n",
]


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_packet(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            raise RuntimeError("milter closed the connection")
        head += chunk
    (length,) = struct.unpack(">I", head)
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            raise RuntimeError("milter closed the connection")
        data += chunk
    return data[:1], data[1:]


def milter_sign(port, message):
    """The DKIM-Signature fields opendkim inserts into `message`."""
    head, body = message.split(b"\r\n\r\n", 1)
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            fields[-1][1] += b"\r\n" + line
        else:
            name, value = line.split(b":", 1)
            fields.append([name, value.lstrip(b" ")])
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(packet(b"O", struct.pack(">III", 6, 0x1FF, 0)))
    cmd, data = read_packet(s)
    assert cmd == b"O", cmd
    _, _, proto = struct.unpack(">III", data[:12])
    noreply = {b"C": 0x1000, b"M": 0x4000, b"R": 0x8000, b"L": 0x80, b"N": 0x40000, b"B": 0x80000}
    skip = {b"C": 0x1, b"M": 0x4, b"R": 0x8, b"B": 0x10, b"L": 0x20, b"N": 0x40}

    def step(cmd, data=b""):
        if proto & skip.get(cmd, 0):
            return
        s.sendall(packet(cmd, data))
        if proto & noreply.get(cmd, 0):
            return
        reply, _ = read_packet(s)
        assert reply == b"c", (cmd, reply)

    s.sendall(packet(b"D", b"C" + b"j\0mail.example.com\0"))
    step(b"C", b"localhost\0" + b"4" + struct.pack(">H", 25000) + b"127.0.0.1\0")
    s.sendall(packet(b"D", b"M" + b"i\0" + b"4A1B2C3D4E\0"))
    step(b"M", b"<alice@example.com>\0")
    step(b"R", b"<bob@example.net>\0")
    for name, value in fields:
        step(b"L", name + b"\0" + value.replace(b"\r\n", b"\n") + b"\0")
    step(b"N")
    step(b"B", body)
    s.sendall(packet(b"E"))
    added = []
    while True:
        cmd, data = read_packet(s)
        if cmd in (b"h", b"i"):
            if cmd == b"i":
                data = data[4:]
            name, value = data.split(b"\0")[:2]
            added.append(name + b": " + value.replace(b"\n", b"\r\n").lstrip(b" "))
        elif cmd in (b"a", b"c"):
            break
        elif cmd in (b"t", b"r", b"d", b"y"):
            raise RuntimeError("milter refused the message: %r %r" % (cmd, data))
    s.sendall(packet(b"Q"))
    s.close()
    return [f for f in added if f.lower().startswith(b"dkim-signature:")]


def tags(field):
    value = field.split(b":", 1)[1]
    out = {}
    for part in value.replace(b"\r\n", b"").split(b";"):
        if b"=" in part:
            k, v = part.split(b"=", 1)
            out[k.strip().decode()] = b"".join(v.split()).decode()
    return out


def header_fields(message):
    """The header fields of `message`, each with its folded lines."""
    fields = []
    for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields


def postseal_sign_message(message):
    """`message` as `postseal signer` relays it (fake_downstream.py's copy)."""
    before = set(glob.glob(os.path.join(WORK, "down", "*.eml")))
    port = int(open(os.path.join(WORK, "signer_port")).read())
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.sendmail("bounce@example.com", ["bob@example.net"], message)
    s.quit()
    for _ in range(50):
        new = set(glob.glob(os.path.join(WORK, "down", "*.eml"))) - before
        if new:
            time.sleep(0.2)  # let the fake finish writing it
            break
        time.sleep(0.1)
    return open(new.pop(), "rb").read()


def postseal_sign(message):
    """The DKIM-Signature fields `postseal signer` adds to `message`."""
    before = set(glob.glob(os.path.join(WORK, "down", "*.eml")))
    port = int(open(os.path.join(WORK, "signer_port")).read())
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.sendmail("bounce@example.com", ["bob@example.net"], message)
    s.quit()
    for _ in range(50):
        new = set(glob.glob(os.path.join(WORK, "down", "*.eml"))) - before
        if new:
            break
        time.sleep(0.1)
    out = open(new.pop(), "rb").read()
    head = out.split(b"\r\n\r\n", 1)[0]
    sigs, cur = [], None
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and cur is not None:
            sigs[-1] += b"\r\n" + line
        elif line.lower().startswith(b"dkim-signature:"):
            sigs.append(line)
            cur = True
        else:
            cur = None
    return sigs


def verify_all(message, dns, who):
    """dkimpy verifies every DKIM-Signature of `message` (one verify per signature index)."""
    d = dkim.DKIM(message)
    count = sum(1 for (k, _) in d.headers if k.lower() == b"dkim-signature")
    for idx in range(count):
        assert d.verify(idx=idx, dnsfunc=dns), ("dkimpy does not verify", who, idx)
    return count


def check_multi(port, dns):
    """MultipleSignatures: the same (d=, s=, i=) set from both, every signature verified."""
    for i, msg in enumerate(MESSAGES):
        theirs = milter_sign(port, msg)
        ours = postseal_sign_message(msg)
        ours_sigs = [f for f in header_fields(ours) if f.lower().startswith(b"dkim-signature:")]
        t = {(tags(f)["d"], tags(f)["s"]): tags(f).get("i") for f in theirs}
        o = {(tags(f)["d"], tags(f)["s"]): tags(f).get("i") for f in ours_sigs}
        assert len(theirs) == len(t), ("opendkim signed twice with one key", theirs)
        assert len(ours_sigs) == len(o), ("postseal signed twice with one key", ours_sigs)
        assert t == o == EXPECT_MULTI[i], ("signature sets differ", t, o, EXPECT_MULTI[i])
        n_theirs = verify_all(b"\r\n".join(theirs) + b"\r\n" + msg, dns, "opendkim")
        n_ours = verify_all(ours, dns, "postseal")
        assert n_theirs == n_ours == len(EXPECT_MULTI[i]), (n_theirs, n_ours)
        print("ok: message %d: opendkim and postseal both signed %s; dkimpy verified all %d of each"
              % (i + 1, sorted(o), n_ours))
    print("PASS")


def main():
    port = int(open(os.path.join(WORK, "port")).read())
    records = {}
    for domain, selector, name in ((DOMAIN, "s2026", "public.b64"), (DOMAIN, "alice2026", "alice.b64"),
                                   ("esp.example", "esp2026", "esp.b64")):
        if not os.path.exists(os.path.join(WORK, name)):
            continue
        pub = open(os.path.join(WORK, name)).read().strip()
        records[b"%s._domainkey.%s." % (selector.encode(), domain.encode())] = ("v=DKIM1; k=rsa; p=" + pub).encode()

    def dns(name, timeout=5):
        return records.get(name)

    if MODE == "multi":
        return check_multi(port, dns)
    for i, msg in enumerate(MESSAGES):
        theirs = milter_sign(port, msg)
        ours = postseal_sign(msg)
        assert len(theirs) == 1 and len(ours) == 1, (theirs, ours)
        t, o = tags(theirs[0]), tags(ours[0])
        for tag in ("d", "s", "c", "a"):
            assert t.get(tag, "simple/simple" if tag == "c" else None) == o.get(tag), (tag, t, o)
        want_s, want_i = EXPECT[i]
        assert o["s"] == want_s and o.get("i") == want_i, ("s=/i=", want_s, want_i, o)
        assert t.get("i") == o.get("i"), ("i=", t, o)
        their_h = {h.lower() for h in t["h"].split(":")}
        our_h = {h.lower() for h in o["h"].split(":")}
        assert their_h <= our_h, ("postseal's h= lacks", their_h - our_h)
        for sig in (theirs[0], ours[0]):
            assert dkim.verify(sig + b"\r\n" + msg, dnsfunc=dns), ("dkimpy does not verify", sig)
        print("ok: message %d: d=%s s=%s i=%s c=%s; opendkim h=%s; postseal h=%s" % (i + 1, o["d"], o["s"], o.get("i"), o["c"], t["h"], o["h"]))
    print("PASS")


if __name__ == "__main__":
    main()

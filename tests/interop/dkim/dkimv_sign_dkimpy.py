#!/usr/bin/python3
# dkimv_sign_dkimpy.py - build the hard-case corpus and sign it with dkimpy (python3-dkim) for
# tests/interop/dkim_verify_peers.sh.
#
# Usage: dkimv_sign_dkimpy.py OUTDIR RSA_KEY ED25519_KEY
# Writes OUTDIR/dkimpy-ALG-CANON-CASE.eml (RSA-SHA256 and Ed25519-SHA256, simple/simple and
# relaxed/relaxed), a tampered copy of each as *.tampered.eml, and OUTDIR/cases.txt. Keys: an
# RSA PEM and dkimpy's Ed25519 format (base64 seed); d=example.com, s=rsa / s=ed.
import os
import sys

import dkim


def corpus():
    """The hard cases: (name, header block, body), LF line ends; dkimpy signs with CRLF."""
    base = (b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\n"
            b"Subject: Is dinner ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
            b"Message-ID: <20030712040037.46341.5F8J@example.com>\r\n")
    folded = (b"Subject: " + b" ".join([b"word%d" % n for n in range(120)]).replace(
        b"word40 ", b"word40\r\n\t").replace(b"word80 ", b"word80\r\n    ") + b"\r\n")
    return [
        ("plain", base, b"Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n"),
        ("empty-body", base, b""),
        ("no-final-crlf", base, b"line one\r\nline two without end"),
        ("trailing-blank-lines", base, b"text\r\n\r\n\r\n\r\n"),
        ("whitespace-runs", base, b"a  b\t\tc \t d   \r\n  leading\r\ntrailing \t \r\n\t\r\n"),
        ("leading-dots", base, b".\r\n..two\r\n.three\r\nend\r\n"),
        ("eight-bit", base.replace(b"Suzie Q", b"Suzie \xc3\x9f\xe9"),
         b"caf\xc3\xa9 \xff\xfe bytes\r\n\xe2\x82\xac 100\r\n"),
        ("long-folded-header",
         base.replace(b"Subject: Is dinner ready?\r\n", folded), b"body\r\n"),
        ("998-octet-lines", base, (b"x" * 998 + b"\r\n") * 3 + b"y" * 997 + b" \r\n"),
    ]


def tamper(message):
    """Change one body octet (or add a body line when the body is empty)."""
    head, sep, body = message.partition(b"\r\n\r\n")
    if body.strip():
        i = next(n for n, c in enumerate(body) if c not in b"\r\n \t")
        body = body[:i] + (b"Z" if body[i:i + 1] != b"Z" else b"Y") + body[i + 1:]
    else:
        body = b"appended\r\n"
    return head + sep + body


def main():
    out, rsa_path, ed_path = sys.argv[1:4]
    keys = {"rsa": (b"rsa", b"rsa-sha256", open(rsa_path, "rb").read()),
            "ed25519": (b"ed", b"ed25519-sha256", open(ed_path, "rb").read())}
    names = []
    for case, head, body in corpus():
        message = head + b"\r\n" + body
        for alg, (selector, algorithm, key) in keys.items():
            for canon in (b"simple", b"relaxed"):
                sig = dkim.sign(message, selector, b"example.com", key,
                                canonicalize=(canon, canon), signature_algorithm=algorithm,
                                linesep=b"\r\n")
                name = "dkimpy-%s-%s-%s" % (alg, canon.decode(), case)
                with open(os.path.join(out, name + ".eml"), "wb") as f:
                    f.write(sig + message)
                with open(os.path.join(out, name + ".tampered.eml"), "wb") as f:
                    f.write(tamper(sig + message))
                names.append(name)
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()

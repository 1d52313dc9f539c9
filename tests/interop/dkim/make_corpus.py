#!/usr/bin/python3
"""make_corpus.py DIR - write the DKIM signing interop corpus: one message per hard case.

Cases (docs/security.md 17): empty body, no final newline, trailing blank lines, whitespace runs,
lines starting with '.', 8-bit octets in header and body, long folded headers, 998-octet
lines, CRLF and LF input, repeated fields that oversigning must cover, and RFC 8058 one-click
unsubscribe fields (signed and oversigned when present: docs/security.md 16).
"""
import os
import sys

HEAD = (b"From: Alice Example <alice@example.com>\n"
        b"To: Bob <bob@example.net>\n"
        b"Subject: interop case\n"
        b"Date: Mon, 23 Nov 2026 01:00:00 +0000\n"
        b"Message-ID: <case-%s@example.com>\n"
        b"MIME-Version: 1.0\n")


def message(name, body, extra=b""):
    return HEAD % name.encode() + extra + b"\n" + body


def cases():
    long_to = b"To: " + b",\n\t".join(b"user%d@example.net" % i for i in range(40)) + b"\n"
    long_subject = b"X-Long: " + b" ".join([b"word"] * 60) + b"\n"
    folded = b"Subject2: first part\n   second  part \t\n\tthird\n"
    yield "empty_body", message("empty", b"")
    yield "only_newlines", message("nl", b"\n\n\n")
    yield "no_final_newline", message("nofinal", b"line one\nlast line without newline")
    yield "trailing_blank_lines", message("trailing", b"text\n\n\n\n")
    yield "whitespace_runs", message("wsp", b"a  \t b   \t\n  \t\n\t lead\nend \t \n")
    yield "dot_lines", message("dots", b".\n..\n.leading dot\n...three\n")
    yield "eight_bit", message("8bit", "café ÿ \xe9 naïve\n".encode("utf-8") + b"\xff\xfe raw\n",
                               "X-Utf8: Grüße\n".encode() + b"Content-Type: text/plain; charset=utf-8\n"
                               b"Content-Transfer-Encoding: 8bit\n")
    yield "long_folded_headers", message("folded", b"body\n", long_to + long_subject + folded)
    yield "line_998", message("998", b"x" * 998 + b"\n" + b"y " * 499 + b"\n" + b"z" * 998)
    yield "crlf_input", message("crlf", b"crlf line\n\nsecond paragraph  \n").replace(b"\n", b"\r\n")
    yield "repeated_fields", message("rep", b"hi\n", b"Cc: c1@example.net\nCc: c2@example.net\n"
                                     b"Reply-To: r@example.com\nReferences: <a@x> <b@x>\n"
                                     b"List-Id: <list.example.com>\n")
    yield "one_click_unsubscribe", message("unsub", b"news\n",
                                           b"List-Unsubscribe: <https://example.com/u/b7Kz>,\n"
                                           b" <mailto:unsub@example.com?subject=b7Kz>\n"
                                           b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in cases():
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

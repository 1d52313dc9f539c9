# sign.py - sign a message with dkimpy (the Debian peer), for the front-end integration tests.
# usage: /usr/bin/python3 sign.py KEYFILE SELECTOR DOMAIN ALGORITHM < message > signed
#   ALGORITHM: rsa-sha256 or ed25519-sha256. The message is read as bytes (CRLF or LF).
import sys
import dkim

key_file, selector, domain, algorithm = sys.argv[1:5]
message = sys.stdin.buffer.read()
with open(key_file, "rb") as f:
    key = f.read()
if algorithm == "ed25519-sha256":
    key = key.strip()
sig = dkim.sign(message, selector.encode(), domain.encode(), key,
                signature_algorithm=algorithm.encode(),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
sys.stdout.buffer.write(sig + message)

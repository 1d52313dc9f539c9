#!/usr/bin/python3
"""pysrs_peer.py - pysrs (Debian python3-srs) as a line-oriented peer for the interop test.
Usage: pysrs_peer.py NOW SEPARATOR HASHLEN ALIAS SECRET [SECRET...] < lines "forward|reverse<TAB>address"
Prints one line per input: "OK:<address>" or "ERR:<message>". The clock is pinned to NOW."""
import sys
import time

NOW = int(sys.argv[1])
time.time = lambda: NOW
import SRS  # noqa: E402  (after the clock is pinned)

sep, hashlen, alias, secrets = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
srs = SRS.new(secret=secrets, maxage=21, hashlength=hashlen, hashmin=hashlen, separator=sep)
for line in sys.stdin:
    op, addr = line.rstrip("\n").split("\t", 1)
    try:
        out = srs.forward(addr, alias) if op == "forward" else srs.reverse(addr)
        print("OK:" + out, flush=True)
    except Exception as e:  # pysrs signals every refusal with an exception
        print("ERR:" + " ".join(str(e).split()), flush=True)

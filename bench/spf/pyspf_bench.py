#!/usr/bin/python3
# pyspf_bench.py ZONE SECONDS IP... - pyspf check2 evaluations per second (one core) on the
# bench zone, DNS answered from memory (a warm cache: no network), each IP in turn.
import shlex
import sys
import time

import spf


def load_zone(path):
    zone = {}
    for line in open(path, encoding="ascii"):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        parts = shlex.split(line)
        name, rtype, data = parts[0].lower(), parts[1], parts[2:]
        if rtype == "MX":
            value = (int(data[0]), data[1])
        elif rtype == "TXT":
            value = [s.encode("ascii") for s in data]
        else:
            value = data[0]
        zone.setdefault(name, []).append((rtype, value))
    return zone


zone = load_zone(sys.argv[1])
spf.DNSLookup = lambda name, qtype, *a, **k: [((name, t), v) for t, v in zone.get(name.lower().rstrip("."), []) if t == qtype]
seconds = float(sys.argv[2])
ips = sys.argv[3:]
n = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    for ip in ips:
        spf.check2(i=ip, s="user@example.com", h="mail.example.org")
        n += 1
print("%.1f" % (n / (time.perf_counter() - start)))

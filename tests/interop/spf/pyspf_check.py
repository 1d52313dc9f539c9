#!/usr/bin/python3
# pyspf_check.py ZONE CASES - print pyspf's check2 result for every case, one per line, with
# DNS answered from ZONE (the same file postseal reads with --dns-zone) by replacing
# spf.DNSLookup. TIMEOUT names raise spf.TempError like a real timeout.
import shlex
import sys

import spf


def load_zone(path):
    zone = {}
    timeouts = set()
    for line in open(path, encoding="ascii"):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        parts = shlex.split(line, posix=True)
        name, rtype, data = parts[0].lower().rstrip("."), parts[1].upper(), parts[2:]
        if rtype == "TIMEOUT":
            timeouts.add(name)
            continue
        if rtype in ("A", "AAAA", "PTR"):
            value = data[0].rstrip(".") if rtype == "PTR" else data[0]
        elif rtype == "MX":
            value = (int(data[0]), data[1].rstrip("."))
        elif rtype == "TXT":
            value = [s.encode("ascii") for s in data]
        else:
            raise SystemExit(f"unsupported type {rtype}")
        zone.setdefault(name, []).append((rtype, value))
    return zone, timeouts


def main():
    zone, timeouts = load_zone(sys.argv[1])

    def lookup(name, qtype, *args, **kwargs):
        key = name.lower().rstrip(".")
        records = [((name, t), v) for t, v in zone.get(key, []) if t == qtype]
        if not records and key in timeouts:
            raise spf.TempError("DNS timeout")
        return records

    spf.DNSLookup = lookup
    for line in open(sys.argv[2], encoding="ascii"):
        if not line.strip() or line.startswith("#"):
            continue
        ip, sender, helo = line.split()
        sender = "" if sender == "-" else sender
        result, _explanation = spf.check2(i=ip, s=sender, h=helo)
        print(result)


main()

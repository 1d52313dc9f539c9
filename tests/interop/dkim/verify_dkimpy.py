#!/usr/bin/python3
"""verify_dkimpy.py DNSFILE EXPECT MSG... - verify every DKIM-Signature with dkimpy.

DNSFILE has lines "NAME TXT-VALUE" (the key records, served through dkimpy's dnsfunc hook;
no network). EXPECT is "pass" (every signature must verify) or "fail" (none may verify).
Prints one line per message and signature; exits 1 if any message is not as expected.
"""
import sys

import dkim


def load_zone(path):
    zone = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                name, value = line.split(" ", 1)
                zone[name.rstrip(".").lower() + "."] = value.encode()
    return zone


def main():
    zone = load_zone(sys.argv[1])
    expect = sys.argv[2]

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        return zone.get(key.rstrip(".").lower() + ".")

    bad = 0
    for path in sys.argv[3:]:
        with open(path, "rb") as f:
            msg = f.read()
        d = dkim.DKIM(msg, minkey=1024)
        count = sum(1 for h in d.headers if h[0].lower() == b"dkim-signature")
        results = []
        for idx in range(count):
            try:
                results.append(bool(d.verify(idx=idx, dnsfunc=dnsfunc)))
            except dkim.DKIMException as e:
                print("%s: sig %d: %s" % (path, idx, e))
                results.append(False)
        ok = count > 0 and (all(results) if expect == "pass" else not any(results))
        print("%s: dkimpy %s %s" % (path, results, "ok" if ok else "UNEXPECTED (wanted %s)" % expect))
        bad += 0 if ok else 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

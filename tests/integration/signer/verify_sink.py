# verify_sink.py - check smtp-sink dumps: every expected token arrives exactly once, and every
# DKIM-Signature verifies with dkimpy against the given key records.
# usage: verify_sink.py SINKDIR RECORDS_FILE TOKEN_PREFIX COUNT [--expect-alg domain=alg1,alg2 ...]
# RECORDS_FILE: lines "selector._domainkey.domain. TXT-value".
import os, re, sys
import dkim

sink, records_file, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
expect = {}
for arg in sys.argv[5:]:
    d, algs = arg.split("=", 1)
    expect[d] = sorted(a for a in algs.split(",") if a)
records = {}
for line in open(records_file):
    name, value = line.rstrip("\n").split(" ", 1)
    records[name.lower().rstrip(".")] = value.encode()

def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return records.get(n.lower().rstrip("."))

def load(path):
    data = open(path, "rb").read().split(b"\n")
    i = 0
    while i < len(data) and data[i].startswith(b"X-") and b":" in data[i] and not data[i].startswith(b"X-Test"):
        i += 1
    return b"\r\n".join(data[i:])

seen = {}
failures = []
for f in sorted(os.listdir(sink)):
    msg = load(os.path.join(sink, f))
    m = re.search(rb"X-Test-Token: (" + re.escape(prefix.encode()) + rb"[0-9]+)", msg)
    if not m:
        continue
    token = m.group(1).decode()
    seen[token] = seen.get(token, 0) + 1
    header = msg.split(b"\r\n\r\n", 1)[0] + b"\r\n"  # a bounce quotes the original's signatures in its body
    sigs = re.findall(rb"^DKIM-Signature:.*?(?=\r\n[^ \t])", header, re.S | re.M)
    dom = re.search(rb"^From:.*@([A-Za-z0-9.-]+)", msg, re.M).group(1).decode().lower()
    algs = sorted(re.search(rb"a=([a-z0-9-]+)", s).group(1).decode() for s in sigs)
    if dom in expect and algs != expect[dom]:
        failures.append(f"{token}: signatures {algs}, expected {expect[dom]}")
        continue
    d = dkim.DKIM(msg)
    for idx in range(len(sigs)):
        if not d.verify(idx=idx, dnsfunc=dnsfunc):
            failures.append(f"{token}: signature {idx} ({algs}) does not verify")
missing = [f"{prefix}{i}" for i in range(count) if f"{prefix}{i}" not in seen]
dups = [t for t, n in seen.items() if n > 1]
if missing:
    failures.append(f"missing at sink: {' '.join(missing[:20])}{' ...' if len(missing) > 20 else ''} ({len(missing)})")
if dups:
    failures.append(f"duplicates: {' '.join(dups[:20])}")
for f in failures[:30]:
    print("FAIL:", f)
print(f"{len(seen)} of {count} messages at the sink, {len(failures)} problem(s)")
sys.exit(1 if failures else 0)

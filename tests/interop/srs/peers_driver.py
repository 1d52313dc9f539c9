#!/usr/bin/python3
"""peers_driver.py - drives postseal, Mail::SRS and pysrs on the same generated inputs.
Usage: peers_driver.py POSTSEAL HELPER_DIR TMPDIR. Prints "N passed, N failed"."""
import os
import random
import string
import subprocess
import sys

POSTSEAL, HELPERS, TMP = sys.argv[1:4]
rng = random.Random(os.urandom(8))
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (name, detail), flush=True)


def peer(cmd, now, sep, hashlen, alias, secrets, ops):
    text = "".join("%s\t%s\n" % op for op in ops)
    out = subprocess.run(cmd + [str(now), sep, str(hashlen), alias] + secrets, input=text,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return out.splitlines()


def ours(op, addr, now, sep, hashlen, alias, secrets_file):
    p = subprocess.run([POSTSEAL, "srs", op, "--now", str(now), "--separator", sep,
                        "--hash-length", str(hashlen), "--domain", alias,
                        "--secrets-file", secrets_file, "--", addr],
                       capture_output=True, text=True, timeout=30)
    return "OK:" + p.stdout.strip() if p.returncode == 0 else "ERR:" + p.stderr.strip()


def word(n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def gen_address():
    local = word(rng.randint(1, 20), string.ascii_letters + string.digits + "._+-=")
    domain = ".".join(word(rng.randint(2, 10), string.ascii_lowercase + string.digits) for _ in range(rng.randint(2, 3)))
    if rng.random() < 0.2:  # an SRS0 address of another forwarder: we make SRS1
        s = rng.choice("=+-")
        local = "SRS0%s%s=%s=%s=%s" % (s, word(4), rng.choice(string.ascii_uppercase) + rng.choice("234567"),
                                     domain, local)
        domain = "first%s.example" % word(3, string.ascii_lowercase)
    return "%s@%s" % (local, domain)


def secrets_file(secrets, name):
    path = os.path.join(TMP, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ("\n".join(secrets) + "\n").encode())
    os.close(fd)
    return path


def forge(address):
    # change one hash character to another letter (not just its case)
    tag = address[:5]
    h = address[5:address.index("=", 5)]
    i = rng.randrange(len(h))
    c = rng.choice([x for x in string.ascii_letters + string.digits if x.lower() != h[i].lower()])
    return tag + h[:i] + c + address[5 + len(h):]


def run_round(sep, hashlen, n):
    now = rng.randint(1_500_000_000, 2_000_000_000)
    alias = "fwd%s.example" % word(4, string.ascii_lowercase)
    secrets = [word(rng.randint(8, 80), string.ascii_letters + string.digits + " !#%&")]
    sfile = secrets_file(secrets, "s%d" % hashlen)
    addrs = [gen_address() for _ in range(n)]
    perl = ["/usr/bin/perl", os.path.join(HELPERS, "mail_srs.pl")]
    py = ["/usr/bin/python3", os.path.join(HELPERS, "pysrs_peer.py")]
    fwd_ops = [("forward", a) for a in addrs]
    p_fwd = peer(perl, now, sep, hashlen, alias, secrets, fwd_ops)
    y_fwd = peer(py, now, sep, hashlen, alias, secrets, fwd_ops)
    o_fwd = [ours("forward", a, now, sep, hashlen, alias, sfile) for a in addrs]
    label = "sep %s hash %d" % (sep, hashlen)
    for a, o, p, y in zip(addrs, o_fwd, p_fwd, y_fwd):
        check("%s forward %s: ours == Mail::SRS == pysrs" % (label, a), o == p == y, (o, p, y))
    srs = [o[3:] for o in o_fwd if o.startswith("OK:")]
    back_ops = [("reverse", s) for s in srs]
    later = now + rng.randint(0, 21 * 86400)  # still valid
    p_rev = peer(perl, later, sep, hashlen, alias, secrets, back_ops)
    y_rev = peer(py, later, sep, hashlen, alias, secrets, back_ops)
    o_rev = [ours("reverse", s, later, sep, hashlen, alias, sfile) for s in srs]
    for s, o, p, y in zip(srs, o_rev, p_rev, y_rev):
        check("%s reverse %s: all agree" % (label, s), o == p == y and o.startswith("OK:"), (o, p, y))
    # forged hashes: everyone refuses
    forged = [forge(s) for s in srs[:10]]
    p_bad = peer(perl, now, sep, hashlen, alias, secrets, [("reverse", f) for f in forged])
    y_bad = peer(py, now, sep, hashlen, alias, secrets, [("reverse", f) for f in forged])
    for f, p, y in zip(forged, p_bad, y_bad):
        o = ours("reverse", f, now, sep, hashlen, alias, sfile)
        check("%s forged %s refused by all" % (label, f), o.startswith("ERR:bad hash") and p.startswith("ERR:") and y.startswith("ERR:"), (o, p, y))
    # expired: 22 days later everyone refuses
    expired = [s for s in srs if s.upper().startswith("SRS0")][:5]
    p_old = peer(perl, now + 22 * 86400, sep, hashlen, alias, secrets, [("reverse", s) for s in expired])
    for s, p in zip(expired, p_old):
        o = ours("reverse", s, now + 22 * 86400, sep, hashlen, alias, sfile)
        check("%s expired %s refused by both" % (label, s), o.startswith("ERR:expired") and p.startswith("ERR:"), (o, p))
    # rotation: a new first secret; addresses signed by the old one still reverse
    rotated = ["new-" + word(16)] + secrets
    rfile = secrets_file(rotated, "r%d" % hashlen)
    p_rot = peer(perl, now, sep, hashlen, alias, rotated, [("reverse", s) for s in srs[:5]])
    for s, p in zip(srs[:5], p_rot):
        o = ours("reverse", s, now, sep, hashlen, alias, rfile)
        check("%s rotated secret reverses %s" % (label, s), o == p and o.startswith("OK:"), (o, p))


for sep, hashlen, n in (("=", 4, 60), ("+", 6, 25), ("-", 8, 25)):
    run_round(sep, hashlen, n)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed == 0 else 0)

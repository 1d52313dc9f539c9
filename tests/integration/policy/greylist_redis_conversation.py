#!/usr/bin/python3
"""greylist_redis_conversation.py PORT_A PORT_B DELAY TIMEOUT_MS CTL - ask two greylisting
policy services sharing one Redis (tests/integration/greylist_redis.sh); the Redis actions
(freeze, kill, start) are asked of the shell script by writing CTL and waiting for CTL.done.
Prints PASS/FAIL lines and the answer times during the outage; exit 0 when all pass."""
import os
import socket
import sys
import time

port_a, port_b, delay, timeout_ms, ctl = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5]
# an answer during the outage waits for the store's timeout once, then the service gives up;
# the slack is for scheduling on a busy machine; beyond this it counts as hanging
BOUND_S = (timeout_ms + 250) / 1000.0
failed = False
n = 0


def check(name, good, detail=""):
    global failed
    print(("PASS: " if good else "FAIL: ") + name + ("" if good else f": {detail}"))
    failed = failed or not good


class Service:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.s.makefile("rw")

    def ask(self, ip, sender, recipient):
        global n
        n += 1
        self.f.write(f"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
                     f"client_address={ip}\nclient_name=unknown\nhelo_name=mx.other.example\n"
                     f"sender={sender}\nrecipient={recipient}\ninstance=i.{n}\n\n")
        self.f.flush()
        t = time.monotonic()
        lines = []
        while True:
            line = self.f.readline()
            if line in ("", "\n"):
                break
            lines.append(line.rstrip("\n"))
        return " ".join(lines) or "<connection closed>", time.monotonic() - t


def redis(action):
    open(ctl + ".tmp", "w").write(action)
    os.rename(ctl + ".tmp", ctl)
    for _ in range(300):
        if os.path.exists(ctl + ".done"):
            os.unlink(ctl + ".done")
            return
        time.sleep(0.05)
    check(f"redis {action}", False, "the script did not answer")
    sys.exit(1)


DEFER = "action=DEFER_IF_PERMIT 4.7.1 Greylisted"
a, b = Service(port_a), Service(port_b)
start = time.monotonic()
got, _ = a.ask("198.51.100.7", "user@other.example", "r1@dest.example")
check("first seen on A: deferred", got.startswith(DEFER), got)
time.sleep(max(0.0, delay + 1.0 - (time.monotonic() - start)))
got, _ = b.ask("198.51.100.9", "user@other.example", "r1@dest.example")
check("never seen on B, asked on B after the delay: passes", got.startswith("action=PREPEND Received-SPF: none"), got)
got, _ = a.ask("198.51.100.7", "user@other.example", "r1@dest.example")
check("on A after it passed: passes", got.startswith("action=PREPEND Received-SPF: none"), got)
got, _ = a.ask("203.0.113.5", "x@other.example", "r2@dest.example")
check("a new triplet before the outage: deferred", got.startswith(DEFER), got)

times = []
for phase, done in (("freeze", "frozen (SIGSTOP)"), ("kill", "killed")):
    redis(phase)
    for i in range(10):
        svc = a if i % 2 == 0 else b
        got, secs = svc.ask(f"203.0.113.{100 + i}", f"new{i}-{phase}@other.example", "r3@dest.example")
        times.append(secs)
        if got.startswith(DEFER) or not got.startswith("action="):
            check(f"redis {phase}: a new triplet not deferred", False, got)
            break
        if secs > BOUND_S:
            check(f"redis {phase}: answer within {BOUND_S * 1000:.0f} ms", False, f"{secs * 1000:.0f} ms")
            break
    else:
        check(f"redis {done}: 10 new triplets answered without deferral, none slower than "
              f"{BOUND_S * 1000:.0f} ms", True)
times.sort()
print(f"outage answer times: median {times[len(times) // 2] * 1000:.1f} ms, "
      f"max {times[-1] * 1000:.1f} ms (state.timeout_ms {timeout_ms}, bound {BOUND_S * 1000:.0f} ms)")

redis("start")
for svc, name in ((a, "A"), (b, "B")):
    deadline = time.monotonic() + 10
    while True:
        got, _ = svc.ask("203.0.113.200", f"after-{name}@other.example", "r4@dest.example")
        if got.startswith(DEFER) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(f"Redis back: {name} defers a new triplet again", got.startswith(DEFER), got)
sys.exit(1 if failed else 0)

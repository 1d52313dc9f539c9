#!/usr/bin/python3
"""placement.py - which threads of a daemon serve two persistent connections.

Usage: placement.py PID PORT N

Opens two connections to srsd's tcp_table at 127.0.0.1:PORT and sends N requests on each, alternately, waiting
for each answer (as Postfix does). Around that it reads voluntary_ctxt_switches of every
thread of PID (/proc/PID/task/*/status): a thread that waits for the next request between
answers blocks once per request it serves. Prints `loop D busy B` (D: switches of the daemon's
main thread, TID = PID, which keeps signals and listeners; B: threads with at least N/2) and
exits 1 unless the main thread served none of them (D < N/10) and two other threads did.
"""
import os, socket, sys

def switches(pid):
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            for line in open("/proc/%d/task/%s/status" % (pid, tid)):
                if line.startswith("voluntary_ctxt_switches:"):
                    out[int(tid)] = int(line.split()[1])
        except OSError:
            pass  # the thread ended
    return out


def ask(sock, i):
    sock.sendall(b"get user%d@example.org\n" % i)
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("connection closed after %d requests" % i)
        data += chunk
    return data


def main():
    pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    conns = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(2)]
    for c in conns:
        ask(c, 0)  # accepted and placed before counting
    before = switches(pid)
    for i in range(1, n + 1):
        for c in conns:
            ask(c, i)
    after = switches(pid)
    delta = {t: after[t] - before.get(t, 0) for t in after}
    loop = delta.get(pid, 0)
    busy = sorted((t for t in delta if t != pid and delta[t] >= n // 2))
    print("loop %d busy %d (%s)" % (loop, len(busy), ", ".join("%d:%d" % (t, delta[t]) for t in busy)))
    sys.exit(0 if loop < n // 10 and len(busy) >= 2 else 1)


main()

# threads_stress.py - 8 clients x 400 policy requests against `postseal verifier` with 4 io
# threads; a third of the senders are unique names (cache misses that reach libunbound from
# every thread at once). Every answer must arrive and be the right one. usage: PORT
import socket, sys, threading
port = int(sys.argv[1]); errors = []; counts = [0]
lock = threading.Lock()
def worker(k):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    for i in range(400):
        dom = ["hforge.example.com", "fail.example.com", f"nx{k}-{i}.example.net"][i % 3]
        ip = "81.169.145.9" if i % 3 == 0 else "198.51.100.9"
        req = (f"request=smtpd_access_policy\nprotocol_state=RCPT\nhelo_name=h{k}-{i}.example.org\n"
               f"sender=u@{dom}\nrecipient=r@x\nclient_address={ip}\nclient_name=unknown\ninstance={k}.{i}\n\n")
        s.sendall(req.encode())
        line = f.readline().decode(); f.readline()
        want = ["action=PREPEND Received-SPF: pass", "action=550 5.7.23", "action=PREPEND Received-SPF: none"][i % 3]
        if not line.startswith(want):
            with lock: errors.append((k, i, line.strip()[:80]))
        with lock: counts[0] += 1
ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print("answers", counts[0], "errors", len(errors), errors[:3])
sys.exit(1 if errors or counts[0] != 3200 else 0)

#!/usr/bin/python3
"""greylist_conversation.py POSTSEAL CONFIG ZONE DELAY - drive one `postseal policy --greylist`
over stdin/stdout (as master.cf spawn runs it) through a greylisting conversation; exit 0
when every answer is the expected one, printing PASS/FAIL lines."""
import subprocess
import sys
import time

postseal, config, zone, delay = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
failed = False


def check(name, got, want_prefix):
    global failed
    if got.startswith(want_prefix):
        print(f"PASS: {name}: {want_prefix}")
    else:
        failed = True
        print(f"FAIL: {name}: want '{want_prefix}...', got '{got}'")


def request(sender, ip, instance, recipient):
    return (f"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
            f"client_address={ip}\nclient_name=unknown\nhelo_name=mx.sender.example\n"
            f"sender={sender}\nrecipient={recipient}\ninstance={instance}\n\n")


proc = subprocess.Popen([postseal, "policy", "--greylist", "-c", config, "--dns-zone", zone,
                         "--authserv-id", "mx.test.example", "--log", "stderr"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def ask(text):
    proc.stdin.write(text)
    proc.stdin.flush()
    lines = []
    while True:
        line = proc.stdout.readline()
        if line == "":
            return "<connection closed>"
        if line == "\n":
            return "".join(lines).rstrip("\n")
        lines.append(line)


start = time.monotonic()
check("first attempt, recipient 1", ask(request("Alice@sender.example", "192.0.2.10", "m.1", "r1@dest.example")),
      "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in ")
check("first attempt, recipient 2", ask(request("Alice@sender.example", "192.0.2.10", "m.1", "r2@dest.example")),
      "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in ")
check("early retry", ask(request("alice@sender.example", "192.0.2.11", "m.2", "r1@dest.example")),
      "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in ")
check("SPF fail is rejected, not greylisted", ask(request("x@fail.example", "192.0.2.10", "m.3", "r1@dest.example")),
      "action=550 5.7.23 ")
time.sleep(max(0.0, delay + 1.2 - (time.monotonic() - start)))
# the retry from another address of the same /24: recipient 1 carries Received-SPF (it wins
# when both would be prepended), recipient 2 the X-Greylist header
check("retry after the delay, recipient 1", ask(request("alice@sender.example", "192.0.2.12", "m.4", "r1@dest.example")),
      "action=PREPEND Received-SPF: pass ")
got = ask(request("alice@sender.example", "192.0.2.12", "m.4", "r2@dest.example"))
check("retry after the delay, recipient 2", got, "action=PREPEND X-Greylist: delayed ")
check("X-Greylist names the host", got.split(" by ", 1)[-1], "postseal-")
if " at mx.test.example; " not in got or not got.endswith("+0000"):
    failed = True
    print(f"FAIL: X-Greylist host and RFC 5322 date: {got}")
check("already passed triplet", ask(request("alice@sender.example", "192.0.2.10", "m.5", "r1@dest.example")),
      "action=PREPEND Received-SPF: pass ")
check("a new recipient is greylisted", ask(request("alice@sender.example", "192.0.2.10", "m.5", "r9@dest.example")),
      "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in ")
proc.stdin.close()
proc.wait(timeout=10)
sys.exit(1 if failed else 0)

# conversations.py - policy protocol conversations with `postseal policy` (stdin/stdout) and
# `postseal verifier` (TCP) resolving through a real unbound: the docs/compat.md, seed 000 examples, every
# policy option changing the answer it should, per-instance state, malformed requests
# (docs/security.md 40). usage: conversations.py POSTSEAL DNS_PORT VERIFIER_PORT
import socket, subprocess, sys

postseal, dns_port, verifier_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
failures = 0

def check(cond, what, got=""):
    global failures
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else "\n  got: %r" % got), flush=True)
    failures += 0 if cond else 1

def request(sender, ip, helo, instance="", recipient="falko@example.de", name="unknown"):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=SMTP\n"
            f"helo_name={helo}\nqueue_id=8045F2AB23\nsender={sender}\nrecipient={recipient}\n"
            f"client_address={ip}\n" + (f"client_name={name}\n" if name else "") +
            (f"instance={instance}\n" if instance else "") + "\n")

def policy(requests, *options):
    """Run `postseal policy` with OPTIONS on the requests; its answers, one per request."""
    p = subprocess.run([postseal, "policy", "--dns", "127.0.0.1@" + dns_port, "--authserv-id", "mx.example.org",
                        "--cache-ttl", "0", *options], input="".join(requests).encode(),
                       capture_output=True, timeout=30)
    out = p.stdout.decode()
    return [a + "\n\n" for a in out.split("\n\n") if a]

def ask(req, *options):
    got = policy([req], *options)
    return got[0] if got else ""

# --- docs/compat.md, seed 000: the perl daemon's examples, reproduced (RFC 7208 9.1 says identity=mailfrom
# where the perl daemon prints identity=mfrom; the RFC decides).
check(ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com")) ==
      "action=PREPEND Received-SPF: pass (hforge.example.com: 81.169.145.90 is authorized to use "
      "'info@hforge.example.com' in 'mfrom' identity (mechanism 'ip4:81.169.145.0/24' matched)) "
      "receiver=mx.example.org; identity=mailfrom; envelope-from=\"info@hforge.example.com\"; "
      "helo=hforge.example.com; client-ip=81.169.145.90\n\n", "docs/compat.md, seed 000: pass via ip4")
check(ask(request("info@hforge.example.com", "1.2.3.4", "hforge.example.com", name="www.example.com")) ==
      "action=PREPEND Received-SPF: softfail (hforge.example.com: Sender is not authorized by default "
      "to use 'info@hforge.example.com' in 'mfrom' identity, however domain is not currently prepared "
      "for false failures (mechanism '~all' matched)) receiver=mx.example.org; identity=mailfrom; "
      "envelope-from=\"info@hforge.example.com\"; helo=hforge.example.com; client-ip=1.2.3.4\n\n",
      "docs/compat.md, seed 000: softfail via ~all")
check(ask(request("", "81.169.145.90", "hforge.example.com")) ==
      "action=PREPEND Received-SPF: pass (hforge.example.com: 81.169.145.90 is authorized to use "
      "'hforge.example.com' in 'helo' identity (mechanism 'ip4:81.169.145.0/24' matched)) "
      "receiver=mx.example.org; identity=helo; helo=hforge.example.com; client-ip=81.169.145.90\n\n",
      "docs/compat.md, seed 000: null sender judged on HELO")

# --- defaults (the perl daemon's): fail rejects, temperror defers, localhost skipped.
fail_req = request("bob@fail.example.com", "198.51.100.9", "unrelated.example.org")
got = ask(fail_req)
check(got.startswith("action=550 5.7.23 SPF fail for fail.example.com (mailfrom identity)"), "fail -> 550 5.7.23", got)
got = ask(request("info@hforge.example.com", "81.169.145.90", "helofail.example.com"))
check(got.startswith("action=550 5.7.23 SPF fail for helofail.example.com (helo identity)"),
      "a failing HELO decides before MAIL FROM", got)
temp_req = request("x@refused.example", "198.51.100.9", "unrelated.example.org")
got = ask(temp_req)
check(got.startswith("action=DEFER_IF_PERMIT SPF temperror for refused.example"), "temperror -> DEFER_IF_PERMIT", got)
got = ask(request("bob@fail.example.com", "127.0.0.1", "localhost"))
check(got == "action=PREPEND X-Comment: SPF skipped - localhost is always allowed.\n\n", "localhost skipped", got)
perm_req = request("x@broken.example.com", "198.51.100.9", "unrelated.example.org")
got = ask(perm_req)
check(got.startswith("action=PREPEND Received-SPF: permerror"), "permerror -> header only by default", got)

# --- every option changes what it should.
soft_req = request("info@hforge.example.com", "1.2.3.4", "hforge.example.com")
got = ask(soft_req, "--mail-from-reject", "softfail")
check(got.startswith("action=550 5.7.23 SPF softfail"), "--mail-from-reject softfail rejects softfail", got)
got = ask(request("info@nonexistent-domain.example", "1.2.3.4", "unrelated.example.org"), "--mail-from-reject", "not_pass")
check(got.startswith("action=PREPEND Received-SPF: none"), "--mail-from-reject not_pass lets none through", got)
got = ask(soft_req, "--mail-from-reject", "not_pass")
check(got.startswith("action=550 5.7.23"), "--mail-from-reject not_pass rejects softfail", got)
got = ask(fail_req, "--mail-from-reject", "none")
check(got.startswith("action=PREPEND Received-SPF: fail"), "--mail-from-reject none: header only", got)
got = ask(fail_req, "--mail-from-reject", "no_check")
check("mailfrom" not in got and got.startswith("action=PREPEND Received-SPF: none"), "--mail-from-reject no_check: MAIL FROM not checked", got)
helo_fail_req = request("info@hforge.example.com", "81.169.145.90", "helofail.example.com")
got = ask(helo_fail_req, "--helo-reject", "none")
check(got.startswith("action=PREPEND Received-SPF: pass") and "identity=mailfrom" in got,
      "--helo-reject none: a failing HELO no longer decides", got)
got = ask(request("info@hforge.example.com", "81.169.145.90", "helofail.example.com"), "--helo-reject", "null")
check(got.startswith("action=PREPEND"), "--helo-reject null: HELO fail ignored for a non-null sender", got)
got = ask(request("", "81.169.145.90", "helofail.example.com"), "--helo-reject", "null")
check(got.startswith("action=550 5.7.23"), "--helo-reject null: HELO fail rejects a null sender", got)
got = ask(perm_req, "--permerror-reject", "true")
check(got.startswith("action=550 5.7.24"), "--permerror-reject true -> 550 5.7.24", got)
got = ask(temp_req, "--temperror-defer", "false")
check(got.startswith("action=PREPEND Received-SPF: temperror"), "--temperror-defer false: header only", got)
for opt, val in (("--skip-addresses", "198.51.100.0/24"), ("--whitelist", "198.51.100.9/32"),
                 ("--trusted-forwarders", "198.51.100.0/28")):
    got = ask(fail_req, opt, val)
    check(not got.startswith("action=550") and "fail" not in got.split("\n")[0].lower().replace("fail.example", ""),
          f"{opt} {val}: the client is not checked", got)
fwd_req = request("bob@fail.example.com", "203.0.113.7", "relay.partner.example")
check(ask(fwd_req).startswith("action=550"), "forwarded fail is rejected without a whitelist")
got = ask(fwd_req, "--domain-whitelist", "forwarder.example.net")
check(not got.startswith("action=550"), "--domain-whitelist: a client SPF-authorized for the domain is not checked", got)
got = ask(request("bob@fail.example.com", "203.0.113.7", "relay.partner.example", name="relay.partner.example"),
          "--domain-whitelist-ptr", "partner.example")
check(not got.startswith("action=550"), "--domain-whitelist-ptr: Postfix's validated client name is in the domain", got)
got = ask(request("bob@fail.example.com", "203.0.113.7", "relay.partner.example", name=""),
          "--domain-whitelist-ptr", "partner.example")
check(not got.startswith("action=550"), "--domain-whitelist-ptr: no client_name given, PTR + A checked in DNS", got)
check(ask(fwd_req, "--domain-whitelist-ptr", "partner.example").startswith("action=550"),
      "--domain-whitelist-ptr: client_name=unknown (Postfix could not validate) is still checked")
got = ask(request("bob@fail.example.com", "198.51.100.9", "x.example"), "--domain-whitelist-ptr", "partner.example")
check(got.startswith("action=550"), "--domain-whitelist-ptr: other clients still checked", got)
got = ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com"), "--header-type", "authentication-results")
check(got.startswith("action=PREPEND Authentication-Results: mx.example.org; spf=pass"),
      "--header-type authentication-results", got)

# --- per-instance state: one PREPEND per message, then DUNNO for its other recipients.
got = policy([request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.1", "r1@example.de"),
              request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.1", "r2@example.de"),
              request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.2", "r1@example.de")])
check(len(got) == 3 and got[0].startswith("action=PREPEND") and got[1] == "action=DUNNO\n\n"
      and got[2].startswith("action=PREPEND"), "PREPEND once per instance, state reset per instance", got)

# --- the daemon over TCP: many requests on one connection, malformed input (docs/security.md 40).
def tcp(data, timeout=10):
    s = socket.create_connection(("127.0.0.1", verifier_port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
    except OSError:  # the server closed the connection while we were still sending: an answer too
        s.close()
        return "(closed while sending)"
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if out.count(b"\n\n") >= data.count(b"\n\n") and data.endswith(b"\n\n"):
                break
    except socket.timeout:
        out += b"(timeout)"
    s.close()
    return out.decode("latin-1")
got = tcp("".join(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", f"t.{i}")
                  for i in range(50)).encode())
check(got.count("action=PREPEND Received-SPF: pass") == 50, "daemon: 50 requests on one connection, 50 answers", got[:200])
for what, data in (("a line without '='", b"request=smtpd_access_policy\ngarbage\n\n"),
                   ("a 1 MB attribute", b"request=smtpd_access_policy\nsender=" + b"a" * (1 << 20) + b"\n\n"),
                   ("a NUL byte", b"request=smtpd_access_policy\nsender=a\x00b\n\n"),
                   ("no request=", b"sender=a@b\nclient_address=1.2.3.4\n\n")):
    got = tcp(data)
    check("action=" not in got or got.startswith("action=DUNNO") or got.startswith("action=DEFER"),
          f"daemon: {what} -> no PREPEND/REJECT answer (closed or DUNNO)", got[:120])
got = tcp(request("bob@fail.example.com", "198.51.100.9", "unrelated.example.org").encode())
check(got.startswith("action=550 5.7.23"), "daemon still serving after malformed input", got)

print("conversations: %d failed" % failures)
sys.exit(1 if failures else 0)

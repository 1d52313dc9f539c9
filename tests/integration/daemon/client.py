# client.py - small clients for daemon_lifecycle.sh.
#   client.py tcp PORT LINE...        tcp_table requests on one connection; prints each reply
#   client.py policy PORT SENDER      one policy request on a new connection; prints action=
#   client.py smtp PORT FROM TOKEN    one message through an SMTP server; exit 0 on 250
#   client.py hold PORT COUNT SECONDS open COUNT connections, hold them, close; prints opened
import socket, smtplib, sys, time

def tcp(port, lines):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    f = s.makefile("rb")
    for line in lines:
        s.sendall(line.encode() + b"\n")
        print(f.readline().decode().rstrip("\n"))

def policy(port, sender):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    req = ("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
           "client_address=192.0.2.10\nclient_name=mail.client.example.com\n"
           "helo_name=mail.client.example.com\nsender=%s\nrecipient=u@local.example\n"
           "queue_id=\n\n" % sender)
    s.sendall(req.encode())
    print(s.makefile("rb").readline().decode().rstrip("\n"))

def smtp(port, sender, token):
    msg = ("From: %s\r\nTo: u@dest.example\r\nSubject: reload %s\r\nX-Test-Token: %s\r\n\r\n"
           "body %s\r\n" % (sender, token, token, token))
    with smtplib.SMTP("127.0.0.1", int(port), timeout=10) as c:
        c.sendmail(sender, ["u@dest.example"], msg)

def hold(port, count, seconds):
    socks = []
    for _ in range(int(count)):
        try:
            socks.append(socket.create_connection(("127.0.0.1", int(port)), timeout=2))
        except OSError:
            break
    print(len(socks), flush=True)
    time.sleep(float(seconds))
    for s in socks:
        s.close()

cmd, args = sys.argv[1], sys.argv[2:]
{"tcp": lambda: tcp(args[0], args[1:]), "policy": lambda: policy(*args),
 "smtp": lambda: smtp(*args), "hold": lambda: hold(*args)}[cmd]()

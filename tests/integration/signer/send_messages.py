# send_messages.py - submit COUNT messages over SMTP (one connection), each with a unique
# X-Test-Token PREFIXn, rotating the From domain over DOMAINS (comma-separated).
# usage: send_messages.py PORT PREFIX COUNT DOMAINS [BODY_LINES]
import smtplib, sys, time
port, prefix, count, domains = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
lines = int(sys.argv[5]) if len(sys.argv) > 5 else 20
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("client.test")
for i in range(count):
    dom = domains[i % len(domains)]
    body = "".join(f"{'.' if n % 7 == 0 else ''}line {n} of message {i}\t with  spaces \r\n" for n in range(lines))
    msg = (f"From: Sender <alice@{dom}>\r\nTo: bob@dest.example\r\nSubject: test {prefix}{i}\r\n"
           f"Date: Mon, 23 Nov 2026 01:00:00 +0000\r\nMessage-ID: <{prefix}{i}@{dom}>\r\n"
           f"X-Test-Token: {prefix}{i}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{body}")
    s.sendmail(f"alice@{dom}", ["bob@dest.example"], msg.encode())
s.quit()

#!/usr/bin/env bash
# milter_dmarc_failure.sh - DMARC failure reports (RFC 9991) from the milter front end with a
# real Postfix (smtpd_milters) and a real unbound: [dmarc] enable, failure_reports = true,
# failure_report_rate = 1, report_sendmail = a fake sendmail script that keeps each message
# and its arguments. A p=reject spoof of ruf.example (ruf=mailto:ruf@reports.test, authorized
# by ruf.example._report._dmarc.reports.test) is refused with 550 5.7.1 and one report is
# handed to sendmail as `-i -f REPORT_EMAIL -- ruf@reports.test`; Python's email package reads
# it: multipart/report; report-type=feedback-report, Feedback-Type: auth-failure,
# Auth-Failure: dmarc, Reported-Domain, Source-IP, the original header (text/rfc822-headers),
# the envelope sender's local-part redacted, and no body. A second identical spoof within the
# hour is refused too, and its report is not sent ("not sent to ruf@reports.test: rate limit").
# Ports: Postfix 2891, smtp-sink 2893, milter 10047, unbound 5363. Runs as root.
set -uo pipefail
P_SMTPD=2891 P_SINK=2893 MILTER=10047 DNS=5363
FE_NAME=milter-dmarc-failure FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"

cat "$HERE/unbound-data.conf" "$HERE/unbound-dmarc-failure.conf" > "$U/data.conf"
unbound_start "$U" $DNS "$U/data.conf" || die "unbound did not start"

# the fake sendmail: each call's arguments and message under $U/reports
mkdir -p "$U/reports" && chmod 777 "$U/reports"
cat > "$U/sendmail" <<SH
#!/bin/sh
n=\$(date +%s%N)
printf '%s\n' "\$*" > "$U/reports/\$n.args"
cat > "$U/reports/\$n.eml"
SH
chmod 755 "$U/sendmail"

printf '%s\n' '[dmarc]' 'enable = true' 'report_email = "dmarc-reports@mx.test.local"' \
  "report_sendmail = \"$U/sendmail\"" 'failure_reports = true' 'failure_report_rate = 1' \
  '[state]' 'backend = "memory"' > "$U/failure.toml"
"$POSTSEAL" verifier --foreground --config "$U/failure.toml" --listen "unix:$U/policy.sock" \
  --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
  > "$U/verifier-failure.log" 2>&1 &
VERIFIER_PID=$!
pf_wait_listen $MILTER || die "postseal verifier --milter did not start"

fe_postfix $P_SINK
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" \
  "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
fe_start $P_SINK

# spoof TOKEN - a From: ceo@ruf.example message (CRLF) on stdout.
spoof() {
  printf 'From: CEO <ceo@ruf.example>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$1"
  printf 'Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <%s@dmarc.test>\r\n' "$1"
  printf '\r\nBODY-SECRET please pay the invoice (%s).\r\n' "$1"
}

# reports - how many messages the fake sendmail got.
reports() { find "$U/reports" -name '*.eml' | wc -l; }

# wait_log TEXT - 0 when the verifier log shows TEXT (up to 10 s).
wait_log() {
  local i
  for i in $(seq 1 100); do grep -qF "$1" "$U/verifier-failure.log" && return 0; sleep 0.1; done
  return 1
}

# 1. the p=reject spoof: 550, one report handed to sendmail.
spoof spoof-ruf-1 > "$R/spoof1.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/spoof1.eml")
echo "$out" | grep -q '<\*\* *550 5.7.1' && ok "p=reject spoof refused with 550 5.7.1" ||
  { bad "p=reject spoof not refused"; echo "$out" | grep -E '^ *<' | tail -3; }
if wait_log "failure report for ruf.example sent to ruf@reports.test"; then
  ok "log: QID: dmarc: failure report for ruf.example sent to ruf@reports.test"
else bad "no 'failure report ... sent' log line"; tail -5 "$U/verifier-failure.log"; fi
[ "$(reports)" -eq 1 ] && ok "one report handed to sendmail" || bad "$(reports) reports handed to sendmail (want 1)"
args=$(cat "$U"/reports/*.args 2>/dev/null)
[ "$args" = "-i -f dmarc-reports@mx.test.local -- ruf@reports.test" ] &&
  ok "sendmail called as -i -f REPORT_EMAIL -- ruf@reports.test" || bad "sendmail arguments: '$args'"

# 2. the report read back with Python's email package.
if /usr/bin/python3 - "$(ls "$U"/reports/*.eml | head -1)" <<'PY'
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.compat32)
problems = []
def want(cond, text):
    if not cond: problems.append(text)
want(msg.get_content_type() == "multipart/report", "not multipart/report: %s" % msg.get_content_type())
want(msg.get_param("report-type") == "feedback-report", "report-type is not feedback-report")
want(msg["To"] == "ruf@reports.test", "To: %s" % msg["To"])
want(msg["Auto-Submitted"] == "auto-generated", "no Auto-Submitted: auto-generated")
parts = msg.get_payload()
types = [p.get_content_type() for p in parts]
want(types == ["text/plain", "message/feedback-report", "text/rfc822-headers"], "parts: %s" % types)
fb = parts[1].get_payload()
fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
want(fb["Feedback-Type"] == "auth-failure", "Feedback-Type: %s" % fb["Feedback-Type"])
want(fb["Auth-Failure"] == "dmarc", "Auth-Failure: %s" % fb["Auth-Failure"])
want(fb["Version"] == "1", "Version: %s" % fb["Version"])
want(fb["Reported-Domain"] == "ruf.example", "Reported-Domain: %s" % fb["Reported-Domain"])
want(fb["Source-IP"] == "192.0.2.10", "Source-IP: %s" % fb["Source-IP"])
want(fb["Identity-Alignment"] == "none", "Identity-Alignment: %s" % fb["Identity-Alignment"])
want("dmarc=fail" in (fb["Authentication-Results"] or ""), "A-R: %s" % fb["Authentication-Results"])
mf = fb["Original-Mail-From"] or ""
want(mf.startswith("<redacted-") and mf.endswith("@spf-pass.example.com>"), "Original-Mail-From: %s" % mf)
want(fb["Original-Rcpt-To"] is None, "Original-Rcpt-To present despite redaction")
headers = parts[2].get_payload()
want("Subject: spoof-ruf-1" in headers, "original Subject missing from the header part")
raw = open(sys.argv[1], "rb").read()
want(b"BODY-SECRET" not in raw, "the original body is in the report")
want(b"user@spf-pass" not in raw, "the envelope sender's local-part is in the report")
for p in problems: print("   ", p)
sys.exit(1 if problems else 0)
PY
then ok "report: multipart/report feedback-report, auth-failure/dmarc fields, header part, redacted, no body"
else bad "report content (above)"; sed -n 1,60p "$(ls "$U"/reports/*.eml | head -1)"; fi

# 3. the same spoof again within the hour: refused, report not sent (rate limit 1).
spoof spoof-ruf-2 > "$R/spoof2.eml"
out=$(send user@spf-pass.example.com 192.0.2.10 "$R/spoof2.eml")
echo "$out" | grep -q '<\*\* *550 5.7.1' && ok "second spoof refused with 550 5.7.1" || bad "second spoof not refused"
if wait_log "failure report for ruf.example not sent to ruf@reports.test: rate limit"; then
  ok "second report: not sent: rate limit"
else bad "no rate limit log line"; tail -5 "$U/verifier-failure.log"; fi
sleep 0.5
[ "$(reports)" -eq 1 ] && ok "still one report handed to sendmail" || bad "$(reports) reports (want 1)"

stop_verifier && ok "postseal verifier --milter stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
echo "milter_dmarc_failure: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

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
# The report is DKIM-signed with the [[signer.domain]] key of mx.test.local (report_email's
# domain): dkimpy verifies the handed-over message against that key's record; the redaction
# key file dmarc.failure_report_redact_key is made 0600. Then, with a sendmail that hangs and
# report_sendmail_timeout = 2, a spoof's report is logged "not sent ... timed out after 2 s:
# killed", and a SIGTERM while that sendmail hangs ends it at the bound and the verifier exits
# right after (our milter server stops its listener at once; libmilter polled up to 5 s).
# Last, RFC 6591 DKIM and SPF failure reports: afrf.example publishes p=none; fo=d:s and a ruf
# address; a message From: afrf.example, DKIM-signed by dkimpy for afrf.example and changed
# after signing (body hash mismatch), from a client its SPF softfails, gives two reports and no
# dmarc one: Auth-Failure: bodyhash (DKIM-Domain, DKIM-Identity, DKIM-Selector of the
# signature) and Auth-Failure: spf (no DKIM-* fields), each read back by Python's email package
# (3 parts, each field once); with failure_report_rate = 2 the same message again gets both
# refused, each logged by its type ("bodyhash failure report ... not sent ...: rate limit").
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

# the reporting domain's signing key, and a directory the verifier's user may write its key to
install -m 600 "$POSTSEAL_SRC/tests/data/domainkeys/rsa1024.pem" "$U/rep.pem"
mkdir -p "$U/state" && chmod 777 "$U/state"
# failure_config SENDMAIL [EXTRA...] - the verifier's config file on stdout.
failure_config() {
  local sendmail=$1; shift
  printf '%s\n' '[dmarc]' 'enable = true' 'report_email = "dmarc-reports@mx.test.local"' \
    "report_sendmail = \"$sendmail\"" 'failure_reports = true' "failure_report_rate = ${RATE:-1}" \
    "failure_report_redact_key = \"$U/state/redact.key\"" "$@" \
    '[state]' 'backend = "memory"' '[[signer.domain]]' 'name = "mx.test.local"' \
    "keys = [\"rep:$U/rep.pem\"]"
}
# start_failure_verifier WHICH - the verifier on $U/failure.toml, its log (emptied first) in
# $U/verifier-failure.log; dies naming WHICH start when it does not listen.
start_failure_verifier() {
  : > "$U/verifier-failure.log"
  "$POSTSEAL" verifier --foreground --config "$U/failure.toml" --listen "unix:$U/policy.sock" \
    --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
    > "$U/verifier-failure.log" 2>&1 &
  VERIFIER_PID=$!
  wait_listen $MILTER $VERIFIER_PID || die "postseal verifier --milter did not start ($1)"
}
failure_config "$U/sendmail" > "$U/failure.toml"
start_failure_verifier first

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

# 2b. the report is DKIM-signed by mx.test.local and verifies (dkimpy, the key record given).
if /usr/bin/python3 - "$(ls "$U"/reports/*.eml | head -1)" \
    "$(tr -d '\n' < "$POSTSEAL_SRC/tests/data/domainkeys/rsa1024.pub.b64")" <<'PY'
import dkim, sys
raw = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
record = ("v=DKIM1; k=rsa; p=" + sys.argv[2]).encode()
def dns(name, timeout=5):
    return record if name == b"rep._domainkey.mx.test.local." else None
ok = raw.startswith(b"DKIM-Signature:") and b"d=mx.test.local" in raw.split(b"\r\n\r\n")[0]
ok = ok and dkim.verify(raw, dnsfunc=dns)
sys.exit(0 if ok else 1)
PY
then ok "report DKIM-signed with d=mx.test.local, verified by dkimpy"
else bad "report not signed or its signature does not verify"; head -5 "$(ls "$U"/reports/*.eml | head -1)"; fi
grep -qF "sent to ruf@reports.test, DKIM-Signature added (d=mx.test.local, s=rep" "$U/verifier-failure.log" &&
  ok "log names the signature" || bad "no signature in the sent line"
[ "$(stat -c %a "$U/state/redact.key" 2>/dev/null)" = 600 ] && ok "redaction key file made 0600" ||
  bad "redaction key file: $(ls -l "$U/state/redact.key" 2>&1)"

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

# 4. a sendmail that hangs: killed after report_sendmail_timeout, and a SIGTERM meanwhile
#    waits no longer than that.
cat > "$U/hang" <<SH
#!/bin/sh
echo \$\$ > "$U/reports/hang.pid"
cat > /dev/null
exec sleep 60
SH
chmod 755 "$U/hang"
RATE=10 failure_config "$U/hang" 'report_sendmail_timeout = 2' > "$U/failure.toml"
start_failure_verifier "hanging sendmail"
spoof spoof-ruf-3 > "$R/spoof3.eml"
send user@spf-pass.example.com 192.0.2.10 "$R/spoof3.eml" > /dev/null
if wait_log "failure report for ruf.example not sent to ruf@reports.test: $U/hang timed out after 2 s: killed"; then
  ok "hanging sendmail killed after 2 s, logged with the address"
else bad "no timeout line"; tail -5 "$U/verifier-failure.log"; fi
spoof spoof-ruf-4 > "$R/spoof4.eml"
rm -f "$U/reports/hang.pid"
send user@spf-pass.example.com 192.0.2.10 "$R/spoof4.eml" > /dev/null
for i in $(seq 1 50); do [ -s "$U/reports/hang.pid" ] && break; sleep 0.1; done
start=$(date +%s%N)
[ -s "$U/reports/hang.pid" ] || bad "the second hanging sendmail did not start"
# exited: gone, or a zombie waiting for this shell's wait
kill "$VERIFIER_PID"
stopped=0
for i in $(seq 1 240); do
  state=$(awk '/^State:/ {print $2}' "/proc/$VERIFIER_PID/status" 2>/dev/null)
  [ -z "$state" ] || [ "$state" = Z ] && { stopped=1; break; }
  sleep 0.05
done
took=$(( ($(date +%s%N) - start) / 1000000 ))
stop_verifier
# the failure report thread waits at most report_sendmail_timeout (2 s); the milter server's
# listener stops at once (2,062 ms measured; 4,500 leaves room for a loaded machine)
[ "$(grep -c 'not sent to ruf@reports.test: .*hang timed out after 2 s: killed' "$U/verifier-failure.log")" -eq 2 ] &&
  ok "the report in hand at SIGTERM: killed at its 2 s bound, logged" ||
  bad "the second hanging report was not ended by its bound"
[ "$stopped" = 1 ] && [ "$took" -lt 4500 ] &&
  ok "SIGTERM while sendmail hangs: exited in $took ms (the 2 s bound, then at once)" ||
  { bad "stop took $took ms with a hanging sendmail"; tail -8 "$U/verifier-failure.log"; }
# 5. fo=d:s: a failed DKIM signature and a failed SPF check give a bodyhash and an spf report.
rm -f "$U"/reports/*
RATE=2 failure_config "$U/sendmail" > "$U/failure.toml"
start_failure_verifier fo=d:s
# afrf_message TOKEN - From: afrf.example, signed by dkimpy, then its body changed.
afrf_message() {
  { printf 'From: Ops <ops@afrf.example>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$1"
    printf 'Date: Mon, 07 Dec 2026 03:00:00 +0000\r\nMessage-ID: <%s@afrf.test>\r\n' "$1"
    printf '\r\nBODY-SECRET as signed.\r\n'; } |
    /usr/bin/python3 "$POSTSEAL_SRC/tests/integration/frontends/sign.py" \
      "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" sel2048 afrf.example rsa-sha256 |
    sed 's/as signed/changed in transit/'
}
afrf_message afrf-1 > "$R/afrf1.eml" || die "dkimpy signing failed"
out=$(send bounce@afrf.example 192.0.2.10 "$R/afrf1.eml")
echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] ' && bad "the fo=d:s message was refused (p=none)"
if wait_log "bodyhash failure report for afrf.example sent to afrf@reports.test" &&
   wait_log "spf failure report for afrf.example sent to afrf@reports.test"; then
  ok "log: bodyhash and spf failure reports for afrf.example sent"
else bad "no bodyhash / spf 'failure report ... sent' lines"; tail -5 "$U/verifier-failure.log"; fi
sleep 0.5
[ "$(reports)" -eq 2 ] && ok "fo=d:s: two reports handed to sendmail (no dmarc report)" ||
  bad "$(reports) reports handed to sendmail for fo=d:s (want 2)"
if /usr/bin/python3 - "$U"/reports/*.eml <<'PY'
import email, sys
from email import policy
problems, seen = [], {}
def want(cond, text):
    if not cond: problems.append(text)
ONCE = ["Feedback-Type", "User-Agent", "Version", "Original-Mail-From", "Arrival-Date",
        "Source-IP", "Reported-Domain", "Authentication-Results", "Auth-Failure"]
for path in sys.argv[1:]:
    msg = email.message_from_binary_file(open(path, "rb"), policy=policy.compat32)
    want(msg.get_content_type() == "multipart/report", "%s: not multipart/report" % path)
    want(msg.get_param("report-type") == "feedback-report", "report-type is not feedback-report")
    parts = msg.get_payload()
    types = [p.get_content_type() for p in parts]
    want(types == ["text/plain", "message/feedback-report", "text/rfc822-headers"], "parts: %s" % types)
    fb = parts[1].get_payload()
    fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
    for name in ONCE:
        want(len(fb.get_all(name) or []) == 1, "%s appears %d times" % (name, len(fb.get_all(name) or [])))
    kind = fb["Auth-Failure"]
    seen[kind] = seen.get(kind, 0) + 1
    want(fb["Feedback-Type"] == "auth-failure", "Feedback-Type: %s" % fb["Feedback-Type"])
    want(fb["Reported-Domain"] == "afrf.example", "Reported-Domain: %s" % fb["Reported-Domain"])
    want(fb["Source-IP"] == "192.0.2.10", "Source-IP: %s" % fb["Source-IP"])
    want(fb["Identity-Alignment"] is None, "%s report has Identity-Alignment" % kind)
    ar = " ".join((fb["Authentication-Results"] or "").split())
    if kind == "bodyhash":
        want(fb["DKIM-Domain"] == "afrf.example", "DKIM-Domain: %s" % fb["DKIM-Domain"])
        want(fb["DKIM-Identity"] == "@afrf.example", "DKIM-Identity: %s" % fb["DKIM-Identity"])
        want(fb["DKIM-Selector"] == "sel2048", "DKIM-Selector: %s" % fb["DKIM-Selector"])
        want("dkim=fail" in ar and "body hash mismatch" in ar, "A-R: %s" % ar)
        want(msg["Subject"].startswith("DKIM failure report for afrf.example"), "Subject: %s" % msg["Subject"])
    elif kind == "spf":
        for name in ("DKIM-Domain", "DKIM-Identity", "DKIM-Selector"):
            want(fb[name] is None, "spf report has %s" % name)
        want("spf=softfail" in ar, "A-R: %s" % ar)
        want(fb["Original-Mail-From"] == "<bounce@afrf.example>", "Original-Mail-From: %s" % fb["Original-Mail-From"])
        want(msg["Subject"].startswith("SPF failure report for afrf.example"), "Subject: %s" % msg["Subject"])
    headers = parts[2].get_payload()
    want("Subject: afrf-1" in headers, "original Subject missing from the header part")
    want(b"BODY-SECRET" not in open(path, "rb").read(), "the original body is in the report")
want(seen == {"bodyhash": 1, "spf": 1}, "Auth-Failure values: %s" % seen)
for p in problems: print("   ", p)
sys.exit(1 if problems else 0)
PY
then ok "fo=d:s reports: one Auth-Failure: bodyhash (DKIM-Domain/-Identity/-Selector) and one spf, read by Python's email"
else bad "fo=d:s report content (above)"; fi
before=$(reports)
afrf_message afrf-2 > "$R/afrf2.eml" || die "dkimpy signing failed"
send bounce@afrf.example 192.0.2.10 "$R/afrf2.eml" > /dev/null
if wait_log "bodyhash failure report for afrf.example not sent to afrf@reports.test: rate limit" &&
   wait_log "spf failure report for afrf.example not sent to afrf@reports.test: rate limit"; then
  ok "rate limit (2 an hour) counts both types: the second message's two reports not sent"
else bad "no rate limit lines for the second fo=d:s message"; tail -5 "$U/verifier-failure.log"; fi
sleep 0.5
[ "$(reports)" -eq "$before" ] && ok "no further report handed to sendmail" ||
  bad "$(reports) reports after the second fo=d:s message (want $before)"
stop_verifier && ok "postseal verifier --milter stops on SIGTERM (fo=d:s run)" || bad "verifier did not stop"

echo "milter_dmarc_failure: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

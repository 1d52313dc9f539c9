#!/usr/bin/env bash
# dmarc_report.sh - DMARC aggregate reports (RFC 9990) end to end: messages through a real
# Postfix and the postseal milter ([dmarc] enable, report_record; records served by a real
# unbound) are counted in the state store, then `postseal dmarc report` builds the reports.
# Checks, for the SQLite store and then for a real redis-server (which also runs the recorder's
# unit cases, tests/unit/dmarc_report, when POSTSEAL_BUILD has them):
#  - -o DIR: one .xml.gz per policy domain with rua (none for a domain without rua), named
#    receiver!domain!begin!end!id.xml.gz; the XML validates against the RFC 9990 schema
#    (xmllint --schema tests/data/dmarc/rfc9990-dmarc-2.0.xsd) and has the right counts per
#    source IP, disposition and selector;
#  - dmarc.report_format = "rfc7489" (SQLite round): the file validates against the RFC 7489
#    schema (tests/data/dmarc/rfc7489-dmarc-0.1.xsd) and Debian's dmarc-cat reads the same
#    counts back (skipped, and said, when dmarc-cat is not installed);
#  - --send with a fake sendmail that keeps each message: one message per authorized rua
#    (same domain, and the external reports.example.net that publishes
#    report.example._report._dmarc; not other.example.org, which does not), with the RFC 9990
#    Subject and the report attached; a second run sends nothing;
#  - DKIM (RFC 9990 3.3, docs/dmarc.md "Reporting"): in the SQLite round the config has a
#    [[signer.domain]] key for mx.test.local (the domain of dmarc.report_email), published by
#    the test's unbound: every mail handed to sendmail carries a DKIM-Signature d=mx.test.local
#    that dkimpy verifies against that DNS; in the Redis round there is no key: mail goes out
#    unsigned and the run says so once;
#  - `postseal dmarc suppress` (Redis round): a suppressed address gets nothing and the run
#    says so; after --remove the next run sends it its report.
# Ports: free loopback ports. Runs as root (private Postfix instance).
set -uo pipefail
. "$POSTSEAL_SRC/tests/lib/redis.sh"
read -r P_SMTPD P_SINK MILTER DNS P_REDIS < <(free_ports 5)
FE_NAME=dmarc-report FE_PORTS="$P_SMTPD $P_SINK $MILTER"
. "$POSTSEAL_SRC/tests/integration/frontends/postfix_env.sh"
. "$POSTSEAL_SRC/tests/integration/frontends/deliveries.sh"
command -v xmllint >/dev/null || die "xmllint (libxml2-utils) must be installed"
XSD="$POSTSEAL_SRC/tests/data/dmarc/rfc9990-dmarc-2.0.xsd"
XSD7489="$POSTSEAL_SRC/tests/data/dmarc/rfc7489-dmarc-0.1.xsd"
trap 'redis_stop; fe_cleanup' EXIT

# the report signing key of mx.test.local, published like the other keys (local-data)
mkdir -p "$U/keys"
"$POSTSEAL" keygen --domain mx.test.local --selector rep --dir "$U/keys" --json > "$U/rep.json" || die "keygen"
/usr/bin/python3 - "$U/rep.json" > "$U/unbound-rep.conf" <<'PY' || die "key record"
import json, sys
r = json.load(open(sys.argv[1]))
v = r["value"]
print("local-data: '%s. TXT %s'" % (r["name"], " ".join('"%s"' % v[i:i + 250] for i in range(0, len(v), 250))))
PY
cat "$HERE/unbound-data.conf" "$HERE/unbound-dmarc.conf" "$HERE/unbound-dmarc-report.conf" "$U/unbound-rep.conf" > "$U/data.conf"
unbound_start "$U" DNS "$U/data.conf" || die "unbound did not start"  # a new DNS port if it was taken

# the fake sendmail: each message kept as OUTBOX/N with its arguments on the first line
cat > "$U/sendmail" <<EOT
#!/bin/sh
out=\$(mktemp "$U/outbox/mail.XXXXXX")
{ echo "ARGS: \$*"; cat; } > "\$out"
EOT
chmod 755 "$U/sendmail"

# config STATE_LINES [signed] - the config file of the verifier and of the report runs; with
# "signed", a [[signer.domain]] key for mx.test.local.
config() {
  printf '[dmarc]\nenable = true\nreport_record = true\nreport_email = "dmarc-reports@mx.test.local"\n'
  printf 'report_org_name = "postseal test <&>"\nreport_sendmail = "%s"\n\n[state]\n%s\n' "$U/sendmail" "$1"
  [ "${2:-}" = signed ] && printf '\n[[signer.domain]]\nname = "mx.test.local"\nkeys = ["rep:%s"]\n' "$U/keys/rep.private"
  return 0
}

# dkim_verify FILE - dkimpy verifies the mail handed to sendmail (FILE less its ARGS: line),
# the key looked up in the test's unbound.
dkim_verify() {
  /usr/bin/python3 - "$1" "$DNS" <<'PY'
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ["127.0.0.1"]; r.port = int(sys.argv[2])
def txt(name, timeout=5):
    return b"".join(b"".join(x.strings) for x in r.resolve(name.decode().rstrip("."), "TXT"))
lines = open(sys.argv[1], "rb").read().split(b"\n")[1:]
msg = b"\r\n".join(lines)
d = dkim.DKIM(msg)
sigs = [h for h in d.headers if h[0].lower() == b"dkim-signature"]
ok = len(sigs) == 1 and b"d=mx.test.local" in sigs[0][1] and d.verify(dnsfunc=txt)
sys.exit(0 if ok else 1)
PY
}

start_milter() {  # NAME - (re)start the verifier with $U/NAME.toml
  stop_verifier || bad "verifier did not stop on SIGTERM"
  pf_wait_closed "$MILTER" || die "milter port $MILTER still busy"
  "$POSTSEAL" verifier --foreground --config "$U/$1.toml" --listen "unix:$U/policy-$1.sock" \
    --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local > "$U/verifier-$1.log" 2>&1 &
  VERIFIER_PID=$!
  wait_listen "$MILTER" "$VERIFIER_PID" || die "postseal verifier --milter ($1) did not start"
}

spoof() {  # TOKEN DOMAIN - a message from ceo@DOMAIN
  printf 'From: CEO <ceo@%s>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$2" "$1"
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@dmarc.test>\r\n\r\nbody %s\r\n' "$1" "$1"
}

# traffic NAME - the messages of one round: report.example 3 from 192.0.2.10 and 2 from
# 192.0.2.11 (SPF pass for an unaligned MAIL FROM: dmarc=fail, p=none: delivered);
# quarantine-report.example 1 (held); reject.example 1 (no rua: not reported).
traffic() {
  local n
  for n in 1 2 3; do spoof "$1-a$n" report.example > "$R/m.eml"; send user@spf-pass.example.com 192.0.2.10 "$R/m.eml" >/dev/null; done
  for n in 1 2; do spoof "$1-b$n" report.example > "$R/m.eml"; send user@spf-pass.example.com 192.0.2.11 "$R/m.eml" >/dev/null; done
  spoof "$1-q" quarantine-report.example > "$R/m.eml"; send user@spf-pass.example.com 192.0.2.10 "$R/m.eml" >/dev/null
  spoof "$1-r" reject.example > "$R/m.eml"; send user@spf-pass.example.com 192.0.2.10 "$R/m.eml" >/dev/null
}

# xpath FILE EXPR - an XPath value of an XML file (elements by local name: the RFC 9990 namespace).
xpath() { xmllint --xpath "$2" "$1" 2>/dev/null; }
ln_() { printf "*[local-name()='%s']" "$1"; }

# check_reports NAME - the report files and the sends of one store.
check_reports() {
  local name=$1 day f x
  local out="$U/out-$name"
  mkdir -p "$out" "$U/outbox"; rm -f "$U/outbox"/*
  day=$(date -u +%F)
  "$POSTSEAL" dmarc report --period "$day" -o "$out" -c "$U/$name.toml" > "$U/report-$name.log" 2>&1 ||
    { bad "$name: dmarc report -o failed"; cat "$U/report-$name.log"; }
  [ "$(ls "$out" | grep -c '\.xml\.gz$')" -eq 2 ] && ok "$name: two report files (reject.example has no rua)" ||
    { bad "$name: report files: $(ls "$out")"; cat "$U/report-$name.log"; }
  f=$(ls "$out"/mx.test.local\!report.example\!*\!*\!*.xml.gz 2>/dev/null | head -1)
  [ -n "$f" ] || { bad "$name: no file named mx.test.local!report.example!BEGIN!END!ID.xml.gz"; return; }
  ok "$name: file named $(basename "$f")"
  x="${f%.gz}"; gunzip -c "$f" > "$x" || bad "$name: not gzip"
  xmllint --noout --schema "$XSD" "$x" 2>"$U/xmllint-$name.log" && ok "$name: report.example XML validates against the RFC 9990 schema" ||
    { bad "$name: schema validation"; cat "$U/xmllint-$name.log"; }
  [ "$(xpath "$x" "sum(//$(ln_ count))")" = "5" ] && ok "$name: report.example counts 5 messages" ||
    bad "$name: count sum $(xpath "$x" "sum(//$(ln_ count))")"
  [ "$(xpath "$x" "string(//$(ln_ row)[$(ln_ source_ip)='192.0.2.10']/$(ln_ count))")" = "3" ] &&
    [ "$(xpath "$x" "string(//$(ln_ row)[$(ln_ source_ip)='192.0.2.11']/$(ln_ count))")" = "2" ] &&
    ok "$name: 3 messages from 192.0.2.10, 2 from 192.0.2.11" || { bad "$name: per-IP counts"; cat "$x"; }
  [ "$(xpath "$x" "string(//$(ln_ policy_evaluated)/$(ln_ disposition))")" = "none" ] &&
    [ "$(xpath "$x" "string(//$(ln_ policy_evaluated)/$(ln_ spf))")" = "fail" ] &&
    [ "$(xpath "$x" "string(//$(ln_ auth_results)/$(ln_ spf)/$(ln_ domain))")" = "spf-pass.example.com" ] &&
    [ "$(xpath "$x" "string(//$(ln_ auth_results)/$(ln_ spf)/$(ln_ result))")" = "pass" ] &&
    ok "$name: disposition none, DMARC spf fail, SPF pass for spf-pass.example.com" || { bad "$name: evaluated values"; cat "$x"; }
  grep -q '<org_name>postseal test &lt;&amp;&gt;</org_name>' "$x" && ok "$name: org_name escaped" || bad "$name: org_name not escaped"
  if [ "$name" = sqlite ]; then  # the RFC 7489 format: its schema, and dmarc-cat reads it
    local o7="$U/out7489-$name" x7
    mkdir -p "$o7"
    sed 's/^\[dmarc\]$/[dmarc]\nreport_format = "rfc7489"/' "$U/$name.toml" > "$U/$name-7489.toml"
    "$POSTSEAL" dmarc report --period "$day" -o "$o7" -c "$U/$name-7489.toml" > "$U/report7489-$name.log" 2>&1 ||
      { bad "$name: rfc7489 report failed"; cat "$U/report7489-$name.log"; }
    f=$(ls "$o7"/mx.test.local\!report.example\!*.xml.gz 2>/dev/null | head -1)
    x7="$U/r7489-$name.xml"; gunzip -c "$f" > "$x7" 2>/dev/null
    xmllint --noout --schema "$XSD7489" "$x7" 2>"$U/xmllint7489-$name.log" &&
      grep -q '<feedback xmlns="http://dmarc.org/dmarc-xml/0.1">' "$x7" &&
      ok "$name: report_format rfc7489 validates against the RFC 7489 schema" ||
      { bad "$name: rfc7489 schema validation"; cat "$U/xmllint7489-$name.log"; }
    if command -v dmarc-cat >/dev/null; then
      # -j 1: dmarc-cat 0.15's default two parallel jobs can pair an IP with the other
      # row's count (12 of 100 runs on a two-row report here, none with -j 1).
      (cd "$o7" && dmarc-cat -N -j 1 "$(basename "$f")") > "$U/dmarc-cat-$name.txt" 2>&1
      grep -Eq '^192\.0\.2\.10 +3 +report\.example' "$U/dmarc-cat-$name.txt" &&
        grep -Eq '^192\.0\.2\.11 +2 +report\.example' "$U/dmarc-cat-$name.txt" &&
        ok "$name: dmarc-cat reads the rfc7489 report back: 3 from 192.0.2.10, 2 from 192.0.2.11" ||
        { bad "$name: dmarc-cat"; cat "$U/dmarc-cat-$name.txt"; }
    else
      echo "SKIP: dmarc-cat not installed (Debian package dmarc-cat)"
    fi
  fi
  f=$(ls "$out"/mx.test.local\!quarantine-report.example\!*.xml.gz | head -1)
  gunzip -c "$f" > "$U/q-$name.xml"
  xmllint --noout --schema "$XSD" "$U/q-$name.xml" 2>/dev/null &&
    [ "$(xpath "$U/q-$name.xml" "string(//$(ln_ disposition))")" = "quarantine" ] &&
    ok "$name: quarantine-report.example: valid, disposition quarantine" || { bad "$name: quarantine report"; cat "$U/q-$name.xml"; }

  if [ "$name" = redis ]; then  # postseal dmarc suppress: the address gets nothing until lifted
    "$POSTSEAL" dmarc suppress ext@reports.example.net --days 2 -c "$U/$name.toml" > "$U/suppress-$name.log" 2>&1 ||
      { bad "$name: dmarc suppress failed"; cat "$U/suppress-$name.log"; }
    "$POSTSEAL" dmarc report --period "$day" --send --dns "127.0.0.1@$DNS" -c "$U/$name.toml" > "$U/send0-$name.log" 2>&1
    [ "$(ls "$U/outbox" | wc -l)" -eq 2 ] && ! grep -q 'ext@reports.example.net$' "$U/outbox"/* &&
      grep -q 'ext@reports.example.net: not sent: suppressed' "$U/send0-$name.log" && grep -q ' 1 suppressed,' "$U/send0-$name.log" &&
      ok "$name: a suppressed address gets no report, the run says so" || { bad "$name: suppression"; cat "$U/send0-$name.log"; }
    "$POSTSEAL" dmarc suppress --remove ext@reports.example.net -c "$U/$name.toml" > "$U/lift-$name.log" 2>&1 &&
      grep -q 'reports are sent again' "$U/lift-$name.log" && ok "$name: dmarc suppress --remove lifts it" ||
      { bad "$name: --remove"; cat "$U/lift-$name.log"; }
  fi
  "$POSTSEAL" dmarc report --period "$day" --send --dns "127.0.0.1@$DNS" -c "$U/$name.toml" > "$U/send-$name.log" 2>&1 ||
    { bad "$name: dmarc report --send failed"; cat "$U/send-$name.log"; }
  [ "$(ls "$U/outbox" | wc -l)" -eq 3 ] && ok "$name: --send: 3 messages (2 rua of report.example, 1 of quarantine-report.example)" ||
    { bad "$name: --send: $(ls "$U/outbox" | wc -l) messages"; cat "$U/send-$name.log"; }
  grep -l '^ARGS: -i -f dmarc-reports@mx.test.local -- ext@reports.example.net$' "$U/outbox"/* >/dev/null &&
    ok "$name: external rua authorized by _report._dmarc got its report" || bad "$name: nothing for ext@reports.example.net"
  ! grep -q 'nope@other.example.org' "$U/outbox"/* && grep -q 'nope@other.example.org: not sent: not authorized' "$U/send-$name.log" &&
    ok "$name: unauthorized external rua refused" || { bad "$name: other.example.org"; cat "$U/send-$name.log"; }
  f=$(grep -l '^ARGS: .* -- agg@report.example$' "$U/outbox"/* | head -1)
  grep -q "^Subject: Report Domain: report.example Submitter: mx.test.local Report-ID: <$day.report.example@mx.test.local>$" "$f" &&
    ok "$name: RFC 9990 Subject" || { bad "$name: Subject"; grep '^Subject' "$f"; }
  /usr/bin/python3 - "$f" "$U/att-$name.xml" <<'PY' && xmllint --noout --schema "$XSD" "$U/att-$name.xml" 2>/dev/null &&
import email, gzip, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
parts = [p for p in m.walk() if p.get_content_type() == "application/gzip"]
assert len(parts) == 1 and parts[0].get_filename().endswith(".xml.gz")
open(sys.argv[2], "wb").write(gzip.decompress(parts[0].get_payload(decode=True)))
PY
    ok "$name: the attachment is the gzipped report and validates" || bad "$name: attachment"
  if [ "$name" = sqlite ]; then
    local m bad_sig=0
    for m in "$U/outbox"/*; do dkim_verify "$m" || { bad_sig=1; bad "$name: dkimpy does not verify $(head -1 "$m")"; sed -n 2,12p "$m"; }; done
    [ $bad_sig -eq 0 ] && ok "$name: every report mail is DKIM-signed (d=mx.test.local) and dkimpy verifies it"
    m=$(ls "$U/outbox"/* | head -1); sed 's/^Subject: Report/Subject: Xeport/' "$m" > "$U/tampered-$name"
    ! dkim_verify "$U/tampered-$name" && ok "$name: dkimpy refuses a report mail changed after signing (the check can fail)" ||
      bad "$name: dkimpy verified a tampered report mail"
    grep -q 'sent, DKIM-Signature added (d=mx.test.local, s=rep, a=rsa-sha256)' "$U/send-$name.log" &&
      ok "$name: the run says which key signed" || { bad "$name: no signing line"; cat "$U/send-$name.log"; }
  else
    ! grep -q '^DKIM-Signature:' "$U/outbox"/* && ok "$name: without a key for mx.test.local the mail goes out unsigned" ||
      bad "$name: signed without a key?"
    [ "$(grep -c 'without a DKIM signature: no \[\[signer.domain\]\] key signs mx.test.local' "$U/send-$name.log")" -eq 1 ] &&
      ok "$name: the run says once that report mail is unsigned" || { bad "$name: unsigned note"; cat "$U/send-$name.log"; }
  fi
  "$POSTSEAL" dmarc report --period "$day" --send --dns "127.0.0.1@$DNS" -c "$U/$name.toml" > "$U/send2-$name.log" 2>&1
  [ "$(ls "$U/outbox" | wc -l)" -eq 3 ] && grep -q '3 already sent' "$U/send2-$name.log" &&
    ok "$name: a second --send run sends nothing" || { bad "$name: second run"; cat "$U/send2-$name.log"; }
}

fe_postfix "$P_SINK"
pf_master "127.0.0.1:$P_SMTPD inet n - n - - smtpd" "  -o smtpd_milters=inet:127.0.0.1:$MILTER"
config "path = \"$U/state.db\"" signed > "$U/sqlite.toml"
start_milter sqlite
fe_start "$P_SINK"
traffic sqlite
# The milter writes the counts of rows it has seen before once a second (docs/dmarc.md,
# "Recording"): a report run of the day while it runs sees them after that.
sleep 2
check_reports sqlite

if [ -x "$REDIS_SERVER" ]; then
  mkdir -p "$U/redis"
  redis_start "$U/redis" P_REDIS || die "redis-server did not start"
  config "backend = \"redis\"
redis = \"127.0.0.1:$P_REDIS\"" > "$U/redis.toml"
  start_milter redis
  traffic redis
  # no pause here: SIGTERM makes the milter write what it has added up before it exits
  stop_verifier && ok "redis: verifier stops on SIGTERM" || bad "redis: verifier did not stop on SIGTERM"
  check_reports redis
  # the recorder's unit cases (tests/unit/dmarc_report/recorder_test.cpp) against this server
  if [ -x "${POSTSEAL_BUILD:-}/tests/unit_dmarc_report" ]; then
    POSTSEAL_TEST_REDIS=127.0.0.1:$P_REDIS "$POSTSEAL_BUILD/tests/unit_dmarc_report" \
      --gtest_filter='Backends/RecorderTest.*/2:Backends/BatchedRecorderTest.*/2' > "$U/unit-redis.log" 2>&1 &&
      [ "$(grep -c '^\[       OK' "$U/unit-redis.log")" -eq 9 ] &&  # 8 less the two on the test's clock, 3 batched
      ok "recorder unit cases pass on Redis ($(grep -c '^\[       OK' "$U/unit-redis.log") cases)" ||
      { bad "recorder unit cases on Redis"; tail -20 "$U/unit-redis.log"; }
  fi
else
  echo "SKIP: redis-server not installed"
fi

stop_verifier && ok "verifier stops on SIGTERM" || bad "verifier did not stop on SIGTERM"
echo "dmarc_report: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

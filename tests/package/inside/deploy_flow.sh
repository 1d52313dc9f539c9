#!/usr/bin/env bash
# deploy_flow.sh - (not a ctest of its own: debian_package.sh copies it into its root) what the README's production path promises, run inside debian_package.sh's
# throwaway root (its own network namespace) right after `dpkg -i postseal_*.deb`: a Debian 12
# machine with Debian's own Postfix goes to signed outgoing mail, SRS forwarding and inbound
# SPF verification by pasting the shipped snippets and editing only domain names.
#
# The administrator's steps, as done here:
#   1. Postfix configured by Debian itself (dpkg-reconfigure: "Internet with smarthost",
#      mailname example.com); the smarthost [127.0.0.1]:2525 is an smtp-sink standing in for
#      the Internet. The machine's resolver is an unbound holding the published records.
#   2. postseal keygen --owner postseal for the two selectors the shipped postseal.toml names
#      (s2026a rsa, e2026a ed25519) and their TXT records published; in postseal.toml only
#      [srs] domain = "example.com" is set; postseal check-config says ok.
#   3. the snippets pasted from /usr/share/doc/postseal/examples/postfix: signer-*, srs-*,
#      policy-main.cf (the verifier's policy service); a certificate and a SASL user for the
#      submission port the signer snippet defines.
#   4. the three daemons started as their units start them (ExecStart as root, umask 022,
#      the daemons drop privileges themselves) inside what unit_sandbox.sh reproduces of the
#      units' sandbox (read-only system but their ReadWritePaths=, private /tmp, bounded
#      capabilities, no new privileges), then Postfix.
# Checks: mail from sendmail (pickup) and from an authenticated submission leaves signed with
# both keys (dkimpy verifies the copy at the smarthost through the same DNS); a message to a
# forwarding alias leaves with an SRS0 envelope sender of example.com and a bounce to that
# address reaches the original sender; an external client (XCLIENT) outside the sender's SPF
# is refused 550 5.7.23 and one inside gets Received-SPF: pass in the delivered mailbox;
# SIGHUP to each daemon keeps it serving; SIGTERM stops each with status 0; postconf prints no
# warning; Debian's rsyslog puts each daemon's start, reload and stop lines and its lines per
# message (with Postfix's queue id) in /var/log/mail.log.
# Output: "ok: ..." / "FAIL: ..." lines (debian_package.sh counts them). Runs as root inside
# the throwaway root only: it rewrites /etc/postfix and /etc/resolv.conf.
set -u
LIB=${1:?directory holding unbound.sh (tests/lib)}
say() { echo "$1: $2"; }
check() { if eval "$2"; then say ok "$1"; else say FAIL "$1"; fi; }
W=/var/tmp/deploy
mkdir -p $W/sink $W/dns && chown postfix $W/sink
PIDS=()
cleanup() {
  postfix stop >/dev/null 2>&1
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
}
trap cleanup EXIT
ip link set lo up

# wait_port PORT - until something listens on 127.0.0.1:PORT (10 s).
wait_port() {
  local i; for i in $(seq 1 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  return 1
}
# sink_file TOKEN - the smarthost's copy holding TOKEN (waits up to 30 s).
sink_file() {
  local i f; for i in $(seq 1 150); do
    postqueue -f >/dev/null 2>&1
    f=$(grep -l -- "$1" $W/sink/* 2>/dev/null | head -1)
    [ -n "$f" ] && { echo "$f"; return 0; }
    sleep 0.2
  done
  return 1
}
envelope() { sed -n "s/^X-$2-Args: <\([^>]*\)>.*/\1/p" "$1" | head -1; }

# 1. Debian's Postfix, the smarthost and the DNS.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Internet with smarthost
postfix postfix/mailname string example.com
postfix postfix/relayhost string [127.0.0.1]:2525
postfix postfix/destinations string example.com, localhost
SEL
echo example.com > /etc/mailname
rm -f /etc/postfix/main.cf
DEBIAN_FRONTEND=noninteractive dpkg-reconfigure -f noninteractive postfix > $W/reconfigure.log 2>&1
check "Debian configured Postfix (Internet with smarthost)" '[ "$(postconf -h relayhost)" = "[127.0.0.1]:2525" ]'
postconf -e 'myhostname = mx.example.com' 'smtpd_authorized_xclient_hosts = 127.0.0.1'
# The machine's syslog: Debian's rsyslog with its own rsyslog.conf (mail.* -> /var/log/mail.log,
# and /etc/rsyslog.d/postfix.conf's socket in Postfix's chroot) less the kernel log, which a
# namespace must not drain. /dev/log is in the root's own /dev (debian_package.sh).
mkdir -p /var/spool/postfix/dev
sed '/imklog/d' /etc/rsyslog.conf > $W/rsyslog.conf
rsyslogd -n -f $W/rsyslog.conf -i $W/rsyslog.pid > $W/rsyslog.out 2>&1 < /dev/null &
PIDS+=($!)
for i in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.1; done
[ -S /dev/log ] || say FAIL "rsyslogd made no /dev/log: $(tail -2 $W/rsyslog.out)"
setsid smtp-sink -u postfix -d "$W/sink/%H%M%S." 127.0.0.1:2525 64 > $W/sink.log 2>&1 < /dev/null &
PIDS+=($!)
wait_port 2525 || say FAIL "smtp-sink did not start"

# 2. Keys, records, the one config edit.
for k in s2026a:rsa e2026a:ed25519; do
  postseal keygen --domain example.com --selector ${k%%:*} --type ${k##*:} --dir /etc/postseal/keys \
    --owner postseal > $W/keygen.log 2>&1 || say FAIL "keygen ${k%%:*}: $(tail -1 $W/keygen.log)"
done
{
  for s in s2026a e2026a; do
    echo "local-data: '$s._domainkey.example.com. 300 IN TXT $(grep -o '"[^"]*"' /etc/postseal/keys/$s.txt | tr '\n' ' ')'"
  done
  echo "local-data: 'example.com. 300 IN TXT \"v=spf1 ip4:127.0.0.1 -all\"'"
  echo "local-data: 'sender.example. 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"'"
  echo "local-data: 'elsewhere.example. 300 IN MX 10 mx.elsewhere.example.'"
} > $W/dns/data
# shellcheck source=../../lib/unbound.sh
. "$LIB/unbound.sh"
if unbound_start $W/dns 53 $W/dns/data > $W/dns/start.log 2>&1; then
  say ok "unbound answers the published records on 127.0.0.1:53"
else
  say FAIL "unbound did not start: $(tail -2 $W/dns/start.log)"
fi
PIDS+=("$(cat $W/dns/unbound.pid 2>/dev/null)")
echo "nameserver 127.0.0.1" > /etc/resolv.conf
sed -i 's/^# \[srs\]$/[srs]/; s/^# domain = ""$/domain = "example.com"/' /etc/postseal/postseal.toml
check "postseal check-config: the shipped config with the domain set is ok" \
  'postseal check-config -c /etc/postseal/postseal.toml > $W/check-config.log 2>&1 || { cat $W/check-config.log; false; }'

# 3. The snippets, pasted; the submission port's certificate and SASL user.
EX=/usr/share/doc/postseal/examples/postfix
# srs: main.cf form A only (the snippet says: pick one of srs-main.cf and srs-master.cf)
for f in signer srs policy; do
  [ -f $EX/$f-main.cf ] && cat $EX/$f-main.cf >> /etc/postfix/main.cf
  if [ -f $EX/$f-master.cf ] && [ $f != srs ]; then
    # a master.cf snippet's services replace the entries of the same name and type
    awk 'NR == FNR { if ($0 ~ /^[^#[:space:]]/) drop[$1 "/" $2] = 1; next }
         /^[^#[:space:]]/ { skip = ($1 "/" $2) in drop }
         /^#/ { skip = 0 }
         !skip' $EX/$f-master.cf /etc/postfix/master.cf > /etc/postfix/master.cf.new
    cat $EX/$f-master.cf >> /etc/postfix/master.cf.new && mv /etc/postfix/master.cf.new /etc/postfix/master.cf
  fi
done
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.example.com \
  -keyout /etc/postfix/mx.key -out /etc/postfix/mx.pem > /dev/null 2>&1
chmod 600 /etc/postfix/mx.key
postconf -e 'smtpd_tls_cert_file = /etc/postfix/mx.pem' 'smtpd_tls_key_file = /etc/postfix/mx.key'
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n' > /etc/postfix/sasl/smtpd.conf
echo 'pw-alice' | saslpasswd2 -p -c -u example.com alice
chown root:postfix /etc/sasldb2 && chmod 640 /etc/sasldb2
useradd -m alice 2>/dev/null
echo 'fwd: carol@elsewhere.example' >> /etc/aliases && newaliases
postconf > /dev/null 2> $W/postconf.err
check "postconf prints no warning with the snippets pasted" '! grep . $W/postconf.err || { cat $W/postconf.err; false; }'

# 4. The daemons as their units start them, then Postfix.
# unit_sandbox.sh reproduces what it can of the units' sandbox (ProtectSystem=strict with their
# ReadWritePaths=, PrivateTmp=, ProtectHome=, NoNewPrivileges=, CapabilityBoundingSet=, umask).
for unit in signer srsd verifier; do
  setsid bash "$LIB/unit_sandbox.sh" /lib/systemd/system/postseal-$unit.service > $W/$unit.out 2>&1 < /dev/null &
  PIDS+=($!)
done
for port in 10027 10003 10040; do wait_port $port || say FAIL "nothing listens on 127.0.0.1:$port ($(cat $W/*.out | tail -3))"; done
check "the daemons run as user postseal" \
  '[ "$(ps -o user= -p "${PIDS[-3]}" -p "${PIDS[-2]}" -p "${PIDS[-1]}" | sort -u | tr -d " \n")" = postseal ] || { ps -o user=,args= -p "${PIDS[-1]}"; false; }'
/usr/lib/postfix/configure-instance.sh > /dev/null 2>&1
postfix start > $W/postfix-start.log 2>&1 || say FAIL "postfix start: $(tail -2 $W/postfix-start.log)"
wait_port 25 && wait_port 587 || say FAIL "Postfix does not listen on 25 and 587"

# dkimpy on the smarthost's copy, through the machine's resolver.
dkim_both() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, dkim
lines = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").split(b"\n")
i = 0
while i < len(lines) and lines[i].startswith(b"X-"): i += 1   # smtp-sink's envelope lines
msg = b"\r\n".join(lines[i:])
d = dkim.DKIM(msg)
sigs = [l for l in lines[i:] if l.lower().startswith(b"dkim-signature:")]
ok = [d.verify(idx=n) for n in range(len(sigs))]
print(len(sigs), ok)
sys.exit(0 if len(sigs) == 2 and all(ok) else 1)
PY
}

# 5a. Outgoing from a local program (sendmail -> pickup -> the signer).
tok=pickup-$$
printf 'From: alice@example.com\nTo: bob@elsewhere.example\nSubject: %s\n\nfrom cron\n' $tok \
  | runuser -u alice -- /usr/sbin/sendmail -f alice@example.com bob@elsewhere.example
if f=$(sink_file $tok); then
  unfolded=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]\+/ /g' "$f")
  check "sendmail: the copy leaves with DKIM-Signature d=example.com s=s2026a (rsa) and s=e2026a (ed25519)" \
    'echo "$unfolded" | grep -q "^DKIM-Signature: v=1; a=rsa-sha256; .*d=example.com; s=s2026a;" && echo "$unfolded" | grep -q "^DKIM-Signature: v=1; a=ed25519-sha256; .*d=example.com; s=e2026a;" || { grep -i -A1 "^DKIM-Signature" "$f"; false; }'
  check "sendmail: dkimpy verifies both signatures (rsa-sha256, ed25519-sha256)" 'dkim_both "$f" > $W/dkim.out 2>&1 || { cat $W/dkim.out; false; }'
else
  say FAIL "sendmail: nothing reached the smarthost ($(tail -3 /var/log/mail.log))"
fi

# 5b. Outgoing from an authenticated submission (port 587, STARTTLS, SASL PLAIN).
tok=submission-$$
swaks --server 127.0.0.1 --port 587 --tls --auth PLAIN --auth-user alice@example.com \
  --auth-password pw-alice --from alice@example.com --to bob@elsewhere.example \
  --header "Subject: $tok" --silent 2 < /dev/null > $W/swaks.log 2>&1 \
  || say FAIL "submission refused: $(tail -3 $W/swaks.log)"
if f=$(sink_file $tok); then
  check "submission: dkimpy verifies both signatures" 'dkim_both "$f" > $W/dkim.out 2>&1 || { cat $W/dkim.out; false; }'
else
  say FAIL "submission: nothing reached the smarthost"
fi

# 5c. Inbound: SPF through the policy service, from the client's side (XCLIENT).
tok=spf-fail-$$
out=$(swaks --server 127.0.0.1 --port 25 --xclient-addr 198.51.100.7 --xclient-name mail.sender.example \
  --helo mail.sender.example --from dave@sender.example --to alice@example.com --header "Subject: $tok" \
  --silent 2 < /dev/null 2>&1)
check "inbound from outside sender.example's SPF: 550 5.7.23" 'echo "$out" | grep -q "<\*\* 550 5.7.23"  || { echo "$out" | tail -3; false; }'
tok=spf-pass-$$
swaks --server 127.0.0.1 --port 25 --xclient-addr 192.0.2.10 --xclient-name mail.sender.example \
  --helo mail.sender.example --from dave@sender.example --to alice@example.com --header "Subject: $tok" \
  --silent 2 < /dev/null > $W/swaks.log 2>&1 || say FAIL "inbound pass refused: $(tail -3 $W/swaks.log)"
for i in $(seq 1 100); do grep -q $tok /var/mail/alice 2>/dev/null && break; sleep 0.2; done
check "inbound from inside the SPF: delivered to /var/mail/alice with Received-SPF: pass" \
  'grep -B30 $tok /var/mail/alice | grep -q "^Received-SPF: pass .*envelope-from=\"dave@sender.example\"; helo=mail.sender.example; client-ip=192.0.2.10$" || { grep -B30 $tok /var/mail/alice; tail -5 /var/log/mail.log; false; }'

# 5d. SRS: a forwarding alias and a bounce back.
tok=srs-$$
swaks --server 127.0.0.1 --port 25 --xclient-addr 192.0.2.10 --xclient-name mail.sender.example \
  --helo mail.sender.example --from dave@sender.example --to fwd@example.com --header "Subject: $tok" \
  --silent 2 < /dev/null > $W/swaks.log 2>&1 || say FAIL "forwarded message refused: $(tail -3 $W/swaks.log)"
srs=""
if f=$(sink_file $tok); then
  srs=$(envelope "$f" Mail)
  check "forwarded to carol@elsewhere.example with an SRS0 sender of example.com ($srs)" \
    '[[ "$srs" =~ ^SRS0=[^=]+=[A-Z2-7]{2}=sender\.example=dave@example\.com$ ]] && [ "$(envelope "$f" Rcpt)" = carol@elsewhere.example ]'
else
  say FAIL "forwarded message did not reach the smarthost"
fi
tok=bounce-$$
if [ -n "$srs" ]; then
  swaks --server 127.0.0.1 --port 25 --xclient-addr 203.0.113.25 --xclient-name mx.elsewhere.example \
    --helo mx.elsewhere.example --from '<>' --to "$srs" --header "Subject: $tok" --silent 2 < /dev/null \
    > $W/swaks.log 2>&1 || say FAIL "bounce refused: $(tail -3 $W/swaks.log)"
  if f=$(sink_file $tok); then
    check "the bounce to the SRS0 address goes back to dave@sender.example" '[ "$(envelope "$f" Rcpt)" = dave@sender.example ]'
  else
    say FAIL "the bounce did not reach the smarthost"
  fi
fi

# 6. SIGHUP, as `systemctl reload` sends it: every daemon keeps serving.
for n in -3 -2 -1; do kill -HUP "${PIDS[$n]}"; done
sleep 1
check "after SIGHUP the three daemons are running" 'kill -0 "${PIDS[-3]}" && kill -0 "${PIDS[-2]}" && kill -0 "${PIDS[-1]}"'
tok=after-hup-$$
printf 'From: alice@example.com\nTo: bob@elsewhere.example\nSubject: %s\n\nafter reload\n' $tok \
  | runuser -u alice -- /usr/sbin/sendmail -f alice@example.com bob@elsewhere.example
f=$(sink_file $tok) && check "after SIGHUP: still signed" 'dkim_both "$f" > /dev/null 2>&1' \
  || say FAIL "after SIGHUP: nothing reached the smarthost"
# 7. SIGTERM, as `systemctl stop` sends it: each daemon finishes and exits 0 by itself, well
# within the units' TimeoutStopSec (60 s; 10 s here, nothing is in flight).
names=(signer srsd verifier)   # the order they were started in
for n in -3 -2 -1; do kill -TERM "${PIDS[$n]}"; done
for n in 0 1 2; do
  pid=${PIDS[n - 3]} unit=${names[n]}
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say FAIL "SIGTERM: postseal $unit still runs after 10 s"
  else
    wait "$pid"; rc=$?
    check "SIGTERM: postseal $unit exits 0 (status $rc)" '[ $rc -eq 0 ]'
  fi
done
# 8. What the administrator reads in /var/log/mail.log (syslog, facility mail, the default):
# each daemon's start, reload and stop line; the signer's line per message and the policy
# service's reject line carry Postfix's queue id and client as Postfix's own lines do.
sleep 1   # rsyslog's last batch
L=/var/log/mail.log
for unit in signer srsd verifier; do
  check "mail.log: postseal/$unit's start, SIGHUP and stop lines" \
    'grep -q "postseal/$unit\[[0-9]*\]: starting: " $L && grep -q "postseal/$unit\[[0-9]*\]: $unit: reloaded: " $L && grep -q "postseal/$unit\[[0-9]*\]: stopped$" $L || { grep "postseal/$unit" $L | tail -5; false; }'
done
qid=$(sed -n "s/.* postfix\/pickup\[[0-9]*\]: \([0-9A-F]*\): uid=$(id -u alice) from=<alice@example.com>$/\1/p" $L | head -1)
check "mail.log: the signer's line for the sendmail message carries its Postfix queue id ($qid)" \
  '[ -n "$qid" ] && grep -q "postseal/signer\[[0-9]*\]: $qid: .*relayed: 250" $L || { grep -E "pickup|postseal/signer" $L | head -5; false; }'
check "mail.log: the policy service's line for the SPF reject names the client" \
  'grep -q "postseal/verifier\[[0-9]*\]: .*client=mail.sender.example\[198.51.100.7\]" $L || { grep postseal/verifier $L | head -5; false; }'
if [ -n "${DEPLOY_FLOW_VERBOSE:-}" ]; then tail -40 /var/log/mail.log; cat $W/*.out; fi

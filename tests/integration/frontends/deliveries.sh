# shellcheck shell=bash
# deliveries.sh - the delivery checks every inbound front end (milter, proxy) must pass through
# a real Postfix, and the message helpers they use (bash library; source it after
# tests/lib/mailcheck.sh). Expects POSTSEAL_SRC, R (the pf_init dir), P_SMTPD (where Postfix
# listens, XCLIENT allowed from 127.0.0.1), DNS (the unbound holding unbound-data.conf).
#
#   message TOKEN [HEADER...]   a CRLF message from user@dkim.example on stdout
#   sign KEY SELECTOR ALG       sign stdin with dkimpy (the Debian peer) for dkim.example
#   send FROM ADDR FILE         one message from client ADDR (XCLIENT); swaks' transcript
#   check_deliveries            four messages from an SPF-authorized client, each delivered:
#     rsa-good     one A-R with our id, spf=pass smtp.mailfrom, dkim=pass header.d/s/a and
#                  header.b, exactly one Received-SPF: pass, and the delivered message still
#                  verifies with dkimpy (our fields did not break the signature);
#     rsa-tampered dkim=fail; ed-good (ed25519-sha256) dkim=pass;
#     forged       A-R fields claiming our id (two spellings, interleaved with a foreign one)
#                  removed, the foreign one kept, exactly one A-R with our id.

# message TOKEN [extra header lines...] - a CRLF message on stdout.
message() {
  local token=$1; shift
  printf 'From: Sender <user@dkim.example>\r\nTo: rcpt@dest.example\r\nSubject: %s\r\n' "$token"
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@dkim.example>\r\n' "$token"
  local h; for h in "$@"; do printf '%s\r\n' "$h"; done
  printf '\r\nHello,\r\nthis is the body of %s.\r\n\r\n-- \r\nsender\r\n' "$token"
}
sign() {  # KEY SELECTOR ALG < message
  /usr/bin/python3 "$POSTSEAL_SRC/tests/integration/frontends/sign.py" "$1" "$2" dkim.example "$3"
}
# send FROM ADDR FILE - one message from client ADDR; prints swaks' transcript.
send() {
  swaks --server 127.0.0.1 --port $P_SMTPD --from "$1" --to rcpt@dest.example \
    --xclient-addr "$2" --xclient-name unknown --xclient-helo mail.client.example.com \
    --helo mail.client.example.com --data "$3" </dev/null 2>&1
}

check_deliveries() {
  local out f a
  # SPF pass + DKIM rsa-sha256 good.
  message rsa-good | sign "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" sel2048 rsa-sha256 > "$R/good.eml" || die "dkimpy signing failed"
  out=$(send user@dkim.example 192.0.2.10 "$R/good.eml")
  if f=$(sink_find rsa-good); then
    a=$(ours "$f")
    [ "$(echo "$a" | grep -c .)" -eq 1 ] && ok "pass: one Authentication-Results with our id" || bad "pass: $(echo "$a" | grep -c .) A-R fields with our id"
    echo "$a" | grep -qE 'spf=pass [^;]*smtp.mailfrom=user@dkim.example' && ok "pass: A-R spf=pass smtp.mailfrom" || { bad "pass: no spf=pass in A-R"; echo "$a"; }
    echo "$a" | grep -qE 'dkim=pass [^;]*header.d=dkim.example [^;]*header.s=sel2048 header.a=rsa-sha256' \
      && ok "rsa-sha256: dkim=pass with header.d/s/a" || { bad "rsa-sha256: no dkim=pass"; echo "$a"; }
    echo "$a" | grep -qE 'sel2048 [^;]*header.b=' && ok "rsa-sha256: header.b present" || bad "rsa-sha256: no header.b"
    fields "$f" Received-SPF | grep -q '^Received-SPF: pass ' && ok "pass: Received-SPF: pass" || { bad "pass: no Received-SPF: pass"; fields "$f" Received-SPF; }
    [ "$(fields "$f" Received-SPF | grep -c .)" -eq 1 ] && ok "pass: exactly one Received-SPF" || bad "pass: Received-SPF count wrong"
    # The DKIM signature still verifies after our fields were prepended (dkimpy, real DNS).
    if /usr/bin/python3 - "$f" "$DNS" <<'PY'
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ["127.0.0.1"]; r.port = int(sys.argv[2])
def txt(name, timeout=5):
    return b"".join(b"".join(x.strings) for x in r.resolve(name.decode().rstrip("."), "TXT"))
raw = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
# smtp-sink -d: drop its X- envelope lines (LF line ends) before the message
lines = raw.split(b"\n"); i = 0
while i < len(lines) and lines[i].startswith(b"X-"): i += 1
msg = b"\r\n".join(lines[i:])
sys.exit(0 if dkim.verify(msg, dnsfunc=txt) else 1)
PY
    then ok "rsa-sha256: delivered message still verifies with dkimpy"; else bad "rsa-sha256: dkimpy cannot verify the delivered message"; fi
  else bad "SPF pass message not delivered"; echo "$out" | tail -8; fi

  # Tampered body.
  message rsa-tampered | sign "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/2048_testkey.key" sel2048 rsa-sha256 | sed 's/this is the body/this is THE body/' > "$R/tampered.eml"
  out=$(send user@dkim.example 192.0.2.10 "$R/tampered.eml")
  if f=$(sink_find rsa-tampered); then
    a=$(ours "$f")
    echo "$a" | grep -qE 'dkim=fail [^;]*header.d=dkim.example [^;]*header.s=sel2048' && ok "tampered: dkim=fail" || { bad "tampered: no dkim=fail"; echo "$a"; }
  else bad "tampered message not delivered"; echo "$out" | tail -8; fi

  # Ed25519.
  message ed-good | sign "$POSTSEAL_SRC/tests/data/dkim/dkimpy-data/ed25519test.key" ed ed25519-sha256 > "$R/ed.eml" || die "dkimpy ed25519 signing failed"
  out=$(send user@dkim.example 192.0.2.10 "$R/ed.eml")
  if f=$(sink_find ed-good); then
    a=$(ours "$f")
    echo "$a" | grep -qE 'dkim=pass [^;]*header.d=dkim.example [^;]*header.s=ed header.a=ed25519-sha256' && ok "ed25519: dkim=pass" || { bad "ed25519: no dkim=pass"; echo "$a"; }
  else bad "ed25519 message not delivered"; echo "$out" | tail -8; fi

  # Forged A-R with our id (two spellings, interleaved with a foreign one) removed.
  message forged 'Authentication-Results: mx.test.local; dkim=pass header.d=bank.example' \
    'Authentication-Results: other.example; spf=pass smtp.mailfrom=x@other.example' \
    'Authentication-Results: (comment) MX.Test.Local ; spf=pass smtp.mailfrom=bank.example' > "$R/forged.eml"
  out=$(send user@dkim.example 192.0.2.10 "$R/forged.eml")
  if f=$(sink_find forged); then
    if fields "$f" Authentication-Results | grep -q 'bank.example'; then bad "forged: an A-R claiming our id survived"; fields "$f" Authentication-Results
    else ok "forged: A-R fields claiming our id removed"; fi
    fields "$f" Authentication-Results | grep -q '^Authentication-Results: other.example;' && ok "forged: foreign A-R kept" || bad "forged: foreign A-R removed"
    [ "$(ours "$f" | grep -c .)" -eq 1 ] && ok "forged: exactly one A-R with our id (ours)" || bad "forged: $(ours "$f" | grep -c .) A-R with our id"
  else bad "forged message not delivered"; echo "$out" | tail -8; fi
}

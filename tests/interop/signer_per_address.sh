#!/bin/bash
# signer_per_address.sh - per-address signing ([[signer.sender]], signer/filter/sender_rows.hpp)
# through `postseal signer`, the content filter, against fake_downstream.py; dkimpy
# (python3-dkim) verifies each message with the keys `postseal keygen` made, served through
# its dnsfunc hook (no network), and the test checks which d=, s= and i= signed it:
# alice@example.com (also as ALICE@EXAMPLE.COM) with her own selector and i=, bob with the
# domain's, x@eu.shop.example.com with the *@*.shop.example.com row's d=example.com, and
# nobody@example.org not at all; a row with a quoted local part ("john doe"@example.com, RFC
# 5321 4.1.2) signs From "john doe"@example.com and "john\ doe"@example.com (compared unquoted),
# and alice's row signs From "alice"@example.com. Then the config gains a row for bob and SIGHUP reloads it:
# bob's next message carries his selector; with keys.rotation = true check-config and `postseal
# keys status` say the sender rows' keys are not rotated; with multiple_signatures = true (another
# SIGHUP) alice's mail carries her row's and the domain's signatures. Ports 10227 (filter), 10228 (fake downstream).
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
PY=/usr/bin/python3
DOWN=$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py
R=$(mktemp -d /var/tmp/postseal-peraddr.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$R"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*" >&2; tail -n 5 "$R/signer.log" >&2; exit 1; }
. "$POSTSEAL_SRC/tests/lib/ports.sh"  # wait_listen PORT PID: PID still runs and the listener is its own
wait_port() { wait_listen "$1" "$2" 50 || fail "pid $2 does not listen on port $1"; }

$PY -c 'import dkim' 2>/dev/null || fail "python3-dkim is not installed for $PY"
for p in 10227 10228; do
  ss -Hltn "sport = :$p" | grep -q . && fail "port $p is already in use"
done
mkdir -p "$R/down" "$R/keys"; chmod 700 "$R/keys"
for spec in example.com:rsa:s2026 example.com:ed25519:alice2026 example.com:rsa:shop2026 example.com:rsa:bob2026 \
  example.com:rsa:john2026; do
  IFS=: read -r domain type sel <<<"$spec"
  "$POSTSEAL" keygen --domain "$domain" --selector "$sel" --type "$type" --dir "$R/keys" --json \
    > "$R/keys/$sel.json" 2>/dev/null || fail "keygen $sel"
  $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["name"], r["value"])' \
    "$R/keys/$sel.json" >> "$R/dns.txt"
done
write_config() {  # write_config [bob] - the config, with a row for bob when asked
  cat > "$R/postseal.toml" <<TOML
[signer]
[[signer.domain]]
name = "example.com"
keys = ["s2026:$R/keys/s2026.private"]
[[signer.sender]]
address = "alice@example.com"
keys = ["alice2026:$R/keys/alice2026.private"]
identity = "alice@example.com"
[[signer.sender]]
address = "*@*.shop.example.com"
domain = "example.com"
keys = ["shop2026:$R/keys/shop2026.private"]
[[signer.sender]]
address = "\"john doe\"@example.com"
keys = ["john2026:$R/keys/john2026.private"]
TOML
  if [ "${1:-}" = bob ]; then
    printf '[[signer.sender]]\naddress = "bob@example.com"\nkeys = ["bob2026:%s/keys/bob2026.private"]\n' "$R" \
      >> "$R/postseal.toml"
  fi
}
write_config
"$POSTSEAL" check-config -c "$R/postseal.toml" >/dev/null 2>"$R/check.err" || fail "check-config: $(cat "$R/check.err")"

$PY "$DOWN" 10228 accept "$R/down" >"$R/fake.log" 2>&1 & PIDS+=($!)
wait_port 10228 $!
"$POSTSEAL" signer -c "$R/postseal.toml" --listen 127.0.0.1:10227 --relay 127.0.0.1:10228 --foreground \
  >"$R/signer.log" 2>&1 & SIGNER=$!; PIDS+=($SIGNER)
wait_port 10227 $SIGNER

# check FROM WANT - send a message from FROM through the filter; dkimpy must verify every
# signature of what arrives, whose "d= s= i=" (i= "-" when absent) must be WANT ("" = unsigned)
check() {
  $PY - "$R" "$1" "$2" <<'PYEOF' || fail "message from $1"
import glob, os, smtplib, sys, time
import dkim
r, sender, want = sys.argv[1], sys.argv[2], sys.argv[3]
before = set(glob.glob(r + "/down/*.eml"))
msg = ("From: %s\r\nTo: rcpt@example.net\r\nSubject: per-address %s\r\n"
       "Message-ID: <%s@example.com>\r\n\r\nHello.\r\n" % (sender, sender, time.time_ns()))
s = smtplib.SMTP("127.0.0.1", 10227, timeout=30)
s.sendmail("bounce@example.com", ["rcpt@example.net"], msg.encode())
s.quit()
for _ in range(50):
    new = set(glob.glob(r + "/down/*.eml")) - before
    if new:
        time.sleep(0.2)  # let the fake finish writing it
        break
    time.sleep(0.1)
else:
    print("%s: nothing arrived downstream" % sender)
    sys.exit(1)
data = open(new.pop(), "rb").read()
zone = {}
for line in open(r + "/dns.txt"):
    name, value = line.strip().split(" ", 1)
    zone[name.rstrip(".").lower() + "."] = value.encode()
def dnsfunc(name, timeout=5):
    key = name.decode() if isinstance(name, bytes) else name
    return zone.get(key.rstrip(".").lower() + ".")
d = dkim.DKIM(data, minkey=1024)
sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
got = []
for idx, value in enumerate(sigs):
    tags = {}
    for t in value.replace(b"\r\n", b"").split(b";"):
        if b"=" in t:
            k, v = t.split(b"=", 1)
            tags[k.strip().decode()] = v.strip().replace(b" ", b"").replace(b"\t", b"").decode()
    if not d.verify(idx=idx, dnsfunc=dnsfunc):
        print("%s: signature %d does not verify with dkimpy" % (sender, idx))
        sys.exit(1)
    got.append("d=%s s=%s i=%s" % (tags["d"], tags["s"], tags.get("i", "-")))
print("%s: %s" % (sender, got or "unsigned"))
if " | ".join(got) != want:
    print("%s: want %r" % (sender, want))
    sys.exit(1)
PYEOF
}
check "Alice <alice@example.com>" "d=example.com s=alice2026 i=alice@example.com"
check "ALICE@EXAMPLE.COM" "d=example.com s=alice2026 i=alice@example.com"
check "bob@example.com" "d=example.com s=s2026 i=-"
check "x@eu.shop.example.com" "d=example.com s=shop2026 i=-"
check "nobody@example.org" ""
check '"john doe"@example.com' "d=example.com s=john2026 i=-"
check 'John <"john\ doe"@example.com>' "d=example.com s=john2026 i=-"
check '"John Doe"@EXAMPLE.com' "d=example.com s=john2026 i=-"
check '"john.doe"@example.com' "d=example.com s=s2026 i=-"
check '"alice"@example.com' "d=example.com s=alice2026 i=alice@example.com"
echo "ok: alice, bob, shop, quoted local parts and an unlisted domain signed as their rows say"

write_config bob
kill -HUP "$SIGNER"
for _ in $(seq 1 50); do grep -q "reloaded" "$R/signer.log" && break; sleep 0.1; done
grep -q "reloaded: 1 signing domain(s), 4 sender row(s)" "$R/signer.log" || fail "no reload with 4 sender rows after SIGHUP"
sleep 0.5
check "bob@example.com" "d=example.com s=bob2026 i=-"
check "alice@example.com" "d=example.com s=alice2026 i=alice@example.com"
echo "ok: SIGHUP carried bob's new [[signer.sender]] row"

# signer.multiple_signatures = true, read on SIGHUP: alice's row and the domain's row both sign
# (hers on top); a subdomain sender still gets its row only (example.com has no subdomains)
sed -i 's/^\[signer\]$/[signer]\nmultiple_signatures = true/' "$R/postseal.toml"
kill -HUP "$SIGNER"
for _ in $(seq 1 50); do [ "$(grep -c "reloaded" "$R/signer.log")" -ge 2 ] && break; sleep 0.1; done
grep -q "reloaded: 1 signing domain(s), 4 sender row(s), every matching row signs (multiple_signatures)" \
  "$R/signer.log" || fail "no reload with multiple_signatures after SIGHUP"
sleep 0.5
check "alice@example.com" "d=example.com s=alice2026 i=alice@example.com | d=example.com s=s2026 i=-"
check '"john doe"@example.com' "d=example.com s=john2026 i=- | d=example.com s=s2026 i=-"
check "x@eu.shop.example.com" "d=example.com s=shop2026 i=-"
echo "ok: SIGHUP carried multiple_signatures = true; every matching row signed, dkimpy verified each"

# Rotation is per domain: with keys.rotation = true, check-config warns that sender rows keep
# their keys, and `postseal keys status` lists each of their keys as not rotated.
{ cat "$R/postseal.toml"; printf '[keys]\nrotation = true\n[state]\nbackend = "sqlite"\npath = "%s/state.db"\n' "$R"; } \
  > "$R/rotation.toml"
"$POSTSEAL" check-config -c "$R/rotation.toml" >/dev/null 2>"$R/check.err" || fail "check-config with rotation: $(cat "$R/check.err")"
grep -q "warning: .*rotates \[\[signer.domain\]\] keys only; the 4 \[\[signer.sender\]\] rows sign with their configured keys" \
  "$R/check.err" || fail "check-config does not say sender rows are not rotated: $(cat "$R/check.err")"
"$POSTSEAL" keys status -c "$R/rotation.toml" >"$R/status.out" 2>&1 || fail "keys status: $(cat "$R/status.out")"
grep -q "^alice@example.com example.com alice2026: not rotated" "$R/status.out" &&
  grep -q "^bob@example.com example.com bob2026: not rotated" "$R/status.out" ||
  fail "keys status does not list the sender keys: $(cat "$R/status.out")"
"$POSTSEAL" keys status -c "$R/rotation.toml" --domain example.org >"$R/status.out" 2>&1 || fail "keys status --domain"
grep -q "not rotated" "$R/status.out" && fail "keys status --domain example.org lists example.com's sender keys"
echo "ok: keys status and check-config say sender keys are not rotated"
echo "PASS: per-address signing verified by dkimpy"

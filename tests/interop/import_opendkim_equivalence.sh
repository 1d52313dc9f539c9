#!/usr/bin/env bash
# import_opendkim_equivalence.sh - issue 16's equivalence test: Debian's opendkim, started by
# the test on a free loopback port with a KeyTable/refile SigningTable config (relaxed/simple,
# OversignHeaders From, MultipleSignatures off, a per-address row with i= for alice before
# *@example.com), signs messages over the milter protocol; `postseal import opendkim` turns
# that config into [[signer.domain]] and [[signer.sender]]; `postseal signer` (the content
# filter, in front of fake_downstream.py) signs the same messages with it. Same d=, s=, i=,
# c=, a=; postseal's h= covers opendkim's; dkimpy verifies both
# (import_opendkim_equivalence.py). Then the same with MultipleSignatures yes and a row
# signing carol@example.com with an ESP's d=esp.example above *@example.com: the import
# carries it as signer.multiple_signatures = true, opendkim and postseal put the same set of
# (d=, s=, i=) on each message (alice's row and the domain's; the ESP's and the domain's) and
# dkimpy verifies every signature of both. Each message matches two rows: Debian's opendkim
# 2.11.0 was seen to add only two of three signatures when a message matched three refile rows
# (the middle row's missing, whatever the order), which this test does not exercise. Needs
# root (opendkim's key must be owned by its user).
set -euo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (the key must belong to opendkim's user)"; exit 77; }
[ -x /usr/sbin/opendkim ] || { echo "FAIL: opendkim not installed"; exit 1; }
/usr/bin/python3 -c 'import dkim, tomllib' || { echo "FAIL: python3-dkim missing"; exit 1; }
T=$(mktemp -d /tmp/postseal-odk-eq.XXXXXX)
pid="" spid="" dpid=""
cleanup() { for p in $pid $spid $dpid; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
chmod 755 "$T"
mkdir -p "$T/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/keys/example.com.s2026.private" 2>/dev/null
openssl pkey -in "$T/keys/example.com.s2026.private" -pubout -outform DER 2>/dev/null | base64 -w0 > "$T/public.b64"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/keys/alice.private" 2>/dev/null
openssl pkey -in "$T/keys/alice.private" -pubout -outform DER 2>/dev/null | base64 -w0 > "$T/alice.b64"
chown -R opendkim "$T/keys"
chmod 700 "$T/keys"
chmod 600 "$T/keys/example.com.s2026.private" "$T/keys/alice.private"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port) sport=$(free_port) dport=$(free_port)
echo "$port" > "$T/port"
echo "$sport" > "$T/signer_port"
cat > "$T/KeyTable" <<EOF
k1	%:s2026:$T/keys/%.s2026.private
alice	example.com:alice2026:$T/keys/alice.private
EOF
cat > "$T/SigningTable" <<EOF
alice@example.com	alice:alice@example.com
*@example.com	k1
EOF
cat > "$T/opendkim.conf" <<EOF
Syslog			no
Mode			s
Canonicalization	relaxed/simple
OversignHeaders		From
KeyTable		$T/KeyTable
SigningTable		refile:$T/SigningTable
InternalHosts		127.0.0.1
UserID			opendkim
Socket			inet:$port@127.0.0.1
PidFile			$T/opendkim.pid
# the key is under /tmp, which others can write: OpenDKIM's safe-key check walks the parents
RequireSafeKeys		false
EOF
"$POSTSEAL" import opendkim "$T/opendkim.conf" -o "$T/imported.toml" 2>"$T/import.err"
cat "$T/imported.toml"
"$POSTSEAL" check-config -c "$T/imported.toml"
grep -q '^address = "alice@example.com"' "$T/imported.toml" || { echo "FAIL: alice's row not imported"; exit 1; }
/usr/sbin/opendkim -f -x "$T/opendkim.conf" -l 2>"$T/opendkim.err" &
pid=$!
mkdir -p "$T/down"
/usr/bin/python3 "$POSTSEAL_SRC/tests/integration/signer/fake_downstream.py" "$dport" accept "$T/down" >"$T/fake.log" 2>&1 &
dpid=$!
"$POSTSEAL" signer -c "$T/imported.toml" --listen "127.0.0.1:$sport" --relay "127.0.0.1:$dport" --foreground \
  >"$T/signer.log" 2>&1 &
spid=$!
# each one's own listener (wait_listen, tests/lib/ports.sh): a test running beside this one may
# have taken a chosen port first; then the daemon exited and the other's socket must not do
. "$POSTSEAL_SRC/tests/lib/ports.sh"
wait_listen "$port" "$pid" 50 || { echo "FAIL: opendkim does not listen on $port"; cat "$T/opendkim.err"; exit 1; }
wait_listen "$sport" "$spid" 50 || { echo "FAIL: the signer does not listen on $sport"; tail -5 "$T/signer.log"; exit 1; }
wait_listen "$dport" "$dpid" 50 || { echo "FAIL: the fake downstream does not listen on $dport"; cat "$T/fake.log"; exit 1; }
/usr/bin/python3 "$POSTSEAL_SRC/tests/interop/import_opendkim_equivalence.py" "$POSTSEAL" "$T" \
  || { echo "opendkim stderr:"; cat "$T/opendkim.err"; echo "signer log:"; tail -5 "$T/signer.log"; exit 1; }

# MultipleSignatures yes: every matching row signs, in opendkim and (imported) in postseal
kill "$pid" "$spid" 2>/dev/null || true
wait "$pid" "$spid" 2>/dev/null || true
pid="" spid=""
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/keys/esp.private" 2>/dev/null
openssl pkey -in "$T/keys/esp.private" -pubout -outform DER 2>/dev/null | base64 -w0 > "$T/esp.b64"
chown opendkim "$T/keys/esp.private"
chmod 600 "$T/keys/esp.private"
port=$(free_port) sport=$(free_port)
echo "$port" > "$T/port"
echo "$sport" > "$T/signer_port"
printf 'esp\tesp.example:esp2026:%s/keys/esp.private\n' "$T" >> "$T/KeyTable"
printf 'alice@example.com\talice:alice@example.com\ncarol@example.com\tesp\n*@example.com\tk1\n' \
  > "$T/SigningTable"
sed -e "s/^Socket.*/Socket\t\t\tinet:$port@127.0.0.1/" -e "s|^PidFile.*|PidFile\t\t\t$T/opendkim-multi.pid|" \
  "$T/opendkim.conf" > "$T/opendkim-multi.conf"
printf 'MultipleSignatures\tyes\n' >> "$T/opendkim-multi.conf"
"$POSTSEAL" import opendkim "$T/opendkim-multi.conf" -o "$T/imported-multi.toml" 2>"$T/import.err"
cat "$T/imported-multi.toml"
"$POSTSEAL" check-config -c "$T/imported-multi.toml"
grep -q '^multiple_signatures = true' "$T/imported-multi.toml" \
  || { echo "FAIL: MultipleSignatures yes not imported as multiple_signatures = true"; exit 1; }
grep -q 'MultipleSignatures: OpenDKIM also signs' "$T/imported-multi.toml" \
  && { echo "FAIL: MultipleSignatures still reported as not carried"; exit 1; }
/usr/sbin/opendkim -f -x "$T/opendkim-multi.conf" -l 2>"$T/opendkim.err" &
pid=$!
"$POSTSEAL" signer -c "$T/imported-multi.toml" --listen "127.0.0.1:$sport" --relay "127.0.0.1:$dport" --foreground \
  >"$T/signer.log" 2>&1 &
spid=$!
for p in "$port" "$sport"; do
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
    sleep 0.1
  done
done
/usr/bin/python3 "$POSTSEAL_SRC/tests/interop/import_opendkim_equivalence.py" "$POSTSEAL" "$T" multi \
  || { echo "opendkim stderr:"; cat "$T/opendkim.err"; echo "signer log:"; tail -5 "$T/signer.log"; exit 1; }

#!/usr/bin/env bash
# import_opendkim_equivalence.sh - issue 16's equivalence test: Debian's opendkim, started by
# the test on a free loopback port with a KeyTable/refile SigningTable config (relaxed/simple,
# OversignHeaders From, MultipleSignatures off), signs messages over the milter protocol;
# `postseal import opendkim` turns that config into [[signer.domain]]; postseal signs the same
# messages with it. Same d=, s=, c=, a=; postseal's h= covers opendkim's; dkimpy verifies both
# (import_opendkim_equivalence.py). Needs root (opendkim's key must be owned by its user).
set -euo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (the key must belong to opendkim's user)"; exit 77; }
[ -x /usr/sbin/opendkim ] || { echo "FAIL: opendkim not installed"; exit 1; }
/usr/bin/python3 -c 'import dkim, tomllib' || { echo "FAIL: python3-dkim missing"; exit 1; }
T=$(mktemp -d /tmp/postseal-odk-eq.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
chmod 755 "$T"
mkdir -p "$T/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/keys/example.com.s2026.private" 2>/dev/null
openssl pkey -in "$T/keys/example.com.s2026.private" -pubout -outform DER 2>/dev/null | base64 -w0 > "$T/public.b64"
chown -R opendkim "$T/keys"
chmod 700 "$T/keys"
chmod 600 "$T/keys/example.com.s2026.private"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "$port" > "$T/port"
cat > "$T/KeyTable" <<EOF
k1	%:s2026:$T/keys/%.s2026.private
EOF
cat > "$T/SigningTable" <<EOF
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
/usr/sbin/opendkim -f -x "$T/opendkim.conf" -l 2>"$T/opendkim.err" &
pid=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
/usr/bin/python3 "$POSTSEAL_SRC/tests/interop/import_opendkim_equivalence.py" "$POSTSEAL" "$T" \
  || { echo "opendkim stderr:"; cat "$T/opendkim.err"; exit 1; }

#!/usr/bin/env bash
# import_check_config.sh - `postseal import` on every fixture of tests/data/import (Debian's
# shipped opendkim.conf, /etc/default/postsrsd and policyd-spf.conf, postsrsd 2's example,
# seed 003's smf-spf.conf, the KeyTable/SigningTable forms), then `postseal check-config` on
# each output. The fixtures are imported twice: as they are (the import must succeed, leave
# the source unchanged, report on stderr what it did not carry over, and refuse to overwrite
# -o), and from a sandbox copy whose paths point into a temporary directory where the test
# makes the key and secrets files the output names, owned by the users it names (Debian's
# opendkim and postsrsd users): there check-config must answer "ok". A stub `postconf` stands
# for Postfix's mydomain (postsrsd's SRS_DOMAIN fallback). Needs root (chown).
set -euo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
D="$POSTSEAL_SRC/tests/data/import"
T=$(mktemp -d /tmp/postseal-import.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to chown key files"; exit 77; }
for u in opendkim postsrsd; do id "$u" >/dev/null 2>&1 || fail "user $u missing (opendkim and postsrsd packages)"; done

mkdir -p "$T/bin"
printf '#!/bin/sh\necho example.org\n' > "$T/bin/postconf"
chmod 755 "$T/bin/postconf"
export PATH="$T/bin:$PATH"

# tool fixture expected-notes: every fixture, and a note (FILE:LINE: SETTING) it must report.
CASES=(
  "opendkim debian/opendkim.conf debian/opendkim.conf:37: Socket"
  "opendkim debian/opendkim.conf.simple debian/opendkim.conf.simple:15: ReportAddress"
  "opendkim opendkim/multi.conf opendkim/multi.conf:14: /etc/opendkim/KeyTable"
  "opendkim opendkim/single.conf opendkim/single.conf:10: SignatureAlgorithm"
  "opendkim opendkim/plainfile.conf opendkim/plainfile.conf:2: /etc/opendkim/KeyTable"
  "opendkim opendkim/peraddr.conf opendkim/peraddr.conf:6: /etc/opendkim/SigningTable.peraddr"
  "postsrsd debian/postsrsd.default debian/postsrsd.default:55: CHROOT"
  "postsrsd postsrsd.forwarder postsrsd.forwarder:14: SRS_TYPO"
  "postsrsd postsrsd2/postsrsd.conf postsrsd2/postsrsd.conf: srs-domain"
  "postsrsd postsrsd2/forwarder.conf postsrsd2/forwarder.conf:15: milter"
  "policyd-spf debian/policyd-spf.conf debian/policyd-spf.conf:3: debugLevel"
  "policyd-spf debian/policyd-spf.conf.commented debian/policyd-spf.conf.commented:3: debugLevel"
  "policyd-spf policyd-spf.custom.conf policyd-spf.custom.conf:17: Void_Limit"
  "smf-spf seed/smf-spf.conf seed/smf-spf.conf: User"
)

# 1. As they are: success, source untouched, notes on stderr and in the output, no overwrite.
n=0
for c in "${CASES[@]}"; do
  read -r tool file note <<<"$c"
  note="${c#"$tool $file "}"
  n=$((n + 1))
  before=$(sha256sum "$D/$file")
  "$POSTSEAL" import "$tool" "$D/$file" -o "$T/plain$n.toml" 2>"$T/plain$n.err" \
    || fail "import $tool $file: exit $? $(cat "$T/plain$n.err")"
  [ "$(sha256sum "$D/$file")" = "$before" ] || fail "import $tool $file changed the source"
  grep -qF "postseal: import: $D/$note" "$T/plain$n.err" || fail "$file: no note '$note' on stderr: $(cat "$T/plain$n.err")"
  grep -qF "# $D/$note" "$T/plain$n.toml" || fail "$file: no note '$note' in the output"
  set +e
  "$POSTSEAL" import "$tool" "$D/$file" -o "$T/plain$n.toml" 2>"$T/again.err"
  rc=$?
  set -e
  [ $rc -eq 73 ] && grep -q "exists: not overwritten" "$T/again.err" || fail "-o overwrote or wrong exit ($rc)"
done
"$POSTSEAL" import --help | grep -q "smf-spf FILE" || fail "--help does not list smf-spf"
for t in opendkim postsrsd policyd-spf; do "$POSTSEAL" import --help | grep -q "$t FILE" || fail "--help lacks $t"; done

# 2. In a sandbox: the paths the fixtures name exist, so check-config checks everything.
S="$T/src" R="$T/root"
mkdir -p "$S" "$R"
cp -r "$D"/. "$S"/
find "$S" -type f -exec sed -i -e "s|/usr/local/etc/|$R/usr/local/etc/|g" -e "s|\([[:space:]=\"'%:]\)/etc/|\1$R/etc/|g" \
  -e "s|/var/db/|$R/var/db/|g" {} +
mkdir -p "$R/etc/opendkim"
cp "$S"/opendkim/KeyTable "$S"/opendkim/SigningTable "$S"/opendkim/SigningTable.plain \
  "$S"/opendkim/KeyTable.peraddr "$S"/opendkim/SigningTable.peraddr "$R/etc/opendkim/"
cp "$S/postsrsd2/postsrsd.domains" "$R/etc/postsrsd.domains"

# make_files OUT - the key files and secrets file OUT names, owned by its users.
make_files() {
  local out=$1 user keys entry path secrets
  user=$(sed -n 's/^user = "\(.*\)"$/\1/p' "$out" | head -1)
  [ -n "$user" ] || user=root
  for entry in $(grep '^keys = ' "$out" | grep -o '"[^"]*"' | tr -d '"'); do
    path=${entry#*:}
    [ -e "$path" ] && continue
    mkdir -p "$(dirname "$path")"
    case "$entry" in
      ed*) openssl genpkey -algorithm ed25519 -out "$path" 2>/dev/null ;;
      *) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$path" 2>/dev/null ;;
    esac
    chmod 600 "$path"
    chown "$user" "$path"
  done
  secrets=$(sed -n 's/^secrets_file = "\(.*\)"$/\1/p' "$out")
  if [ -n "$secrets" ] && [ ! -e "$secrets" ]; then
    mkdir -p "$(dirname "$secrets")"
    head -c 24 /dev/urandom | base64 > "$secrets"
    chmod 600 "$secrets"
    chown "$user" "$secrets"
  fi
}

n=0
for c in "${CASES[@]}"; do
  read -r tool file _ <<<"$c"
  n=$((n + 1))
  out="$T/sandbox$n.toml"
  "$POSTSEAL" import "$tool" "$S/$file" -o "$out" 2>/dev/null || fail "sandbox import $tool $file"
  make_files "$out"
  set +e
  "$POSTSEAL" check-config -c "$out" >"$T/check.out" 2>"$T/check.err"
  rc=$?
  set -e
  if [ "$file" = postsrsd2/postsrsd.conf ]; then
    # postsrsd 2's example sets no domain at all: the import says so, and so does check-config.
    [ $rc -eq 78 ] && grep -q "srs.domain" "$T/check.err" || fail "$file: check-config should want srs.domain ($rc)"
    echo "ok: $tool $file (check-config wants srs.domain, as noted)"
    continue
  fi
  [ $rc -eq 0 ] || fail "check-config on the import of $file: $(cat "$T/check.err") ($(cat "$out"))"
  grep -q ": ok$" "$T/check.out" || fail "check-config did not say ok for $file"
  echo "ok: $tool $file"
done
# with its tables readable, the multi-domain import signs example.com with both keys and its
# subdomains, carries the per-address row as a [[signer.sender]] row, and carries
# MultipleSignatures yes as multiple_signatures = true (no longer reported as a difference)
grep -q '^subdomains = true' "$T/sandbox3.toml" || fail "multi.conf: no subdomains = true"
grep -q '^keys = \[.*rsa2026.*ed2026' "$T/sandbox3.toml" || fail "multi.conf: example.com lacks its dual keys"
grep -qF 'address = "president@example.com"' "$T/sandbox3.toml" || fail "multi.conf: the per-address row is not carried"
grep -q '^multiple_signatures = true' "$T/sandbox3.toml" || fail "multi.conf: MultipleSignatures yes is not carried"
grep -qF "# $R/etc/opendkim/SigningTable:2: president@example.com: MultipleSignatures" "$T/sandbox3.toml" \
  && fail "multi.conf: MultipleSignatures is still reported as not carried"
# the per-address import (sandbox6): alice, bob, dave, lists and shop rows, carol reported
for a in 'alice@example.com' 'bob@example.com' 'dave@\*.example.com' '\*@lists.example.com' '\*@\*.shop.example.com'; do
  grep -q "^address = \"$a\"" "$T/sandbox6.toml" || fail "peraddr.conf: no [[signer.sender]] row for $a"
done
grep -qF "SigningTable.peraddr:6: carol@example.com alice: never used" "$T/sandbox6.toml" \
  || fail "peraddr.conf: the hidden carol row is not reported"
echo "PASS: ${#CASES[@]} fixtures imported and checked"

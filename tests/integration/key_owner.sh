#!/bin/bash
# key_owner.sh - `postseal check-config` refuses signing keys the signer could not read after
# dropping root to signer.user (it reloads keys on SIGHUP as that user): a key made by
# `postseal keygen` (root, 0600) with signer.user = "nobody" exits 78 naming the file, the
# line and `chown nobody FILE` (or `postseal keygen --owner nobody`); a key directory nobody
# cannot search is named with the chmod that fixes it; a key made with `keygen --owner nobody`
# passes. The same for the files every daemon rereads on SIGHUP as its user: the config file
# itself (root 0600 with signer.user, srs.user or verifier.user "nobody") and the SRS secrets
# file (root 0600 with srs.user "nobody") are errors naming the file and `chown nobody FILE`.
# Needs root (to make root-owned keys and chown to nobody). No Postfix.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
if [ "$(id -u)" -ne 0 ]; then echo "key_owner: needs root (keygen --owner)" >&2; exit 1; fi
id nobody >/dev/null 2>&1 || { echo "key_owner: no user 'nobody'" >&2; exit 1; }
R=$(mktemp -d /var/tmp/postseal-key-owner.XXXXXX)
trap 'rm -rf "$R"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "ok: $*"; }

mkdir "$R/keys"
"$POSTSEAL" keygen --domain example.com --selector root --dir "$R/keys" >/dev/null 2>&1 || fail "keygen"
conf() {  # conf KEYFILE - a signer config naming KEYFILE, signer.user = "nobody"
  printf '[signer]\nuser = "nobody"\n\n[[signer.domain]]\nname = "example.com"\nkeys = ["s:%s"]\n' "$1" >"$R/c.toml"
}

# A directory on the way that nobody cannot search (mktemp -d makes $R 0700).
conf "$R/keys/root.private"
out=$("$POSTSEAL" check-config -c "$R/c.toml" 2>&1); rc=$?
[ $rc -eq 78 ] || fail "check-config with $R mode 0700: rc $rc (want 78): $out"
echo "$out" | grep -qF "c.toml, line 6: key file $R/keys/root.private cannot be reached by user 'nobody'" ||
  fail "no line and file for the unsearchable directory: $out"
echo "$out" | grep -qF "directory $R is not searchable by it; run: chmod o+x $R" || fail "no chmod for $R: $out"
note "a key under a directory nobody cannot search: exit 78, the directory and its chmod named"

# The key itself: root-owned 0600, as keygen makes it without --owner.
chmod 755 "$R"
out=$("$POSTSEAL" check-config -c "$R/c.toml" 2>&1); rc=$?
[ $rc -eq 78 ] || fail "check-config with a root 0600 key and signer.user nobody: rc $rc (want 78): $out"
echo "$out" | grep -qF "c.toml, line 6: key file $R/keys/root.private is not readable by user 'nobody'" ||
  fail "no line and file for the unreadable key: $out"
echo "$out" | grep -qF "run: chown nobody $R/keys/root.private (or make keys with: postseal keygen --owner nobody)" ||
  fail "no chown / keygen --owner fix named: $out"
note "a root 0600 key with signer.user nobody: exit 78 naming the file, chown and keygen --owner"

# Without signer.user the same key is fine (the signer stays root).
printf '[[signer.domain]]\nname = "example.com"\nkeys = ["s:%s"]\n' "$R/keys/root.private" >"$R/root.toml"
"$POSTSEAL" check-config -c "$R/root.toml" >/dev/null 2>&1 || fail "check-config refused a root key with no signer.user"
note "no signer.user: the root key passes"

# The fix the message names: chown, and a key made with keygen --owner.
"$POSTSEAL" keygen --domain example.com --selector owned --dir "$R/keys" --owner nobody >/dev/null 2>&1 ||
  fail "keygen --owner nobody"
conf "$R/keys/owned.private"
out=$("$POSTSEAL" check-config -c "$R/c.toml" 2>&1) || fail "check-config refused a key made with --owner nobody: $out"
echo "$out" | grep -q ": ok$" || fail "check-config did not say ok: $out"
chown nobody "$R/keys/root.private"
conf "$R/keys/root.private"
"$POSTSEAL" check-config -c "$R/c.toml" >/dev/null 2>&1 || fail "check-config refused the key after chown nobody"
note "keygen --owner nobody, or chown nobody: check-config passes"
# The config file itself: each daemon rereads it on SIGHUP as its user.
for section in signer srs verifier; do
  case $section in
    signer) printf '[signer]\nuser = "nobody"\n' ;;
    srs) printf '[srs]\nuser = "nobody"\ndomain = "fwd.example"\nsecrets_file = "%s"\n' "$R/owned.secret" ;;
    verifier) printf '[verifier]\nuser = "nobody"\n' ;;
  esac >"$R/private.toml"
  head -c 32 /dev/urandom | base64 >"$R/owned.secret"; chown nobody "$R/owned.secret"; chmod 600 "$R/owned.secret"
  chmod 600 "$R/private.toml"
  out=$("$POSTSEAL" check-config -c "$R/private.toml" 2>&1); rc=$?
  [ $rc -eq 78 ] || fail "check-config of a root 0600 config with $section.user nobody: rc $rc (want 78): $out"
  echo "$out" | grep -qF "config file $R/private.toml is not readable by user 'nobody' (the daemon's user on a reload); run: chown nobody $R/private.toml" ||
    fail "$section: no file and chown named for the unreadable config: $out"
  [ "$(echo "$out" | grep -c 'config file')" -eq 1 ] || fail "$section: the config problem said more than once: $out"
  chmod 644 "$R/private.toml"
  out=$("$POSTSEAL" check-config -c "$R/private.toml" 2>&1) || fail "$section: check-config refused a 0644 config: $out"
done
note "a config file signer.user, srs.user or verifier.user cannot read (root 0600): exit 78 naming the file and the chown, once"

# The SRS secrets file: srsd rereads it on SIGHUP as srs.user.
head -c 32 /dev/urandom | base64 >"$R/root.secret"; chmod 600 "$R/root.secret"
printf '[srs]\nuser = "nobody"\ndomain = "fwd.example"\nsecrets_file = "%s"\n' "$R/root.secret" >"$R/srs.toml"
out=$("$POSTSEAL" check-config -c "$R/srs.toml" 2>&1); rc=$?
[ $rc -eq 78 ] || fail "check-config with a root 0600 secrets file and srs.user nobody: rc $rc (want 78): $out"
echo "$out" | grep -qF "srs.toml, line 4: SRS secrets file $R/root.secret is not readable by user 'nobody' (the daemon's user on a reload); run: chown nobody $R/root.secret" ||
  fail "no line, file and chown for the unreadable secrets file: $out"
chown nobody "$R/root.secret"
out=$("$POSTSEAL" check-config -c "$R/srs.toml" 2>&1) || fail "check-config refused the secrets file after chown nobody: $out"
note "an SRS secrets file srs.user cannot read: exit 78 naming the file, line and chown; after the chown: ok"
echo "key_owner: all checks passed"

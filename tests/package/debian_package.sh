#!/usr/bin/env bash
# debian_package.sh - the Debian package as shipped: scripts/package.sh builds it
# (dpkg-buildpackage, then lintian with no error), and it is installed, reinstalled, removed
# and purged in a throwaway root: a copy-on-write overlay of this system's / in a private
# mount namespace (unshare), entered with chroot, so maintainer scripts run for real and
# nothing reaches the host. Checks: the files and their modes; /etc/postseal/postseal.toml is
# a conffile; the postseal system user and group; the SRS secret (0600, postseal, one line)
# made once and kept across reinstall and remove; srs forward works with it; keygen --owner
# postseal gives a key the daemons' user can read; the socket and state directories; purge
# removes the secret, the directories, the user and the group, and keeps the admin's key;
# deploy_flow.sh (after the first install, in the root's own network namespace): Debian's
# Postfix plus the pasted snippets and the units' command lines give signed outgoing mail, SRS
# forwarding and inbound SPF verification;
# `systemd-analyze verify` finds nothing wrong in the installed units (services and the DMARC report timer).
# POSTSEAL_DEB=FILE skips the build and tests that package. Runs as root; the build takes
# minutes (ccache makes a rebuild of the same tree quicker).
set -uo pipefail
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: debian_package.sh must run as root"; exit 1; }
command -v unshare >/dev/null || { echo "FAIL: unshare (util-linux) is needed"; exit 1; }
T=$(mktemp -d /var/tmp/postseal-pkgtest.XXXXXX)
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# 1. Build and lintian (package.sh fails on a lintian error).
if [ -n "${POSTSEAL_DEB:-}" ]; then
  deb=$POSTSEAL_DEB
else
  start=$(date +%s)
  deb=$(bash "$POSTSEAL_SRC/scripts/package.sh" "$T/out" 2>"$T/package.log") \
    || { cat "$T/package.log"; echo "FAIL: scripts/package.sh failed"; exit 1; }
  ok "package built in $(( $(date +%s) - start )) s; lintian reports no error"
  grep -E '^[WE]: ' "$T/package.log" | sed 's/^/    lintian /'
fi
[[ $(basename "$deb") =~ ^postseal_[0-9][^_]*_[a-z0-9]+\.deb$ ]] && ok "named $(basename "$deb")" \
  || bad "package name $(basename "$deb") is not postseal_VERSION_ARCH.deb"

# 2. What the package holds.
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' > "$T/contents"
for want in '-rwxr-xr-x root/root ./usr/bin/postseal' \
            '-rw-r--r-- root/root ./etc/postseal/postseal.toml' \
            '-rw-r--r-- root/root ./lib/systemd/system/postseal-signer.service' \
            '-rw-r--r-- root/root ./lib/systemd/system/postseal-srsd.service' \
            '-rw-r--r-- root/root ./lib/systemd/system/postseal-verifier.service' \
            '-rw-r--r-- root/root ./usr/lib/tmpfiles.d/postseal.conf' \
            '-rw-r--r-- root/root ./usr/share/man/man8/postseal.8.gz' \
            '-rw-r--r-- root/root ./usr/share/man/man5/postseal.toml.5.gz' \
            '-rw-r--r-- root/root ./usr/share/doc/postseal/examples/postfix/signer-master.cf'; do
  grep -qxF -- "$want" "$T/contents" && ok "holds ${want##* } (${want%% *})" || bad "does not hold: $want"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/postseal/postseal.toml \
  && ok "/etc/postseal/postseal.toml is a conffile" || bad "/etc/postseal/postseal.toml is not a conffile"

host_user=$(getent passwd postseal)
# 3. Install, reinstall, remove, purge in the throwaway root.
mkdir -p "$T/upper" "$T/work" "$T/root"
cp "$deb" "$T/postseal.deb"
cp "$POSTSEAL_SRC/tests/package/inside/deploy_flow.sh" "$POSTSEAL_SRC/tests/package/inside/unit_sandbox.sh" \
  "$POSTSEAL_SRC/tests/lib/unbound.sh" "$POSTSEAL_SRC/tests/lib/ports.sh" "$T/"
cat > "$T/inside.sh" <<'INSIDE'
set -u
say() { echo "$1: $2"; }
check() { if eval "$2"; then say ok "$1"; else say FAIL "$1"; fi; }
mode() { stat -c '%a %U:%G' "$1" 2>/dev/null; }
export DEBIAN_FRONTEND=noninteractive
if getent passwd postseal >/dev/null; then
  # the host has one (another test made it, e.g. integration.dmarc_bounce for its pipe
  # transport): this root is a throwaway overlay, so it goes here, to install as on a fresh
  # machine (the host's user database stays as it is, checked below)
  userdel postseal >/dev/null 2>&1; groupdel postseal >/dev/null 2>&1
  getent passwd postseal >/dev/null && say FAIL "a postseal user exists before the install"
fi
dpkg -i /postseal.deb > /dpkg.log 2>&1 || { cat /dpkg.log; say FAIL "dpkg -i"; exit 1; }
check "dpkg -i installs the package" 'dpkg-query -W -f="\${Status}" postseal | grep -q "install ok installed"'
check "postseal runs" '/usr/bin/postseal --help >/dev/null'
check "user postseal: a system account without a login shell" \
  '[ "$(getent passwd postseal | cut -d: -f3)" -lt 1000 ] && getent passwd postseal | grep -q ":/usr/sbin/nologin$"'
check "group postseal" 'getent group postseal >/dev/null && id -gn postseal | grep -qx postseal'
check "SRS secret 0600 postseal:postseal" '[ "$(mode /etc/postseal/srs.secret)" = "600 postseal:postseal" ]'
check "SRS secret: one line of 43 or more characters" \
  '[ "$(wc -l < /etc/postseal/srs.secret)" -eq 1 ] && [ "$(head -1 /etc/postseal/srs.secret | wc -c)" -ge 44 ]'
check "/var/lib/postseal 750 postseal:postseal" '[ "$(mode /var/lib/postseal)" = "750 postseal:postseal" ]'
check "/etc/postseal/keys 750 root:postseal" '[ "$(mode /etc/postseal/keys)" = "750 root:postseal" ]'
check "/etc/postseal/postseal.toml 644 root:root" '[ "$(mode /etc/postseal/postseal.toml)" = "644 root:root" ]'
if getent group postfix >/dev/null && command -v systemd-tmpfiles >/dev/null; then
  check "/var/spool/postfix/postseal 750 postseal:postfix" '[ "$(mode /var/spool/postfix/postseal)" = "750 postseal:postfix" ]'
fi
check "the key rotation timer is installed" '[ -f /lib/systemd/system/postseal-keys-tick.timer ] && [ -f /lib/systemd/system/postseal-keys-tick.service ]'
check "the units are installed but not enabled" \
  '[ -f /lib/systemd/system/postseal-srsd.service ] && ! systemctl is-enabled --quiet postseal-srsd.service 2>/dev/null'
check "the DMARC report timer and its service are installed" \
  '[ -f /lib/systemd/system/postseal-dmarc-report.timer ] && [ -f /lib/systemd/system/postseal-dmarc-report.service ]'
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/postseal-*.service /lib/systemd/system/postseal-*.timer > /analyze.out 2>&1
  check "systemd-analyze verify finds nothing in the units" '! grep -q . /analyze.out || { cat /analyze.out; false; }'
fi
check "srs forward works with the generated secret" \
  '/usr/bin/postseal srs forward --domain fwd.example --secrets-file /etc/postseal/srs.secret user@example.com | grep -q "^SRS0=.*@fwd.example$"'
postseal keygen --domain example.com --selector t1 --type ed25519 --dir /etc/postseal/keys --owner postseal >/dev/null 2>&1
check "keygen --owner postseal: key 600 postseal:postseal" '[ "$(mode /etc/postseal/keys/t1.private)" = "600 postseal:postseal" ]'
check "the postseal user can read the key (a reload after dropping privileges)" \
  'runuser -u postseal -- cat /etc/postseal/keys/t1.private >/dev/null'
bash /deploy/deploy_flow.sh /deploy
sum=$(sha256sum < /etc/postseal/srs.secret)
dpkg -i /postseal.deb > /dpkg.log 2>&1 || { cat /dpkg.log; say FAIL "dpkg -i (again)"; }
check "reinstall keeps the SRS secret" '[ "$(sha256sum < /etc/postseal/srs.secret)" = "$sum" ]'
check "reinstall keeps its mode" '[ "$(mode /etc/postseal/srs.secret)" = "600 postseal:postseal" ]'
dpkg -r postseal > /dpkg.log 2>&1 || { cat /dpkg.log; say FAIL "dpkg -r"; }
check "remove keeps the secret and the user" '[ -f /etc/postseal/srs.secret ] && getent passwd postseal >/dev/null'
dpkg -i /postseal.deb > /dpkg.log 2>&1 || { cat /dpkg.log; say FAIL "dpkg -i (after remove)"; }
check "install after remove keeps the SRS secret" '[ "$(sha256sum < /etc/postseal/srs.secret)" = "$sum" ]'
dpkg -P postseal > /dpkg.log 2>&1 || { cat /dpkg.log; say FAIL "dpkg -P"; }
check "purge removes the package" '! dpkg-query -W -f="\${Status}" postseal 2>/dev/null | grep -q installed'
check "purge removes the SRS secret" '[ ! -e /etc/postseal/srs.secret ]'
check "purge removes the conffile" '[ ! -e /etc/postseal/postseal.toml ]'
check "purge removes /var/lib/postseal" '[ ! -e /var/lib/postseal ]'
check "purge removes /var/spool/postfix/postseal" '[ ! -e /var/spool/postfix/postseal ]'
check "purge removes the user and the group" '! getent passwd postseal >/dev/null && ! getent group postseal >/dev/null'
check "purge keeps the key an administrator made" '[ -f /etc/postseal/keys/t1.private ]'
check "purge removes /usr/bin/postseal" '[ ! -e /usr/bin/postseal ]'
INSIDE
unshare --mount --net --propagation private bash -c '
  set -e
  T=$1
  mount -t overlay overlay -o lowerdir=/,upperdir=$T/upper,workdir=$T/work $T/root
  mount -t proc proc $T/root/proc
  # a /dev of its own (tmpfs) with the host'"'"'s device nodes bound in: the /dev/log socket the
  # root'"'"'s syslog daemon makes must not appear on the host
  mount -t tmpfs -o mode=755,nosuid tmpfs $T/root/dev
  for n in null zero full random urandom tty; do
    touch $T/root/dev/$n && mount --bind /dev/$n $T/root/dev/$n
  done
  mkdir $T/root/dev/pts $T/root/dev/shm
  mount --bind /dev/pts $T/root/dev/pts
  mount -t tmpfs tmpfs $T/root/dev/shm
  ln -s /proc/self/fd $T/root/dev/fd
  ln -s /proc/self/fd/0 $T/root/dev/stdin
  ln -s /proc/self/fd/1 $T/root/dev/stdout
  ln -s /proc/self/fd/2 $T/root/dev/stderr
  ln -s pts/ptmx $T/root/dev/ptmx
  mount -t tmpfs tmpfs $T/root/run
  mount -t tmpfs tmpfs $T/root/tmp
  cp $T/postseal.deb $T/root/postseal.deb
  cp $T/inside.sh $T/root/inside.sh
  mkdir -p $T/root/deploy
  cp $T/deploy_flow.sh $T/unit_sandbox.sh $T/unbound.sh $T/ports.sh $T/root/deploy/
  chroot $T/root bash /inside.sh
' _ "$T" > "$T/inside.out" 2>&1 || bad "the throwaway root failed: $(tail -3 "$T/inside.out")"
while IFS= read -r line; do
  case $line in
    "ok: "*) ok "${line#ok: }" ;;
    "FAIL: "*) bad "${line#FAIL: }" ;;
    *) echo "    $line" ;;
  esac
done < "$T/inside.out"
[ "$(getent passwd postseal)" = "$host_user" ] && ok "the host's user database is untouched" \
  || bad "the host's postseal user changed"
echo "debian_package: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 30 ]

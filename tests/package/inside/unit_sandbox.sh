#!/usr/bin/env bash
# unit_sandbox.sh UNITFILE - (not a ctest of its own: debian_package.sh copies it into its root
# for deploy_flow.sh) run a unit's ExecStart= the way systemd would, as far as a mount
# namespace and setpriv(1) can reproduce it: ProtectSystem=strict (every mount read-only but
# /dev, /proc and /sys), ReadWritePaths= (a missing path without "-" fails as systemd fails with
# 226/NAMESPACE), PrivateTmp= (/tmp and /var/tmp private and writable), ProtectHome=yes,
# NoNewPrivileges=, CapabilityBoundingSet=, UMask= (systemd's default 0022). Not reproduced:
# the seccomp and kernel settings (SystemCallArchitectures=, MemoryDenyWriteExecute=,
# RestrictNamespaces=, RestrictAddressFamilies=, Protect{Kernel*,Clock,Hostname}=) and
# PrivateDevices= (the throwaway root's /dev is already a minimal one of its own).
# The process keeps its PID through to the daemon (unshare without --fork, then exec), so the
# caller can signal it as systemd signals $MAINPID.
set -eu
unit=${1:?unit file}
prop() { sed -n "s/^$1=//p" "$unit"; }

if [ -z "${UNIT_SANDBOX_INSIDE:-}" ]; then
  export UNIT_SANDBOX_INSIDE=1
  exec unshare --mount --propagation private bash "$0" "$@"
fi
unset UNIT_SANDBOX_INSIDE

rw=()
for word in $(prop ReadWritePaths); do
  optional=0
  [ "${word#-}" != "$word" ] && { optional=1; word=${word#-}; }
  if [ -e "$word" ]; then
    rw+=("$word")
  elif [ $optional = 0 ]; then
    echo "unit_sandbox: $unit: ReadWritePaths=$word does not exist (systemd: 226/NAMESPACE)" >&2
    exit 226
  fi
done

if [ "$(prop ProtectSystem)" = strict ]; then
  for p in "${rw[@]}"; do mount --bind "$p" "$p"; done
  findmnt -rn -o TARGET | while read -r m; do
    case $m in /dev | /dev/* | /proc | /proc/* | /sys | /sys/*) continue ;; esac
    keep=0
    for p in "${rw[@]}"; do [ "$m" = "$p" ] && keep=1; done
    [ $keep = 1 ] || mount -o remount,bind,ro "$m"
  done
fi
if [ "$(prop PrivateTmp)" = yes ]; then
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=1777 tmpfs /var/tmp
fi
if [ "$(prop ProtectHome)" = yes ]; then
  for d in /home /root /run/user; do
    [ -d "$d" ] && mount -t tmpfs -o ro,mode=000 tmpfs "$d"
  done
fi

args=()
caps=$(prop CapabilityBoundingSet | tr 'A-Z ' 'a-z\n' | sed -n 's/^cap_/+/p' | paste -sd, -)
[ -n "$caps" ] && args+=(--bounding-set "-all,$caps")
[ "$(prop NoNewPrivileges)" = yes ] && args+=(--no-new-privs)
mask=$(prop UMask)
umask "${mask:-0022}"
# shellcheck disable=SC2046  # ExecStart= is split into words as systemd splits a plain line
exec setpriv "${args[@]}" -- $(prop ExecStart)

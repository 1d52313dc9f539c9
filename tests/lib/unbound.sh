# unbound.sh - start and stop a private unbound for tests (source it; bash).
#
#   unbound_start DIR [PORT] DATAFILE   write DIR/unbound.conf (authoritative-only, listening on
#                                       127.0.0.1@PORT, default 5353, with the local-data lines
#                                       of DATAFILE), start `unbound -d` in the background, wait
#                                       (bounded) until it answers, record the pid in
#                                       DIR/unbound.pid. Returns non-zero with a message (and
#                                       the server's log) when it does not come up.
#   unbound_start DIR PORTVAR DATAFILE  the same on the port named by the variable PORTVAR;
#                                       when unbound exits because that port was taken (a test
#                                       running beside this one), again on a new port (3 tries),
#                                       which PORTVAR then holds
#   unbound_stop DIR                    stop it (TERM, then KILL after a bounded wait).
#
# The server holds one extra record, unbound-probe.example. TXT with a per-start token, which
# the start-up wait asks for, so a server of someone else on PORT is not taken for ours
# (so-reuseport is off: a busy port makes unbound exit at once).
# DATAFILE holds unbound server-clause lines, used verbatim: `local-data: '...'`,
# `local-data-ptr: "..."`, `local-zone: ...`; blank lines and `#` comments are skipped. Each
# TXT string at most 255 octets (several strings in one record for longer texts). Every name
# not listed answers NXDOMAIN; nothing is forwarded. Unbound cannot fake a timeout: use
# --dns-zone with the TIMEOUT pseudo type for that. Callers trap EXIT to call unbound_stop.
# Runs as root or not (port >= 1024); the binary is run directly, not through the package's
# service scripts, so a policy-rc.d that blocks services does not matter.

UNBOUND_BIN=${UNBOUND_BIN:-/usr/sbin/unbound}
# UNBOUND_START_TRIES - probes, 0.2 s apart, before giving up (bounded wait: 10 s).
UNBOUND_START_TRIES=${UNBOUND_START_TRIES:-50}

# unbound_probe PORT TOKEN - 0 when the server on 127.0.0.1:PORT is ours: it answers the TXT
# record unbound-probe.example. with TOKEN (another server on the port would not).
unbound_probe() {
  local port=$1 token=$2
  if [ -n "${POSTSEAL:-}" ] && [ -x "$POSTSEAL" ]; then
    "$POSTSEAL" dns-lookup --dns "127.0.0.1@$port" --dns-timeout 500 \
      unbound-probe.example TXT 2>/dev/null | grep -q -F "\"$token\""
    return
  fi
  /usr/bin/python3 - "$port" "$token" <<'PY'
import socket, sys
q = bytes.fromhex("abcd01000001000000000000") + b"\x0dunbound-probe\x07example\x00" + b"\x00\x10\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
try:
    s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
    r = s.recv(4096)
    sys.exit(0 if r[:2] == q[:2] and sys.argv[2].encode() in r else 1)
except OSError:
    sys.exit(1)
PY
}

# shellcheck source=tests/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"  # free_ports, port_taken

unbound_start() {
  local _ub_dir=$1 _ub_try _ub_var
  if [ $# -ge 3 ] && ! [[ $2 =~ ^[0-9]+$ ]]; then
    # a port variable: a new port when the chosen one was taken (3 tries)
    _ub_var=$2
    for _ub_try in 1 2 3; do
      unbound_start_once_ "$_ub_dir" "${!_ub_var}" "$3" && return 0
      [ -f "$_ub_dir/unbound.log" ] && grep -qi "address already in use" "$_ub_dir/unbound.log" ||
        port_taken "${!_ub_var}" || return 1
      [ "$_ub_try" -lt 3 ] || break
      printf -v "$_ub_var" '%s' "$(free_port)"
      echo "unbound_start: the port was taken (try $_ub_try of 3); again on ${!_ub_var}" >&2
    done
    return 1
  fi
  unbound_start_once_ "$@"
}

unbound_start_once_() {
  local dir=$1 port data
  if [ $# -ge 3 ]; then port=$2; data=$3; else port=5353; data=$2; fi
  if [ -z "$dir" ] || [ -z "$data" ] || [ ! -r "$data" ]; then
    echo "unbound_start: usage: unbound_start DIR [PORT] DATAFILE (readable)" >&2
    return 2
  fi
  if [ ! -x "$UNBOUND_BIN" ]; then
    echo "unbound_start: $UNBOUND_BIN not found (Debian package 'unbound')" >&2
    return 1
  fi
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd)
  local token="postseal-$$-$RANDOM$RANDOM"
  {
    echo "server:"
    echo "    interface: 127.0.0.1@$port"
    echo "    port: $port"
    echo "    do-ip6: no"
    echo "    do-daemonize: no"
    echo "    num-threads: 1"
    echo "    so-reuseport: no"
    echo "    username: \"\""
    echo "    chroot: \"\""
    echo "    directory: \"$dir\""
    echo "    pidfile: \"\""
    echo "    use-syslog: no"
    echo "    logfile: \"\""
    echo "    verbosity: 1"
    echo "    module-config: \"iterator\""
    echo "    local-zone: \".\" static"
    echo "    local-data: 'unbound-probe.example. 60 TXT \"$token\"'"
    grep -v -E '^[[:space:]]*(#|$)' "$data" | sed 's/^[[:space:]]*/    /'
    echo "remote-control:"
    echo "    control-enable: no"
  } >"$dir/unbound.conf"
  if command -v unbound-checkconf >/dev/null 2>&1 &&
    ! unbound-checkconf "$dir/unbound.conf" >"$dir/unbound-checkconf.log" 2>&1; then
    echo "unbound_start: bad configuration from $data:" >&2
    cat "$dir/unbound-checkconf.log" >&2
    return 1
  fi
  "$UNBOUND_BIN" -d -c "$dir/unbound.conf" >"$dir/unbound.log" 2>&1 &
  echo $! >"$dir/unbound.pid"
  local pid tries=0
  pid=$(cat "$dir/unbound.pid")
  while [ "$tries" -lt "$UNBOUND_START_TRIES" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "unbound_start: unbound exited at start-up; its log:" >&2
      cat "$dir/unbound.log" >&2
      rm -f "$dir/unbound.pid"
      return 1
    fi
    if unbound_probe "$port" "$token"; then
      return 0
    fi
    tries=$((tries + 1))
    sleep 0.2
  done
  echo "unbound_start: unbound on 127.0.0.1@$port did not answer within the wait; its log:" >&2
  cat "$dir/unbound.log" >&2
  unbound_stop "$dir"
  return 1
}

unbound_stop() {
  local dir=$1 pid tries=0
  [ -n "$dir" ] && [ -f "$dir/unbound.pid" ] || return 0
  pid=$(cat "$dir/unbound.pid")
  rm -f "$dir/unbound.pid"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 50 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 0
}

# shellcheck shell=bash
# ports.sh - start a daemon on a loopback port and know it is ours that listens (source it; bash).
#
# A port chosen free (bound to port 0, then closed) may be taken before our daemon binds it, by a
# test running beside this one (a listener, or an outgoing connection's local port: both come from
# the same ephemeral range). Our daemon then exits "Address already in use" while a wait for
# "something listens on PORT" sees the other's socket, and the test talks to a stranger.
#
#   free_port                one free loopback TCP port
#   free_ports N             N distinct free loopback TCP ports, one line, space-separated
#   port_pids PORT           the pids ss reports for the TCP listeners on PORT, one a line
#                            (none when nothing listens, or when ss may not say: not root and
#                            another user's socket)
#   pid_alive PID            0 while PID runs (a zombie counts as gone)
#   wait_listen PORT PID [TENTHS]
#                            bounded wait (default 100 tenths: 10 s) until PORT has a TCP listener
#                            held by PID or a descendant of PID (a wrapper such as runuser, or a
#                            daemon's worker processes). Returns 1 at once when PID has exited,
#                            2 on timeout (also while only another's listener holds the port).
#                            When ss shows no pid for the listener (not root) the listener is
#                            taken for ours if PID still runs 0.2 s later. A daemon that forks
#                            into the background needs its real pid (its pid file), not $!.
#   port_taken PORT          0 when any TCP or UDP socket (listening, connected or TIME-WAIT)
#                            uses local port PORT
#   start_listening FN LOG PORTVAR...
#                            calls FN, which must start one daemon in the background on the TCP
#                            ports named by PORTVAR... (reading the variables at each call, so
#                            that it writes any configuration naming them again) and set
#                            LISTEN_PID to its pid; then waits (wait_listen) on each port and
#                            checks the daemon still runs 0.2 s later (a daemon may bind its ports
#                            one by one). When the daemon exited (or never listened itself) and a
#                            port was taken (LOG, its log file, says "Address already in use", or
#                            a socket uses one of the ports), every PORTVAR gets a new free port
#                            and FN is called again: LISTEN_TRIES tries (default 3). Returns 0
#                            with LISTEN_PID running; else 1, with the tail of LOG on stderr.
#                            START_LISTENING_TENTHS (default 100): the wait for each port.
# Why the pid: ss -ltnp names the processes holding a listener (as root, or for our own user's
# processes, which is how the tests run), so "PORT listens" and "PID is the one" are one reliable
# check; a listener shared with a stranger (both SO_REUSEPORT) would pass, none of ours set it.
# Ports chosen by these helpers come from the ephemeral range (32768-60999), where outgoing
# connections take their local ports too; the fixed ports of the serialised tests lie below it.
# The older waits (pf_wait_listen PORT without PID, soak_wait_port PORT) keep their behaviour.

ports_log() { echo "[ports.sh] $*" >&2; }

free_ports() {
  /usr/bin/python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])' "$1"
}

free_port() { free_ports 1; }

port_pids() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
}

# pid_stat PID FIELD - PID_STAT: a field of /proc/PID/stat after the command name (1 state,
# 2 ppid); builtins only (no subshell), so that a wait loop stays cheap on a loaded machine.
pid_stat() {
  local line rest f
  PID_STAT=""
  read -r line 2>/dev/null < "/proc/$1/stat" || return 1
  rest=${line##*) }
  read -r -a f <<< "$rest"
  PID_STAT=${f[$(($2 - 1))]}
}

pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  pid_stat "$1" 1 || return 1
  [ "$PID_STAT" != Z ] && [ "$PID_STAT" != X ]
}

# pid_descends CHILD ANCESTOR - 0 when CHILD is ANCESTOR or one of its descendants.
pid_descends() {
  local p=$1 _
  for _ in $(seq 1 32); do
    [ "$p" = "$2" ] && return 0
    [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != 1 ] || return 1
    pid_stat "$p" 2 || return 1
    p=$PID_STAT
  done
  return 1
}

wait_listen() {
  local port=${1:-} pid=${2:-} n=${3:-100} p pids ours
  if [ -z "$port" ] || [ -z "$pid" ]; then ports_log "wait_listen: usage: wait_listen PORT PID [TENTHS]"; return 2; fi
  for _ in $(seq 1 "$n"); do
    pid_alive "$pid" || { ports_log "pid $pid exited before listening on port $port"; return 1; }
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      pids=$(port_pids "$port")
      if [ -z "$pids" ]; then
        # ss names no process (not root, another user's socket): ours if the daemon still runs
        sleep 0.2
        pid_alive "$pid" && return 0
        ports_log "pid $pid exited; port $port is held by another"; return 1
      fi
      ours=""
      for p in $pids; do pid_descends "$p" "$pid" && ours=yes; done
      [ -n "$ours" ] && return 0
    fi
    sleep 0.1
  done
  if [ -n "$(port_pids "$port")" ]; then
    ports_log "port $port is held by pid(s) $(port_pids "$port" | tr '\n' ' ')not by $pid"
  else
    ports_log "nothing listens on port $port (pid $pid)"
  fi
  return 2
}

port_taken() {
  ss -Hantu "sport = :$1" 2>/dev/null | grep -q .
}

start_listening() {
  # locals are prefixed: FN and the PORTVARs are the caller's names (bash scopes dynamically)
  local _sl_fn=$1 _sl_log=$2 _sl_try _sl_v _sl_ports _sl_rc _sl_i _sl_lost
  local _sl_tries=${LISTEN_TRIES:-3}
  shift 2
  for _sl_try in $(seq 1 "$_sl_tries"); do
    LISTEN_PID=""
    "$_sl_fn"; _sl_rc=$?
    if [ "$_sl_rc" -eq 0 ] && [ -n "$LISTEN_PID" ]; then
      for _sl_v in "$@"; do
        wait_listen "${!_sl_v}" "$LISTEN_PID" "${START_LISTENING_TENTHS:-100}" || { _sl_rc=$?; break; }
      done
      if [ "$_sl_rc" -eq 0 ]; then
        # a daemon may bind its ports one by one, and exit when a later one is taken
        sleep 0.2
        pid_alive "$LISTEN_PID" && return 0
      elif pid_alive "$LISTEN_PID"; then
        kill "$LISTEN_PID" 2>/dev/null  # timed out (a port held by another): stop ours
      fi
      wait "$LISTEN_PID" 2>/dev/null
    fi
    # did it lose a port? (its log says so, or someone uses one of them now)
    _sl_lost=""
    [ -n "$_sl_log" ] && [ -f "$_sl_log" ] && grep -qi "address already in use\|EADDRINUSE" "$_sl_log" && _sl_lost=yes
    for _sl_v in "$@"; do port_taken "${!_sl_v}" && _sl_lost=yes; done
    if [ -z "$_sl_lost" ]; then
      ports_log "$_sl_fn: the daemon did not start (none of its ports was taken)"
      [ -n "$_sl_log" ] && [ -f "$_sl_log" ] && tail -5 "$_sl_log" >&2
      return 1
    fi
    [ "$_sl_try" -lt "$_sl_tries" ] || break
    read -r -a _sl_ports <<< "$(free_ports $#)"
    _sl_i=0
    for _sl_v in "$@"; do
      printf -v "$_sl_v" '%s' "${_sl_ports[$_sl_i]}"
      _sl_i=$((_sl_i + 1))
    done
    ports_log "$_sl_fn: a port was taken (try $_sl_try of $_sl_tries); again on ${_sl_ports[*]}"
  done
  ports_log "$_sl_fn: its ports were taken in $_sl_tries tries"
  [ -n "$_sl_log" ] && [ -f "$_sl_log" ] && tail -5 "$_sl_log" >&2
  return 1
}

# shellcheck shell=bash
# soak.sh - what the soak tests (tests/soak/*.sh) share: a work directory, free loopback ports,
# daemons started as the shipped systemd units start them, figures and log line counts.
# Source it after setting POSTSEAL and POSTSEAL_SRC.
#
#   soak_init NAME          S (work directory under /var/tmp, enterable by the daemons' user),
#                           traps EXIT to stop what was started here
#   SOAK_SCALE              multiplies the bounded CI sizes (default 1; e.g. 5 by hand)
#   soak_ports N            N free loopback ports (tests/lib/soak.py; never the fixed ports of
#                           the integration tests)
#   soak_daemon NAME CMD... run CMD as a unit runs it: umask 022 (systemd's default, the units
#                           set none), LimitNOFILE=65536, logging to stderr into $S/NAME.log;
#                           sets DAEMON_PID; its pid is killed on exit
#   soak_wait_port PORT [PID]  bounded wait (10 s) until something listens on 127.0.0.1:PORT;
#                           with PID, until PID's own listener does, failing at once when PID
#                           exited (wait_listen, tests/lib/ports.sh)
#   soak_figures LABEL PID  prints "LABEL: rss_kb=.. fds=.. cpu_s=.. threads=.."
#   soak_log_lines NAME     lines in $S/NAME.log
#   soak_py ARGS...         tests/lib/soak.py ARGS (exit status passed on)
#   fail TEXT               prints FAIL and the tail of every log, exits 1
# SOAK_USER (default nobody): the user a daemon drops to with --user / user = (as the units'
# postseal.toml does with user = "postseal").

SOAK_SCALE=${SOAK_SCALE:-1}
SOAK_USER=${SOAK_USER:-nobody}
SOAK_PIDS=()
S=""
SOAK_PY="/usr/bin/python3 $POSTSEAL_SRC/tests/lib/soak.py"
# shellcheck source=tests/lib/ports.sh
. "$POSTSEAL_SRC/tests/lib/ports.sh"

soak_py() { $SOAK_PY "$@"; }

fail() {
  echo "FAIL: $*"
  local f
  for f in "$S"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -8 "$f"; }; done
  exit 1
}

soak_cleanup() {
  local p
  for p in "${SOAK_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "$S" ] && rm -rf "$S"
}

soak_init() {
  S=$(mktemp -d "/var/tmp/postseal-soak-$1.XXXXXX")
  chmod 755 "$S"
  trap soak_cleanup EXIT
  trap 'exit 1' INT TERM
  echo "SOAK_SCALE=$SOAK_SCALE"
}

soak_ports() { soak_py ports "$1"; }

soak_daemon() {
  local name=$1; shift
  ( umask 022; ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@" ) >"$S/$name.log" 2>&1 &
  DAEMON_PID=$!
  SOAK_PIDS+=("$DAEMON_PID")
}

soak_bg() { "$@" & SOAK_PIDS+=($!); }

soak_wait_port() {
  local _
  if [ -n "${2:-}" ]; then
    wait_listen "$1" "$2" 100 || fail "pid $2 does not listen on 127.0.0.1:$1"
    return 0
  fi
  for _ in $(seq 1 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  fail "nothing listens on 127.0.0.1:$1"
}

soak_figures() { echo "$1: $(soak_py figures "$2" | cut -d' ' -f2-)"; }

soak_log_lines() { wc -l < "$S/$1.log"; }

# soak_keys DIR - an RSA key for example.com (mode 0600, owned by root as the package's are).
soak_key() {
  mkdir -p "$1"; chmod 700 "$1"
  "$POSTSEAL" keygen --domain example.com --selector soak --dir "$1" >/dev/null || fail "keygen"
}

# soak_sink PORT - Postfix's smtp-sink on 127.0.0.1:PORT dumping every message into $S/sink/
# (as user postfix), 512 sessions at once.
soak_sink() {
  mkdir -p "$S/sink"; chown postfix "$S/sink"
  setsid smtp-sink -u postfix -d "$S/sink/%H%M%S." "127.0.0.1:$1" 512 >"$S/sink.log" 2>&1 </dev/null &
  SOAK_PIDS+=($!)
  soak_wait_port "$1" "$!"
}

soak_sink_count() { find "$S/sink" -type f | wc -l; }

# soak_wait_sink N [SECONDS] - bounded wait until the sink holds >= N messages.
soak_wait_sink() {
  local i
  for i in $(seq 1 $(( ${2:-60} * 10 ))); do
    [ "$(soak_sink_count)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

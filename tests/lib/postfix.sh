# postfix.sh - a private Postfix instance for integration tests and benchmarks (bash library).
#
# Source it, then:
#   pf_init DIR [SINK_PORT]   write DIR/etc/{main.cf,master.cf} (chroot n everywhere, postlog,
#                             maillog_file DIR/log/maillog, relayhost [127.0.0.1]:SINK_PORT)
#   pf_main 'key = value'     append a main.cf line          pf_master 'text'  append master.cf
#   pf_master_dksign SUBMIT FILTER REINJECT   the signer-master.cf dksign path on test ports
#   pf_paste FILE...          paste conf/postfix snippets as their headers say: *-main.cf is
#                             appended to main.cf; a *-master.cf's services replace the entries
#                             of the same name and type, then it is appended to master.cf
#   pf_paste_into ETCDIR FILE...  the same into another configuration directory
#   pf_start / pf_stop        postfix -c DIR/etc start/stop (pf_start runs `postfix check` first,
#                             then waits until master.cf's first inet port is the master's)
#   pf_master_pid             the running master's pid (from its pid file), or nothing
#   pf_wait_master PORT [TENTHS]  wait until the instance's master (alive) listens on PORT
#   pf_wait_listen PORT [TENTHS] [PID]  wait until something listens on PORT; with PID, until
#                             PID's own listener does (wait_listen, ports.sh: fails at once when
#                             PID exited, and never takes another's socket for its)
#   pf_reload                 postfix -c DIR/etc reload
#   pf_sink_start PORT [args] smtp-sink -u postfix dumping each message to DIR/sink/ (waits
#                             until the listener is smtp-sink's own: wait_listen, ports.sh)
#   pf_sink_stop
#   pf_send PORT FROM TO [swaks args...]   one message over SMTP (swaks, stdin /dev/null)
#   pf_sink_count             messages dumped at the sink so far
#   pf_wait_sink N [SECONDS]  wait (bounded, default 60 s) until the sink holds >= N messages
#   pf_queue_count            messages in the instance's queue (postqueue -c DIR/etc -p)
#   pf_wait_queue_empty [SECONDS]
#   pf_flush                  postqueue -c DIR/etc -f (ask for a queue run now)
#   pf_cleanup                stop everything started here (pid files only); for `trap EXIT`
#                             (also `trap 'exit 1' INT TERM` so a killed test still cleans up)
# Everything listens on 127.0.0.1; ports are chosen by the caller. DIR's parent directories
# must be enterable by the postfix user (use /var/tmp or /tmp, never /root). Must run as root.
# Pitfalls handled (../shared/POSTFIX.md): empty alias_maps, smtp-sink -u postfix, swaks
# </dev/null, maillog_file inside maillog_file_prefixes, data_directory owned by postfix.

PF_ROOT=""
PF_SINK_PORT=""
# shellcheck source=tests/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

pf_log() { echo "[postfix.sh] $*" >&2; }

# pf_init - create DIR with a fresh configuration (wipes an older instance in DIR).
pf_init() {
  PF_ROOT=$1
  PF_SINK_PORT=${2:-2526}
  [ -n "$PF_ROOT" ] || { pf_log "pf_init: no directory"; return 1; }
  if [ -f "$PF_ROOT/etc/main.cf" ]; then postfix -c "$PF_ROOT/etc" stop >/dev/null 2>&1 || true; fi
  rm -rf "$PF_ROOT"
  mkdir -p "$PF_ROOT"/{etc,spool,data,log,run,sink}
  chmod 755 "$PF_ROOT"
  chown postfix "$PF_ROOT/data" "$PF_ROOT/sink"
  if ! runuser -u postfix -- test -x "$PF_ROOT"; then
    pf_log "$PF_ROOT is not enterable by user postfix (use /var/tmp or /tmp)"; return 1
  fi
  cat > "$PF_ROOT/etc/main.cf" <<MAINCF
compatibility_level = 3.6
queue_directory = $PF_ROOT/spool
data_directory = $PF_ROOT/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.local
mydomain = test.local
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$PF_SINK_PORT
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 local delivery disabled in test instance
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
biff = no
append_dot_mydomain = no
maillog_file = $PF_ROOT/log/maillog
maillog_file_prefixes = $PF_ROOT
MAINCF
  cat > "$PF_ROOT/etc/master.cf" <<'MASTERCF'
# service type private unpriv chroot wakeup maxproc command (chroot n everywhere)
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
MASTERCF
}

pf_main() { printf '%s\n' "$@" >> "$PF_ROOT/etc/main.cf"; }
pf_master() { printf '%s\n' "$@" >> "$PF_ROOT/etc/master.cf"; }
# pf_master_dksign SUBMIT FILTER REINJECT - the after-queue signing path of
# conf/postfix/signer-master.cf on test ports: a submission smtpd on 127.0.0.1:SUBMIT whose mail
# goes to content_filter=dksign:[127.0.0.1]:FILTER, the dksign transport, and the reinjection
# smtpd on 127.0.0.1:REINJECT.
pf_master_dksign() {
  pf_master "127.0.0.1:$1 inet n - n - - smtpd" \
    "  -o content_filter=dksign:[127.0.0.1]:$2" \
    "  -o receive_override_options=no_address_mappings" \
    "dksign unix - - n - 10 smtp" \
    "  -o smtp_send_xforward_command=yes" \
    "  -o disable_mime_output_conversion=yes" \
    "  -o smtp_generic_maps=" \
    "  -o smtp_connection_cache_destinations=127.0.0.1" \
    "127.0.0.1:$3 inet n - n - 10 smtpd" \
    "  -o content_filter=" \
    "  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters" \
    "  -o smtpd_recipient_restrictions=permit_mynetworks,reject" \
    "  -o smtpd_relay_restrictions=" \
    "  -o mynetworks=127.0.0.0/8" \
    "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8"
}

pf_paste() { pf_paste_into "$PF_ROOT/etc" "$@"; }

pf_paste_into() {
  local etc=$1 f; shift
  for f in "$@"; do
    case $f in
      *-main.cf) cat "$f" >> "$etc/main.cf" ;;
      *-master.cf)
        awk 'NR == FNR { if ($0 ~ /^[^#[:space:]]/) drop[$1 "/" $2] = 1; next }
             /^[^#[:space:]]/ { skip = ($1 "/" $2) in drop }
             /^#/ { skip = 0 }
             !skip' "$f" "$etc/master.cf" > "$etc/master.cf.new" || return 1
        mv "$etc/master.cf.new" "$etc/master.cf"
        cat "$f" >> "$etc/master.cf" ;;
      *) pf_log "pf_paste: $f is neither a *-main.cf nor a *-master.cf snippet"; return 1 ;;
    esac
  done
}

pf_start() {
  if ! postfix -c "$PF_ROOT/etc" check; then
    pf_log "postfix check failed (see $PF_ROOT/log/maillog)"; return 1
  fi
  if ! postfix -c "$PF_ROOT/etc" start >/dev/null 2>&1; then
    pf_log "postfix start failed (see $PF_ROOT/log/maillog)"; tail -5 "$PF_ROOT/log/maillog" >&2; return 1
  fi
  # `postfix start` runs master -w, which returns once master bound every inet port (a taken
  # port makes the start fail); the wait also checks the listener is this master's.
  pf_wait_master "$(awk '$2=="inet"{split($1,a,":"); print a[2]; exit}' "$PF_ROOT/etc/master.cf")"
}

pf_master_pid() {
  local f=$PF_ROOT/spool/pid/master.pid
  [ -n "$PF_ROOT" ] && [ -f "$f" ] && tr -d ' \n' < "$f"
}

# pf_wait_master PORT [TENTHS] - wait until this instance's master, still running, listens on
# PORT (the smtpd listeners are the master's sockets, inherited by its smtpd children).
pf_wait_master() {
  local port=$1 pid
  [ -n "$port" ] || return 0
  pid=$(pf_master_pid)
  [ -n "$pid" ] || { pf_log "no master pid file under $PF_ROOT"; return 1; }
  wait_listen "$port" "$pid" "${2:-100}" || { pf_log "master ($pid) does not listen on port $port"; return 1; }
}

pf_stop() {
  [ -n "$PF_ROOT" ] && [ -f "$PF_ROOT/spool/pid/master.pid" ] || return 0
  postfix -c "$PF_ROOT/etc" stop >/dev/null 2>&1 || true
  local i; for i in $(seq 1 50); do
    [ -f "$PF_ROOT/spool/pid/master.pid" ] && kill -0 "$(tr -d ' ' < "$PF_ROOT/spool/pid/master.pid")" 2>/dev/null || return 0
    sleep 0.1
  done
}

pf_reload() { postfix -c "$PF_ROOT/etc" reload >/dev/null 2>&1; }

# pf_wait_listen PORT [TENTHS] [PID] - wait until something listens on 127.0.0.1:PORT; with
# PID, until PID's own listener does (wait_listen).
pf_wait_listen() {
  local port=$1 n=${2:-100} i
  [ -n "$port" ] || return 0
  if [ -n "${3:-}" ]; then wait_listen "$port" "$3" "$n"; return; fi
  for i in $(seq 1 "$n"); do
    ss -Hltn "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  pf_log "nothing listens on port $port"; return 1
}

# pf_wait_closed PORT - wait until nothing listens on PORT.
pf_wait_closed() {
  local i; for i in $(seq 1 100); do ss -Hltn "sport = :$1" | grep -q . || return 0; sleep 0.1; done
  return 1
}

pf_sink_start() {
  local port=$1; shift
  if ss -Hltn "sport = :$port" | grep -q .; then
    pf_log "port $port is already in use (a stale smtp-sink?)"; return 1
  fi
  setsid smtp-sink -u postfix "$@" -d "$PF_ROOT/sink/%H%M%S." "127.0.0.1:$port" 256 \
    >>"$PF_ROOT/log/sink.log" 2>&1 </dev/null &
  echo $! > "$PF_ROOT/run/sink.pid"
  wait_listen "$port" "$!" || { tail -3 "$PF_ROOT/log/sink.log" >&2; return 1; }
}

pf_sink_stop() {
  local f=$PF_ROOT/run/sink.pid
  [ -f "$f" ] || return 0
  kill "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}

# pf_send PORT FROM TO [swaks args...] - submit one message; returns swaks' exit code.
pf_send() {
  local port=$1 from=$2 to=$3; shift 3
  swaks --server 127.0.0.1 --port "$port" --from "$from" --to "$to" --silent 2 "$@" </dev/null
}

pf_sink_count() { find "$PF_ROOT/sink" -type f | wc -l; }

pf_wait_sink() {
  local want=$1 secs=${2:-60} i
  for i in $(seq 1 $((secs * 10))); do
    [ "$(pf_sink_count)" -ge "$want" ] && return 0
    sleep 0.1
  done
  pf_log "sink holds $(pf_sink_count) messages after ${secs}s, wanted $want"; return 1
}

# pf_queue_count - messages in the queue (0 when "Mail queue is empty").
pf_queue_count() {
  postqueue -c "$PF_ROOT/etc" -p 2>/dev/null | grep -cE '^[0-9A-F]{6,}[*!]?[[:space:]]'
}

pf_wait_queue_empty() {
  local secs=${1:-60} i
  for i in $(seq 1 $((secs * 10))); do
    [ "$(pf_queue_count)" -eq 0 ] && return 0
    sleep 0.1
  done
  pf_log "queue still holds $(pf_queue_count) messages after ${secs}s"; return 1
}

pf_flush() { postqueue -c "$PF_ROOT/etc" -f >/dev/null 2>&1 || true; }

pf_cleanup() {
  [ -n "$PF_ROOT" ] || return 0
  pf_stop
  pf_sink_stop
}

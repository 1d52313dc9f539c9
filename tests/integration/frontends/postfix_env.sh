# shellcheck shell=bash
# postfix_env.sh - the set-up the milter tests with a real Postfix share (bash library).
# Set FE_NAME (a short name for the scratch directories) and FE_PORTS (the TCP ports the test
# uses), then source it: it checks root and the tools, sources tests/lib/{postfix,unbound,
# mailcheck}.sh, makes R (for pf_init) and U (scratch, outside R: pf_init wipes R) under
# /var/tmp, cleans up on exit (verifier, unbound, Postfix, both directories) and fails when a
# port is taken. Provides:
#   die TEXT                 a failure: the last maillog and verifier log lines, then exit 1
#   fe_postfix SINK [LINE..] pf_init R with relay to dest.example, XCLIENT from loopback,
#                            reject_unauth_destination, milter_default_action = tempfail,
#                            milter_protocol 6 and the extra main.cf LINEs; the caller adds
#                            its smtpd services (pf_master) and starts (fe_start)
#   fe_start SINK            smtp-sink on SINK, then Postfix
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
[ "$(id -u)" -eq 0 ] || { echo "FAIL: $FE_NAME must run as root (private Postfix instance)"; exit 1; }
command -v postfix >/dev/null && command -v smtp-sink >/dev/null && command -v swaks >/dev/null \
  || { echo "FAIL: postfix, smtp-sink (postfix) and swaks must be installed"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
. "$POSTSEAL_SRC/tests/lib/unbound.sh"
. "$POSTSEAL_SRC/tests/lib/mailcheck.sh"

HERE="$POSTSEAL_SRC/tests/integration/frontends"
R=$(mktemp -d "/var/tmp/postseal-$FE_NAME-it.XXXXXX")
U=$(mktemp -d "/var/tmp/postseal-$FE_NAME-dns.XXXXXX")
chmod 755 "$U"
fe_cleanup() {
  stop_verifier
  unbound_stop "$U" 2>/dev/null
  pf_cleanup
  rm -rf "$R" "$U"
}
trap fe_cleanup EXIT
trap 'exit 1' INT TERM
die() {
  echo "FAIL: $*"
  [ -f "$R/log/maillog" ] && tail -20 "$R/log/maillog"
  local l; for l in "$U"/verifier*.log; do [ -f "$l" ] && tail -10 "$l"; done
  exit 1
}
for fe_port in $FE_PORTS; do
  ! ss -Hltn "sport = :$fe_port" | grep -q . || die "port $fe_port is already in use"
done

fe_postfix() {
  local sink=$1; shift
  pf_init "$R" "$sink" || die "pf_init"
  sed -i "/^smtpd_relay_restrictions/d" "$R/etc/main.cf"
  pf_main "relay_domains = dest.example" \
    "smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
    "smtpd_relay_restrictions = reject_unauth_destination" \
    "milter_default_action = tempfail" \
    "milter_protocol = 6" "$@"
}

fe_start() {
  pf_sink_start "$1" || die "smtp-sink did not start"
  pf_start || die "postfix did not start"
}

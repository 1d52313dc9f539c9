#!/usr/bin/env bash
# snippets_postconf.sh - every conf/postfix/ snippet set, pasted as shipped into Debian 12's
# default Postfix configuration (main.cf as Debian's postinst writes it for "Internet Site",
# master.cf.dist), gives no Postfix warning: `postconf -n`, `postconf -M` and `postconf -P`
# print nothing on stderr. Pasted with pf_paste_into (tests/lib/postfix.sh) as the snippets
# say: main.cf lines appended, master.cf services replacing those of the same name. Also checks the
# submission, submissions and pickup services hand mail to the signer, and that every
# listener in front of a postseal filter has smtpd_forbid_bare_newline = normalize.
# Starts no daemon; needs postfix installed (its /usr/share/postfix defaults).
set -uo pipefail
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
command -v postconf >/dev/null && [ -f /usr/share/postfix/master.cf.dist ] \
  || { echo "FAIL: postfix must be installed (postconf, /usr/share/postfix)"; exit 1; }
. "$POSTSEAL_SRC/tests/lib/postfix.sh"
SNIP=$POSTSEAL_SRC/conf/postfix
T=$(mktemp -d /tmp/postseal-snippets.XXXXXX)
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# debian_config DIR - Debian 12's main.cf (postinst, "Internet Site") and master.cf.
debian_config() {
  mkdir -p "$1"
  { cat /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls
    cat <<'MAIN'
myhostname = mx.example.com
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = /etc/mailname
mydestination = $myhostname, mx.example.com, localhost.example.com, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
MAIN
  } > "$1/main.cf"
  cp /usr/share/postfix/master.cf.dist "$1/master.cf"
}

# quiet NAME SNIPPET... - the set pasted into a fresh Debian configuration warns nowhere.
quiet() {
  local name=$1; shift
  local dir=$T/$name
  debian_config "$dir" && pf_paste_into "$dir" "${@/#/$SNIP/}" || { bad "$name: cannot paste $*"; return; }
  postconf -c "$dir" -n >/dev/null 2>"$dir/err.n"
  postconf -c "$dir" -M >/dev/null 2>"$dir/err.M"
  postconf -c "$dir" -P >/dev/null 2>"$dir/err.P"
  if cat "$dir"/err.* | grep -q .; then
    bad "$name ($*): postconf warns:"; cat "$dir"/err.* | sort -u | sed 's/^/    /'
  else
    ok "$name ($*): postconf -n/-M/-P print nothing on stderr"
  fi
}

# Each set first with Debian's defaults alone, so a warning is the snippets' own.
quiet debian-defaults
quiet signer signer-main.cf signer-master.cf
quiet srs-main srs-main.cf
quiet srs-master srs-master.cf
quiet policy-daemon policy-main.cf
quiet policy-spawn policy-main.cf policy-master.cf
quiet milter milter-main.cf
quiet proxy proxy-main.cf proxy-master.cf
quiet outbound-and-srs signer-main.cf signer-master.cf srs-main.cf policy-main.cf policy-master.cf
quiet inbound-milter-and-signer signer-main.cf signer-master.cf milter-main.cf srs-main.cf
quiet milter-sign milter-sign-main.cf milter-sign-master.cf
quiet milter-sign-and-srs milter-sign-main.cf milter-sign-master.cf srs-main.cf
quiet dmarc-bounce dmarc-bounce-main.cf dmarc-bounce-master.cf
quiet inbound-milter-and-dmarc-bounce milter-main.cf dmarc-bounce-main.cf dmarc-bounce-master.cf

# Signing covers every way mail is submitted: 587, 465 and sendmail/pickup.
dir=$T/signer
for svc in submission/inet submissions/inet pickup/unix; do
  cf=$(postconf -c "$dir" -P "$svc/content_filter" 2>/dev/null)
  [ "$cf" = "$svc/content_filter = dksign:[127.0.0.1]:10027" ] && ok "$svc hands mail to the signer" \
    || bad "$svc: content_filter is '${cf:-unset}', want dksign:[127.0.0.1]:10027"
done
[ "$(postconf -c "$dir" -P submissions/inet/smtpd_tls_wrappermode 2>/dev/null)" = \
  "submissions/inet/smtpd_tls_wrappermode = yes" ] && ok "submissions (465) speaks TLS from the start" \
  || bad "submissions/inet has no smtpd_tls_wrappermode = yes"
[ "$(grep -c '^pickup ' "$dir/master.cf")" -eq 1 ] && ok "one pickup service after pasting" \
  || bad "pickup defined $(grep -c '^pickup ' "$dir/master.cf") times"

# The milter signs what the submission services accept (milter.sign_daemons' ORIGINATING), and
# Postfix's own mail and sendmail/pickup mail pass through it.
dir=$T/milter-sign
for svc in submission/inet submissions/inet; do
  v=$(postconf -c "$dir" -P "$svc/milter_macro_daemon_name" 2>/dev/null)
  [ "$v" = "$svc/milter_macro_daemon_name = ORIGINATING" ] && ok "$svc: milter_macro_daemon_name = ORIGINATING" \
    || bad "$svc: milter_macro_daemon_name is '${v:-unset}'"
done
[ "$(postconf -c "$dir" -hx non_smtpd_milters 2>/dev/null)" = "unix:postseal/milter.sock" ] \
  && ok "milter-sign: non_smtpd_milters is the milter" || bad "milter-sign: non_smtpd_milters is not the milter"
[ "$(postconf -c "$dir" -h internal_mail_filter_classes 2>/dev/null)" = bounce ] \
  && ok "milter-sign: bounces pass the milter" || bad "milter-sign: internal_mail_filter_classes is not bounce"

# SMTP smuggling: every smtpd in front of a postseal filter normalizes bare LF.
for set in signer proxy milter milter-sign; do
  v=$(postconf -c "$T/$set" -h smtpd_forbid_bare_newline 2>/dev/null)
  [ "$v" = normalize ] && ok "$set: smtpd_forbid_bare_newline = normalize" \
    || bad "$set: smtpd_forbid_bare_newline = $v"
done
v=$(postconf -c "$T/proxy" -P smtp/inet/smtpd_forbid_bare_newline 2>/dev/null)
[ -z "$v" ] && ok "proxy: the public smtpd does not override it" || bad "proxy: $v"

# DMARC report bounces: the bounce address goes to the pipe service, which runs as postseal.
dir=$T/dmarc-bounce
[ "$(postconf -c "$dir" -h transport_maps 2>/dev/null)" = "inline:{ dmarc-bounces@example.org=postseal-dmarc-bounce: }" ] \
  && ok "dmarc-bounce: transport_maps routes the bounce address to postseal-dmarc-bounce" \
  || bad "dmarc-bounce: transport_maps is '$(postconf -c "$dir" -h transport_maps 2>/dev/null)'"
v=$(postconf -c "$dir" -M postseal-dmarc-bounce/unix 2>/dev/null)
case $v in
  *" pipe flags=q user=postseal argv=/usr/bin/postseal dmarc bounce "*) ok "dmarc-bounce: a pipe service as user postseal" ;;
  *) bad "dmarc-bounce: postseal-dmarc-bounce/unix is '$v'" ;;
esac

echo "snippets_postconf: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

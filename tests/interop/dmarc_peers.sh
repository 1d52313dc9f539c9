#!/bin/bash
# dmarc_peers.sh - interop: postseal's DMARC evaluation (`postseal dmarc`) beside Debian's
# peers, OpenDMARC's library (libopendmarc-dev, through the small C harness
# dmarc/opendmarc_eval.c) and python3-authheaders (dmarc/authheaders_eval.py), all asking one
# real unbound serving dmarc/zone.conf, over the cases of dmarc/cases.txt (aligned and
# unaligned SPF and DKIM, relaxed and strict, p/sp/np, subdomain From, no record, t=y, pct,
# two records, psd=y, several From mailboxes). postseal must give the RFC 9989 answer of
# cases.txt in both discovery modes (treewalk, psl); each peer must give postseal's PSL-mode
# answer, except where dmarc/known_differences.txt names the case, the peer, the peer's
# (observed) answer and the RFC section it departs from: there the peer must still give that
# answer, so a changed peer shows up. Env: POSTSEAL, POSTSEAL_SRC.
set -u
: "${POSTSEAL:?POSTSEAL must name the postseal binary}"
: "${POSTSEAL_SRC:?POSTSEAL_SRC must name the source tree}"
dir="$POSTSEAL_SRC/tests/interop/dmarc"
# shellcheck source=../lib/unbound.sh
source "$POSTSEAL_SRC/tests/lib/unbound.sh"

[ -r /usr/include/opendmarc/dmarc.h ] || { echo "FAIL: libopendmarc-dev is not installed" >&2; exit 1; }
/usr/bin/python3 -c 'import authheaders' 2>/dev/null ||
  { echo "FAIL: python3-authheaders is not installed" >&2; exit 1; }

WORK=$(mktemp -d /tmp/postseal-dmarc-peers.XXXXXX)
cleanup() {
  unbound_stop "$WORK/unbound"
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
PY
}

cc -O2 -Wall -Werror -o "$WORK/opendmarc_eval" "$dir/opendmarc_eval.c" -lopendmarc ||
  { echo "FAIL: cannot build the OpenDMARC harness" >&2; exit 1; }
started=no
for _ in 1 2 3; do
  PORT=$(free_port)
  if unbound_start "$WORK/unbound" "$PORT" "$dir/zone.conf"; then started=yes; break; fi
done
[ "$started" = yes ] || { echo "FAIL: unbound did not start" >&2; exit 1; }
: >"$WORK/empty.toml"

grep -v '^#' "$dir/cases.txt" | grep . >"$WORK/cases"
declare -A opendmarc authheaders
while read -r id answer policy; do opendmarc[$id]="$answer/$policy"; done \
  < <(grep -v ',' "$WORK/cases" | "$WORK/opendmarc_eval" --dns "$PORT")
while read -r id answer policy; do authheaders[$id]="$answer/$policy"; done \
  < <(/usr/bin/python3 "$dir/authheaders_eval.py" "$PORT" <"$WORK/cases" 2>"$WORK/authheaders.err")

declare -A known
while read -r id peer answer _; do
  case "$id" in ''|'#'*) continue ;; esac
  known[$id/$peer]=$answer
done <"$dir/known_differences.txt"

# ours MODE FROM SPF_DOMAIN SPF_RESULT DKIM_DOMAIN DKIM_RESULT - postseal's RESULT/POLICY.
ours() {
  local mode=$1 from=$2 spf_domain=$3 spf_result=$4 dkim_domain=$5 dkim_result=$6 args out line
  if [[ "$from" == *,* ]]; then
    from=$(sed 's/\([^,]*\)/user@\1/g; s/,/, /g' <<<"$from")
  fi
  args=(dmarc --dns "127.0.0.1@$PORT" --discovery "$mode" -c "$WORK/empty.toml" --from "$from")
  [ "$spf_domain" != - ] && args+=(--spf-domain "$spf_domain" --spf-result "$spf_result")
  [ "$dkim_domain" != - ] && args+=(--dkim "$dkim_domain:$dkim_result")
  out=$(timeout 20 "$POSTSEAL" "${args[@]}" 2>&1)
  line=$(grep '^result: ' <<<"$out")
  local result policy=-
  result=$(sed -n 's/^result: dmarc=\([a-z]*\).*/\1/p' <<<"$line")
  [[ "$line" == *" policy.dmarc="* ]] && policy=${line##* policy.dmarc=}
  echo "${result:-error}/$policy"
}

# matches WANT GOT - GOT is WANT or one of WANT's "|" alternatives.
matches() {
  local alt
  IFS='|' read -ra alts <<<"$1"
  for alt in "${alts[@]}"; do [ "$alt" = "$2" ] && return 0; done
  return 1
}

n=0 failures=0 agree=0 differ=0
printf '%-20s %-16s %-16s %-16s %-16s\n' case treewalk psl opendmarc authheaders
while read -r id from spf_domain spf_result dkim_domain dkim_result want_tw want_psl; do
  n=$((n + 1))
  tw=$(ours treewalk "$from" "$spf_domain" "$spf_result" "$dkim_domain" "$dkim_result")
  psl=$(ours psl "$from" "$spf_domain" "$spf_result" "$dkim_domain" "$dkim_result")
  od=${opendmarc[$id]:-n/a}
  ah=${authheaders[$id]:-missing}
  printf '%-20s %-16s %-16s %-16s %-16s\n' "$id" "$tw" "$psl" "$od" "$ah"
  [ "$tw" = "$want_tw" ] || { echo "FAIL: $id: postseal treewalk $tw, want $want_tw" >&2; failures=$((failures + 1)); }
  [ "$psl" = "$want_psl" ] || { echo "FAIL: $id: postseal psl $psl, want $want_psl" >&2; failures=$((failures + 1)); }
  for peer in opendmarc authheaders; do
    got=$od
    [ "$peer" = authheaders ] && got=$ah
    if [ -n "${known[$id/$peer]:-}" ]; then
      if matches "${known[$id/$peer]}" "$got"; then
        differ=$((differ + 1))
      else
        echo "FAIL: $id: $peer now answers $got, known_differences.txt says ${known[$id/$peer]}" >&2
        failures=$((failures + 1))
      fi
    elif [ "$got" = "$psl" ]; then
      agree=$((agree + 1))
    else
      echo "FAIL: $id: $peer answers $got, postseal (psl) $psl" >&2
      failures=$((failures + 1))
    fi
  done
done <"$WORK/cases"

if [ "$n" -lt 20 ]; then
  echo "FAIL: only $n cases" >&2
  exit 1
fi
echo "dmarc peers: $n cases; peer answers equal to postseal's: $agree; known RFC 9989 differences confirmed: $differ"
[ "$failures" -eq 0 ] || { echo "FAIL: $failures mismatches" >&2; exit 1; }

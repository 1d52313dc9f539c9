#!/bin/bash
# spool_full.sh - soak: the spool of the signer and of the proxy (spool_directory, where
# messages over memory_spool go; core/relay/spool.cpp) on a 2 MiB tmpfs in a private mount
# namespace (unshare -m; root only, else skipped with 77). For each daemon: 5 messages of
# 200 kB are delivered; with the tmpfs filled up, 5 more get a 4xx (452) and none reaches the
# sink; once the filler is removed, 5 more are delivered; then 4 sessions of 3 x 600 kB at
# once (more than the tmpfs holds) get 250 or 4xx each. Nothing is lost: every message
# answered 250 is at the sink, none answered 4xx is. Daemons as units run them (umask 022,
# LimitNOFILE) as SOAK_USER. Prints each phase's replies and the tmpfs use.
set -u
: "${POSTSEAL:?}" "${POSTSEAL_SRC:?}"
if [ -z "${SOAK_IN_NAMESPACE:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for unshare -m and mount"; exit 77; }
  SOAK_IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$POSTSEAL_SRC/tests/lib/soak.sh"
soak_init spool
trap 'umount "$S/spool" 2>/dev/null; soak_cleanup' EXIT
read -r SIGNER POLICY PROXY SINK < <(soak_ports 4)
mkdir -p "$S/spool"
mount -t tmpfs -o size=2m,mode=1777 tmpfs "$S/spool" || fail "cannot mount a tmpfs"
soak_key "$S/keys"
soak_sink "$SINK"
cat > "$S/postseal.toml" <<TOML
[signer]
user = "$SOAK_USER"
memory_spool = 16384
spool_directory = "$S/spool"
[[signer.domain]]
name = "example.com"
keys = ["soak:$S/keys/soak.private"]
[verifier]
user = "$SOAK_USER"
[proxy]
memory_spool = 16384
spool_directory = "$S/spool"
TOML
printf 'example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"\n' > "$S/zone.txt"
soak_daemon signer "$POSTSEAL" signer -c "$S/postseal.toml" --listen "127.0.0.1:$SIGNER" --relay "127.0.0.1:$SINK" --log stderr
SPID=$DAEMON_PID
soak_daemon verifier "$POSTSEAL" verifier -c "$S/postseal.toml" --listen "127.0.0.1:$POLICY" --proxy \
  --proxy-listen "127.0.0.1:$PROXY" --proxy-relay "127.0.0.1:$SINK" --dns-zone "$S/zone.txt" \
  --authserv-id mx.soak.example --log stderr
VPID=$DAEMON_PID
soak_wait_port "$SIGNER" "$SPID"; soak_wait_port "$PROXY" "$VPID"
phase() {  # phase NAME PORT TAG WANT [xforward] - 5 messages of 200 kB; every reply must start with WANT
  $SOAK_PY sendmany "$2" 5 200000 "$3" ${5:-} > "$S/$3.replies"
  echo "$1 ($3): $(awk '{print $2}' "$S/$3.replies" | sort | uniq -c | xargs); tmpfs $(df --output=used -k "$S/spool" | tail -1 | xargs) kB used"
  awk -v w="$4" '$2 !~ "^" w { bad = 1; print "  " $0 } END { exit bad }' "$S/$3.replies" || fail "$1: replies not $4*"
}
for d in signer proxy; do
  if [ $d = signer ]; then port=$SIGNER xf=""; else port=$PROXY xf=xforward; fi
  echo "== $d"
  phase "$d, space free" "$port" "$d-before" 250 $xf
  dd if=/dev/zero of="$S/spool/filler" bs=64k 2>/dev/null
  phase "$d, tmpfs full" "$port" "$d-full" 4 $xf
  rm -f "$S/spool/filler"
  phase "$d, space back" "$port" "$d-after" 250 $xf
  senders=()
  for i in 1 2 3 4; do  # 4 sessions at once, 600 kB each: more than the tmpfs holds
    $SOAK_PY sendmany "$port" 3 600000 "$d-race$i" $xf > "$S/$d-race$i.replies" & senders+=($!)
  done
  wait "${senders[@]}"
  cat "$S/$d"-race?.replies > "$S/$d-race.all"; rm "$S/$d"-race?.replies
  echo "$d, 4 sessions of 600 kB at once: $(awk '{print $2}' "$S/$d-race.all" | sort | uniq -c | xargs)"
  awk '$2 !~ /^(250|4)/ { bad = 1; print "  " $0 } END { exit bad }' "$S/$d-race.all" || fail "$d: replies not 250 or 4xx"
  mv "$S/$d-race.all" "$S/$d-race.replies"
done
cat "$S"/*.replies > "$S/all"
accepted=$(awk '$2 == 250' "$S/all" | wc -l)
soak_wait_sink "$accepted" 30 || fail "the sink holds $(soak_sink_count) messages, $accepted were answered 250"
while read -r token code _; do
  found=$(grep -l -F "X-Soak-Token: $token" -r "$S/sink" | wc -l)
  if [ "$code" = 250 ] && [ "$found" -ne 1 ]; then fail "$token was answered 250 but is at the sink $found time(s)"; fi
  if [ "$code" != 250 ] && [ "$found" -ne 0 ]; then fail "$token was answered $code but reached the sink"; fi
done < "$S/all"
echo "sink: $(soak_sink_count) messages = the $accepted answered 250; the $(( $(wc -l < "$S/all") - accepted )) refused with 4xx are not there"
grep -h "storage\|spool" "$S/signer.log" "$S/verifier.log" | sed 's/^/  log: /' | sort | uniq -c | head -4
echo "signer log: $(soak_log_lines signer) line(s), verifier log: $(soak_log_lines verifier) line(s)"
echo "PASS: a full spool gives 4xx, nothing is lost, service recovers"

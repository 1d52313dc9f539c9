# shellcheck shell=bash
# milter_lib.sh - helpers for milter_options.sh (bash library; source it after postfix_env.sh).
#
# Expects: POSTSEAL, R (the Postfix dir of pf_init), U (a scratch dir outside R), P_SMTPD,
# MILTER, DNS. Provides:
#   (from postfix_env.sh: die; tests/lib/mailcheck.sh: ok, bad, stop_verifier, sink_find, fields, ours)
#   start_verifier NAME TOML      (re)start `postseal verifier --milter` with a config file
#                                 holding TOML; waits (bounded) until the milter port listens
#   message TOKEN [HEADER...]     a CRLF message (no Subject unless given) on stdout; TOKEN is
#                                 in the Message-ID and the body
#   send FROM ADDR NAME FILE [TO] swaks with XCLIENT ADDR/NAME (TO: comma list, default
#                                 rcpt@dest.example); prints the transcript
#   expect_delivered TOKEN OUT    F := the sink dump holding TOKEN (bounded wait); a failure
#                                 (and F empty) when OUT shows a refusal or nothing arrives
#   expect_refused TEXT OUT       ok when OUT holds a 550 5.7.23, else a failure
#   rcpts FILE                    the envelope recipients smtp-sink saw (X-Rcpt-Args), one a line
#   wait_rcpts TOKEN WANT         the recipients of every dump holding TOKEN (Postfix splits
#                                 deliveries per destination), sorted, space-separated with a
#                                 trailing space; waits (bounded, 10 s) until they equal WANT

F=""

start_verifier() {
  local name=$1 toml=$2
  stop_verifier || bad "verifier before config $name did not stop on SIGTERM"
  pf_wait_closed "$MILTER" || die "milter port $MILTER still busy"
  printf '%s\n' "$toml" > "$U/$name.toml"
  "$POSTSEAL" verifier --config "$U/$name.toml" --listen "unix:$U/policy-$name.sock" \
    --milter "127.0.0.1:$MILTER" --dns "127.0.0.1@$DNS" --authserv-id mx.test.local \
    > "$U/verifier-$name.log" 2>&1 &
  VERIFIER_PID=$!
  wait_listen "$MILTER" "$VERIFIER_PID" || die "postseal verifier --milter with config $name did not start"
  echo "--- config $name: $(tr '\n' ' ' < "$U/$name.toml")"
}

message() {
  local token=$1; shift
  printf 'From: Sender <sender@example.org>\r\nTo: rcpt@dest.example\r\n'
  printf 'Date: Mon, 23 Nov 2026 03:00:00 +0000\r\nMessage-ID: <%s@milter-options.test>\r\n' "$token"
  local h; for h in "$@"; do printf '%s\r\n' "$h"; done
  printf '\r\nHello,\r\nthis is the body of %s.\r\n' "$token"
}

send() {
  swaks --server 127.0.0.1 --port "$P_SMTPD" --from "$1" --to "${5:-rcpt@dest.example}" \
    --xclient-addr "$2" --xclient-name "$3" --xclient-helo mail.client.example.com \
    --helo mail.client.example.com --data "$4" </dev/null 2>&1
}

# sink_file TOKEN - the sink dump whose Message-ID is TOKEN (waits up to 30 s).
sink_file() { sink_find "<$1@milter-options.test>"; }

expect_delivered() {
  local token=$1 out=$2
  F=""
  if echo "$out" | grep -qE '^ *<\*\* *[45][0-9][0-9] '; then
    bad "$token: refused: $(echo "$out" | grep -E '^ *<\*\*' | head -2 | tr -s ' ')"
    return 1
  fi
  if ! F=$(sink_file "$token"); then
    F=""
    bad "$token: accepted but not delivered to the sink"; echo "$out" | tail -5
    return 1
  fi
  return 0
}

expect_refused() {
  local text=$1 out=$2
  if echo "$out" | grep -qE '^ *<\*\* *550 5.7.23 '; then ok "$text"
  else bad "$text (no 550 5.7.23)"; echo "$out" | grep -E '^ *<' | tail -3; fi
}

rcpts() { grep -i '^X-Rcpt-Args:' "$1" | grep -o '<[^>]*>' | tr -d '<>'; }
wait_rcpts() {
  local token=$1 want=$2 i got=""
  for i in $(seq 1 100); do
    got=$(grep -l -F -- "<$token@milter-options.test>" "$R"/sink/* 2>/dev/null |
      while read -r f; do rcpts "$f"; done | sort | tr '\n' ' ')
    [ "$got" = "$want" ] && break
    sleep 0.1
  done
  echo "$got"
}

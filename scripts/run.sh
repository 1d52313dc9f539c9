#!/usr/bin/env bash
# run.sh - build postseal (installing its Debian build packages) and run its main job, the
# DKIM-signing content filter, on its defaults: listen on 127.0.0.1:10027, reinject into
# Postfix at 127.0.0.1:10028 (see conf/postfix/ for the main.cf/master.cf lines).
#
# With /etc/postseal/postseal.toml present it runs `postseal signer -c` on that file. Without
# one it makes a demo key for example.com (selector "demo") under run/keys/ once, prints the
# DNS record to publish, and signs example.com mail with it. Stop with Ctrl-C (SIGTERM-safe).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TARGETS=postseal bash scripts/build.sh
BIN=${BUILD_DIR:-build}/cli/postseal
CONF=${POSTSEAL_CONF:-/etc/postseal/postseal.toml}

if [ -f "$CONF" ]; then
  exec "$BIN" signer -c "$CONF" --foreground "$@"
fi

mkdir -p run/keys
chmod 700 run/keys
if [ ! -f run/keys/demo.private ]; then
  "$BIN" keygen --domain example.com --selector demo --dir run/keys
else
  echo "Publish this record (from run/keys/demo.txt):"
  cat run/keys/demo.txt
fi
echo "No $CONF: signing mail from example.com with run/keys/demo.private (selector demo)."
exec "$BIN" signer --listen 127.0.0.1:10027 --relay 127.0.0.1:10028 \
  --key example.com:demo:run/keys/demo.private --foreground "$@"

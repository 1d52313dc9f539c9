#!/usr/bin/env bash
# srs_peers.sh - interop with Mail::SRS (libmail-srs-perl) and pysrs (python3-srs) on
# generated secrets and addresses: our forward == theirs, each side reverses the other's
# output, all refuse a forged hash. Several separators and hash lengths, a rotated secret.
set -euo pipefail
: "${POSTSEAL:?set POSTSEAL to the postseal binary}"
: "${POSTSEAL_SRC:?set POSTSEAL_SRC to the source tree}"
H="$POSTSEAL_SRC/tests/interop/srs"
T=$(mktemp -d /tmp/postseal-srs-peers.XXXXXX)
trap 'rm -rf "$T"' EXIT
/usr/bin/perl -MMail::SRS -e1 || { echo "FAIL: Mail::SRS not installed (libmail-srs-perl)"; exit 1; }
/usr/bin/python3 -c 'import SRS' || { echo "FAIL: pysrs not installed (python3-srs)"; exit 1; }
exec /usr/bin/python3 "$H/peers_driver.py" "$POSTSEAL" "$H" "$T"

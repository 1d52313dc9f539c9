#!/usr/bin/env bash
# make-conf.sh - assemble conf/postseal.toml from the per-area snippets in conf/postseal.d/.
# Each area documents its own keys; the unit test config.documented checks the result, and
# unit.config.assembled (`make-conf.sh --check`) that conf/postseal.toml is what this writes:
# edit conf/postseal.d/AREA.toml, never conf/postseal.toml.
set -euo pipefail
cd "$(dirname "$0")/../conf"
assemble() {
  cat <<'HEAD'
# /etc/postseal/postseal.toml - postseal configuration (every key, with its default).
#
# Lines starting with "# key = value" show a key at its default: uncomment to change it.
# Check a file with `postseal check-config -c /etc/postseal/postseal.toml` (like `postfix
# check`): unknown keys, wrong types and out-of-range values are reported with their line.
# Command-line options of each daemon override what this file says.
HEAD
  known="dns keys signer dkim domainkeys srs spf verifier frontends dmarc greylist state"
  for area in $known; do
    [ -f "postseal.d/$area.toml" ] || continue
    printf '\n'
    cat "postseal.d/$area.toml"
  done
  for f in postseal.d/*.toml; do   # any newer area, after the known ones
    case " $known " in *" $(basename "$f" .toml) "*) continue ;; esac
    printf '\n'
    cat "$f"
  done
}
if [ "${1:-}" = "--check" ]; then
  if ! assemble | diff -u postseal.toml - ; then
    echo "conf/postseal.toml differs from conf/postseal.d/*.toml: edit postseal.d, run scripts/make-conf.sh" >&2
    exit 1
  fi
  exit 0
fi
assemble > postseal.toml
echo "wrote conf/postseal.toml"

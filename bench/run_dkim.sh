#!/usr/bin/env bash
# run_dkim.sh - DKIM signing and verifying benchmark beside its ceiling and its peer (not a test).
#
# Prints, from one run on this machine: messages/s per core signing a 4 KB and a 100 KB
# message with RSA-2048, Ed25519 and dual, and verifying the signed messages (postseal's
# dkim_bench; keys from an in-memory zone), libopendkim signing and verifying the same
# messages (bench/dkim/opendkim_sign.c, built here against libopendkim-dev; keys from its
# DKIM_QUERY_FILE file), and `openssl speed -seconds 3 rsa2048 ed25519 sha256` (the ceiling:
# one bare signature or verification per message, raw SHA-256); then ratios. All rates are per core (CPU time), median of 5 runs.
# Two ceilings per message: the bare operation (what the issue's targets were set against) and
# "+hash": the operation plus SHA-256 over the message's octets at openssl's rate, the least
# any DKIM signer or verifier must do (it hashes every body octet). Canonicalization is set
# beside openssl's SHA-256 and beside SHA-256 over the same octets in the same process.
# Usage: bench/run_dkim.sh [BUILD_DIR]   (default: build; needs the dkim_bench target built)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${POSTSEAL_BUILD:-$SRC/build}}
BENCH="$BUILD/bench/dkim_bench"
[ -x "$BENCH" ] || { echo "run_dkim: $BENCH not built (cmake --build $BUILD --target dkim_bench)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/postseal-dkim-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "run_dkim: openssl speed (about 30 s)..." >&2
openssl speed -seconds 3 rsa2048 ed25519 sha256 > "$WORK/openssl.txt" 2>/dev/null
ossl_rsa=$(awk '/^rsa 2048 bits/ {print $(NF-1)}' "$WORK/openssl.txt")
ossl_ed=$(awk '/EdDSA \(Ed25519\)/ {print $(NF-1)}' "$WORK/openssl.txt")
ossl_rsa_v=$(awk '/^rsa 2048 bits/ {print $NF}' "$WORK/openssl.txt")
ossl_ed_v=$(awk '/EdDSA \(Ed25519\)/ {print $NF}' "$WORK/openssl.txt")
ossl_sha=$(awk '/^sha256 / {v=$NF; sub(/k$/, "", v); print v / 1000}' "$WORK/openssl.txt")

echo "run_dkim: postseal dkim_bench..." >&2
"$BENCH" > "$WORK/postseal.txt"
"$BENCH" --write-messages "$WORK"

echo "run_dkim: libopendkim..." >&2
peer="$WORK/opendkim.txt"
if cc -O2 -o "$WORK/opendkim_sign" "$SRC/bench/dkim/opendkim_sign.c" -lopendkim 2> "$WORK/cc.log"; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rsa.pem" 2>/dev/null
  openssl genpkey -algorithm ED25519 -out "$WORK/ed.pem" 2>/dev/null
  {
    echo "rsa._domainkey.example.com v=DKIM1; k=rsa; p=$(openssl pkey -in "$WORK/rsa.pem" -pubout -outform DER | base64 -w0)"
    # Ed25519 p= is the raw 32-octet key (RFC 8463 4.2): the tail of the SubjectPublicKeyInfo.
    echo "ed._domainkey.example.com v=DKIM1; k=ed25519; p=$(openssl pkey -in "$WORK/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)"
  } > "$WORK/keys.txt"
  "$WORK/opendkim_sign" "$WORK/rsa.pem" "$WORK/ed.pem" "$WORK/keys.txt" "$WORK/4k.eml" "$WORK/100k.eml" > "$peer"
else
  echo "run_dkim: libopendkim-dev missing, no peer figures: $(head -1 "$WORK/cc.log")" >&2
  : > "$peer"
fi

get() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
# with_hash CEIL BYTES - CEIL ops/s with SHA-256 over BYTES octets (at $ossl_sha MB/s) added to each.
with_hash() { awk -v c="$1" -v b="$2" -v s="$ossl_sha" 'BEGIN { printf "%.1f", 1 / (1 / c + b / (s * 1e6)) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == "n/a" || b == 0) print "-"; else printf "%.0f%%", 100 * a / b }'; }

printf '\n%-26s %14s %14s %10s %14s %10s %14s %10s\n' "DKIM signing (per core)" "postseal" "libopendkim" "ps/odkim" \
  "openssl ceil" "ps/ceil" "ceil+hash" "ps/c+h"
for size in 4 100; do
  bytes=$(stat -c %s "$WORK/${size}k.eml")
  for set in rsa2048 ed25519 dual; do
    ours=$(get "sign_${set}_${size}k" "$WORK/postseal.txt")
    theirs=$(get "opendkim_sign_${set}_${size}k" "$peer")
    case $set in
      rsa2048) ceil=$ossl_rsa ;;
      ed25519) ceil=$ossl_ed ;;
      dual) ceil=$(awk -v r="$ossl_rsa" -v e="$ossl_ed" 'BEGIN { printf "%.1f", 1 / (1 / r + 1 / e) }') ;;
    esac
    ceil_h=$(with_hash "$ceil" "$bytes")
    printf '%-26s %10s msg/s %10s msg/s %10s %10s sig/s %10s %10s msg/s %10s\n' "${set} ${size} KB" "$ours" "${theirs:--}" \
      "$(ratio "$ours" "$theirs")" "$ceil" "$(ratio "$ours" "$ceil")" "$ceil_h" "$(ratio "$ours" "$ceil_h")"
  done
done
printf '\n%-26s %14s %14s %10s %14s %10s %14s %10s\n' "DKIM verifying (per core)" "postseal" "libopendkim" "ps/odkim" \
  "openssl ceil" "ps/ceil" "ceil+hash" "ps/c+h"
for size in 4 100; do
  bytes=$(stat -c %s "$WORK/${size}k.eml")
  for set in rsa2048 ed25519 dual; do
    ours=$(get "verify_${set}_${size}k" "$WORK/postseal.txt")
    theirs=$(get "opendkim_verify_${set}_${size}k" "$peer")
    case $set in
      rsa2048) ceil=$ossl_rsa_v ;;
      ed25519) ceil=$ossl_ed_v ;;
      dual) ceil=$(awk -v r="$ossl_rsa_v" -v e="$ossl_ed_v" 'BEGIN { printf "%.1f", 1 / (1 / r + 1 / e) }') ;;
    esac
    ceil_h=$(with_hash "$ceil" "$bytes")
    printf '%-26s %10s msg/s %10s msg/s %10s %10s vfy/s %10s %10s msg/s %10s\n' "${set} ${size} KB" "$ours" "${theirs:--}" \
      "$(ratio "$ours" "$theirs")" "$ceil" "$(ratio "$ours" "$ceil")" "$ceil_h" "$(ratio "$ours" "$ceil_h")"
  done
done
raw_sha=$(get canon_hash_sha256_raw "$WORK/postseal.txt")
printf '\n%-26s %14s %14s %10s %14s %10s\n' "canonicalize + SHA-256" "postseal" "openssl sha256" "ratio" \
  "same octets" "ratio"
for canon in relaxed simple relaxed_plain; do
  ours=$(get "canon_hash_$canon" "$WORK/postseal.txt")
  label="$canon body (WSP runs)"
  [ "$canon" = relaxed_plain ] && label="relaxed body (plain text)"
  printf '%-26s %9s MB/s %9s MB/s %10s %9s MB/s %10s\n' "$label" "$ours" "$ossl_sha" "$(ratio "$ours" "$ossl_sha")" \
    "${raw_sha:--}" "$(ratio "$ours" "$raw_sha")"
done
echo
echo "openssl ceiling: rsa2048 $ossl_rsa sign/s $ossl_rsa_v verify/s, ed25519 $ossl_ed sign/s $ossl_ed_v verify/s,"
echo "sha256 (16 KB blocks) $ossl_sha MB/s; same octets: SHA-256 in this process over the canonicalization"
echo "benchmark's body (16 KB updates); libopendkim reads its key file per lookup, postseal caches parsed keys;"
echo "targets (issue 14, 4 KB, ps/ceil): rsa2048 sign >= 90%, ed25519 sign >= 85%, rsa2048 verify >= 80%,"
echo "ed25519 verify >= 90%; relaxed canonicalize+hash >= 85% of raw SHA-256."

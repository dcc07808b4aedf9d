#!/usr/bin/env bash
# Build tests/interop/fixbuf_5610.c against the installed libfixbuf and run it.
#
# Usage: fixbuf_5610.sh OUT
#
#   fixbuf_5610.sh testdata/interop/fixbuf-5610.ipfix
#
# Needs gcc, pkg-config and libfixbuf-dev (libfixbuf 2.4). The program is
# compiled in a temporary directory (removed on exit), so parallel runs never
# clash and nothing is left in the tree. The output is deterministic: a fixed
# export time and no wall-clock fields.
#
# Exit status: 0 with the IPFIX file in OUT, 1 on any failure, 2 on usage errors.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUT" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fixbuf_5610.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046 # pkg-config prints several words on purpose
gcc -std=c99 -Wall -Wextra -Werror -o "$tmp/fixbuf_5610" "$here/fixbuf_5610.c" \
    $(pkg-config --cflags --libs libfixbuf) || exit 1
"$tmp/fixbuf_5610" "$out" || exit 1
[[ -s $out ]] || { echo "$0: $out is empty" >&2; exit 1; }

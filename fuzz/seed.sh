#!/bin/sh
# Seeds fuzz/corpus/reader/ (gitignored) from the repository's IPFIX files, fuzz/seeds/
# (hand-made: damaged and self-referencing lists, hostile RFC 5610 names) and the shared
# sample corpus. Run from anywhere; safe to re-run (files are named by content hash).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir="$here/corpus/reader"
mkdir -p "$dir"
for f in "$root"/testdata/*.ipfix "$root"/testdata/malformed/*.ipfix "$here"/seeds/*.ipfix \
    /work/shared/samples/*.ipfix; do
    [ -f "$f" ] || continue
    cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"
done
ls "$dir" | wc -l

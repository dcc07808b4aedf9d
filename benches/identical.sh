#!/usr/bin/env bash
# Byte-identical outputs across a change: runs two builds of ipfixkit over every sample and the
# bench file, in every output format and time style, and compares stdout, stderr and the exit
# status of each run.
#
#   benches/identical.sh OLD_BIN NEW_BIN [N]
#
# OLD_BIN: e.g. a release build of the commit before a refactoring (`git worktree add
# /tmp/old REV && cargo build --release --manifest-path /tmp/old/Cargo.toml`); NEW_BIN: this
# tree's target/release/ipfixkit. N (default 1000000) is the bench file's record count (made by
# benches/mkflows.py as run.sh makes it, cached in target/bench-data/). Prints one line per
# differing run and exits 1 if any differs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1
NEW=$2
N=${3:-1000000}
BENCH=$("$ROOT/benches/flows.sh" "$N")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

inputs=("$ROOT"/testdata/samples/* "$ROOT"/testdata/interop/*.ipfix "$ROOT"/testdata/malformed/*.ipfix
        "$ROOT"/testdata/article-example.ipfix "$BENCH")
runs=(
    "cat" "cat -f detail" "cat -f json" "cat -f csv" "cat -f json --time epoch"
    "cat -f csv --time epoch" "cat -f text --time epoch" "cat --templates" "cat --stats"
    "cat --stats -f json" "convert --to json" "convert --to csv" "convert --to ipfix --force"
    "filter --count proto\\ tcp" "filter -f json port\\ 53"
    "cat --stats -f csv" "cat --templates --stats" "cat --stats --strict" "cat --templates -f json"
    "cat -n 3 -f json" "cat -f csv --no-options" "cat -f json --options-only"
    "filter --force proto\\ udp" "filter --force -v proto\\ udp" "filter -f csv bytes\\ \\>\\ 1000"
    "convert --to ipfix --force --metadata --message-size 1400"
)
differ=0
for f in "${inputs[@]}"; do
    [[ -f $f ]] || continue
    case $f in *.md) continue ;; esac
    for r in "${runs[@]}"; do
        eval "args=($r)"
        for which in old new; do
            bin=$OLD
            [[ $which == new ]] && bin=$NEW
            set +e
            "$bin" "${args[@]}" "$f" >"$WORK/$which.out" 2>"$WORK/$which.err"
            echo $? >"$WORK/$which.rc"
            set -e
        done
        for part in out err rc; do
            if ! cmp -s "$WORK/old.$part" "$WORK/new.$part"; then
                echo "differs ($part): ipfixkit $r $(basename "$f")"
                differ=1
            fi
        done
    done
done
if [[ $differ == 0 ]]; then
    echo "identical: ${#runs[@]} runs over each of ${#inputs[@]} inputs"
fi
exit $differ

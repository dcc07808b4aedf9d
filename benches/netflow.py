#!/usr/bin/env python3
"""The NetFlow path against the IPFIX path: the same flows as IPFIX (benches/mkflows.py) and
as NetFlow v9 (benches/ipfix2nf9.py), `ipfixkit cat -f csv -j1` of each, in interleaved
pairs (as headline.py, so both see the same phases of a noisy machine), and, with
valgrind installed, the instruction counts of both.

    benches/netflow.py BIN [N] [PAIRS]

N defaults to 1000000 records, PAIRS to 8. The IPFIX file is benches/flows.sh's, the v9
file is cached beside it. Prints a
markdown table: best and median wall time of each, their ratios, and the instruction counts.
Standard library only.
"""

import os
import re
import statistics
import subprocess
import sys

from headline import timed  # one timing of a command, as the headline comparison takes it

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cached(n):
    """The bench file of n records (benches/flows.sh) and its v9 rewrite beside it."""
    flows = os.path.join(ROOT, "benches", "flows.sh")
    ipfix = subprocess.run([flows, str(n)], check=True, capture_output=True, text=True).stdout.strip()
    nf9 = ipfix[: -len(".ipfix")] + ".nf9"
    if not os.path.exists(nf9):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "ipfix2nf9.py"), ipfix, nf9 + ".tmp"], check=True)
        os.rename(nf9 + ".tmp", nf9)
    return ipfix, nf9


def instructions(cmd):
    try:
        r = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        return None
    m = re.search(r"Collected : (\d+)", r.stderr)
    return int(m.group(1)) if m else None


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    ipfix, nf9 = cached(n)
    cmds = {name: [binary, "cat", "-f", "csv", "-j1", f] for name, f in (("ipfix", ipfix), ("v9", nf9))}
    for c in cmds.values():
        timed(c)
    runs = {"ipfix": [], "v9": []}
    for k in range(pairs):
        order = ["ipfix", "v9"] if k % 2 == 0 else ["v9", "ipfix"]
        for name in order:
            runs[name].append(timed(cmds[name]))
    best = {k: min(v) for k, v in runs.items()}
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"| `cat -f csv -j1`, {n} records, {pairs} interleaved pairs | best | median |")
    print("|---|---:|---:|")
    for name in ("ipfix", "v9"):
        print(f"| {name} | {best[name]:.3f} s | {med[name]:.3f} s |")
    print(f"| v9 / IPFIX | **{best['v9'] / best['ipfix']:.2f}x** | **{med['v9'] / med['ipfix']:.2f}x** |")
    small = min(n, 100_000)
    if small != n:
        ipfix, nf9 = cached(small)
    a = instructions([binary, "cat", "-f", "csv", "-j1", ipfix])
    b = instructions([binary, "cat", "-f", "csv", "-j1", nf9])
    if a and b:
        print(f"\nInstructions (callgrind, {small} records): IPFIX {a / 1e6:.1f} M, v9 {b / 1e6:.1f} M, **{b / a:.2f}x**.")


if __name__ == "__main__":
    main()

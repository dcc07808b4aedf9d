#!/usr/bin/env python3
"""The headline comparison of issue 2: `ipfixkit cat -f csv -j1 FILE` against
`ipfixDump -d -i FILE`, with the runs of the two interleaved.

    benches/headline.py BIN FILE [RUNS]

On a shared VM the speed of the machine drifts by tens of percent over minutes. hyperfine
times one command's runs back to back, so two commands can land in different phases; here
run k of ipfixkit and run k of ipfixDump follow each other (the order alternating), so both
see the same phases. Prints the best and the median wall time of each, the ratio of the
bests, the ratio of the medians, and the lowest and highest ratio of the pairs, as a
markdown table. Both outputs go to /dev/null; one untimed warm-up run of each comes first.
Standard library only.
"""

import statistics
import subprocess
import sys
import time


def timed(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"headline: {' '.join(cmd)} exited with {r.returncode}")
    return took


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    kit = [binary, "cat", "-f", "csv", "-j1", path]
    dump = ["ipfixDump", "-d", "-i", path]
    timed(kit)
    timed(dump)
    pairs = []
    for k in range(runs):
        if k % 2 == 0:
            a = timed(kit)
            b = timed(dump)
        else:
            b = timed(dump)
            a = timed(kit)
        pairs.append((a, b))
        print(f"  pair {k + 1}: ipfixkit {a:.3f} s, ipfixDump {b:.3f} s, {b / a:.1f}x",
              file=sys.stderr)
    kits = [a for a, _ in pairs]
    dumps = [b for _, b in pairs]
    ratios = sorted(b / a for a, b in pairs)
    print(f"| interleaved, {runs} pairs | best | median |")
    print("|---|---:|---:|")
    print(f"| `ipfixkit cat -f csv -j1` | {min(kits):.3f} s | {statistics.median(kits):.3f} s |")
    print(f"| `ipfixDump -d -i FILE` | {min(dumps):.3f} s | {statistics.median(dumps):.3f} s |")
    print(f"| ratio | **{min(dumps) / min(kits):.1f}x** | "
          f"**{statistics.median(dumps) / statistics.median(kits):.1f}x** |")
    print()
    print(f"Ratio within a pair: lowest {ratios[0]:.1f}x, highest {ratios[-1]:.1f}x.")


if __name__ == "__main__":
    main()

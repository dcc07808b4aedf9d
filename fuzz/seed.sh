#!/bin/sh
# Seeds fuzz/corpus/reader/, filter_expr/, netflow/, pcap/, packet/, extract/ and tcp/ (gitignored) from the
# repository's IPFIX files and captures, fuzz/seeds/ (hand-made: damaged and self-referencing lists, hostile RFC 5610 names,
# data ahead of its template in IPFIX and NetFlow v9, written by fuzz/seeds/pending.py) and the
# shared sample corpus. Run from anywhere; safe to re-run (files are named by content hash).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir="$here/corpus/reader"
mkdir -p "$dir"
for f in "$root"/testdata/*.ipfix "$root"/testdata/malformed/*.ipfix "$here"/seeds/*.ipfix \
    "$here"/seeds/*.nf9 /work/shared/samples/*.ipfix; do
    [ -f "$f" ] || continue
    cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"
done
ls "$dir" | wc -l

# corpus/filter_expr/: one expression per seed (the help's and tests' syntax), each followed by
# a NUL and record bytes (its first byte picks the target's deep wrapping).
fdir="$here/corpus/filter_expr"
mkdir -p "$fdir"
n=0
while IFS= read -r e; do
    [ -n "$e" ] || continue
    n=$((n + 1))
    printf '%s\0%b' "$e" "\\00$((n % 8))\\012\\000\\000\\001\\300\\000\\002\\001\\273\\006" >"$fdir/seed-$n"
done <<'EXPRS'
proto udp and dst port 53
octetDeltaCount > 1000000
flowStartMilliseconds >= 2024-05-01T00:00:00Z
flowStartSeconds >= 2024-05-01
flowStartMilliseconds < "2024-05-01 00:10:00"
flowStartMilliseconds < 2024-05-01T00:10:00
sourceIPv4Address in 10.0.0.0/8
destinationTransportPort in [53, 443, 8080]
applicationName ~ "^ht"
exists(reverseOctetDeltaCount)
not (proto tcp or proto udp) and port 53
ip in [10.0.0.1, 2001:db8::1, 192.0.2.0/24]
src net 2001:db8::/32
dst port > 1023
port 53-80
port in [53..80, 443]
flags SA
tcpControlBits & 0x02
tcpControlBits & 0x12 == 0x10
bytes > 1M or packets >= 10k
!!!(port 53)
en0:id7 == 443 OR en0:id11 == 443
EXPRS
ls "$fdir" | wc -l

# corpus/netflow/: the NetFlow v5/v9 samples (concatenated export packets), the malformed
# NetFlow file and the v9 seed with data ahead of its template.
ndir="$here/corpus/netflow"
mkdir -p "$ndir"
for f in "$root"/testdata/samples/*.nf5 "$root"/testdata/samples/*.nf9 \
    "$root"/testdata/malformed/netflow-damage.ipfix "$here"/seeds/*.nf9; do
    [ -f "$f" ] || continue
    cp "$f" "$ndir/$(sha1sum "$f" | cut -c1-40)"
done
ls "$ndir" | wc -l

# corpus/pcap/: the captures (fuzz/seeds/capture-* from pcap.py, the cut `gen --packets`
# captures, the interop and sample pcaps), each behind three mode octets (the target's first
# octet: 0x00 milliseconds, 1 us timeouts, a cache of 1; 0x43 biflows and MACs, a cache of 4;
# 0x95 biflows, microseconds, 1 ms timeouts, 64 flows).
pdir="$here/corpus/pcap"
mkdir -p "$pdir"
for f in "$here"/seeds/capture-* "$here"/seeds/gen-* "$root"/testdata/interop/*.pcap \
    "$root"/testdata/samples/*.pcap; do
    [ -f "$f" ] || continue
    for m in 000 103 225; do
        t=$(mktemp)
        { printf "\\$m"; cat "$f"; } >"$t"
        mv "$t" "$pdir/$(sha1sum "$t" | cut -c1-40)"
    done
done
ls "$pdir" | wc -l

# corpus/packet/: the same captures' frames, as one packet stream per capture and one seed per
# frame of its first eight (fuzz/seeds/frames.py).
python3 "$here/seeds/frames.py" "$here/corpus/packet" "$here"/seeds/capture-* "$here"/seeds/gen-* \
    "$root"/testdata/interop/*.pcap "$root"/testdata/samples/*.pcap
ls "$here/corpus/packet" | wc -l

# corpus/extract/: captures of export packets: `gen --pcap` of NetFlow v9, v5 and IPFIX (200
# records each; one more of IPFIX from an IPv6 exporter in two domains), the pmacct samples,
# and IPFIX over TCP (fuzz/seeds/tcp.py: two connections, a retransmission, an overlap, two
# segments swapped, the sequence crossing 2^32, a segment missing, a FIN and a RST).
# corpus/tcp/: the tcp target's segments, the same streams' and hand-made ones (tcp.py).
xdir="$here/corpus/extract"
mkdir -p "$xdir"
gen() { cargo run -q --manifest-path "$root/Cargo.toml" -- gen "$@"; }
tmp=$(mktemp -d)
gen --netflow 9 --pcap -n 200 -o "$tmp/v9.pcap"
gen --netflow 5 --pcap -n 200 -o "$tmp/v5.pcap"
gen --pcap -n 200 -o "$tmp/ipfix.pcap"
gen --pcap -n 200 --domains 2 --message-size 600 --exporter '[2001:db8::1]:9995' \
    --collector '[2001:db8::2]:4739' \
    -o "$tmp/ipfix6.pcap"
gen -n 100 --message-size 600 -o "$tmp/stream.ipfix"
python3 "$here/seeds/tcp.py" "$tmp/stream.ipfix" "$tmp/tcp.pcap" "$here/corpus/tcp"
for f in "$tmp"/*.pcap "$root"/testdata/samples/*.pcap; do
    cp "$f" "$xdir/$(sha1sum "$f" | cut -c1-40)"
done
rm -r "$tmp"
ls "$xdir" | wc -l
ls "$here/corpus/tcp" | wc -l

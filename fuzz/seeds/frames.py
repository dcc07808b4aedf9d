#!/usr/bin/env python3
"""Seeds of the `packet` fuzz target from captures: `frames.py OUT_DIR CAPTURE...`.

For each capture (classic pcap of either byte order, or pcapng), one seed holding its frames
as the target's packet stream (a mode octet, then `[h, n, n octets]` per frame: `h % 6` the
link, `h // 6` the time step, frames cut to 255 octets), and one seed per frame of its
first eight (the mode octet and the frame, read whole as a packet of each link type). The
files are named by content hash, so re-running is safe.
"""
import hashlib
import os
import struct
import sys

# pcap LINKTYPE -> the target's link index (Ethernet, IP, SLL, SLL2, null; 5: not read).
LINKS = {1: 0, 101: 1, 228: 1, 229: 1, 113: 2, 276: 3, 0: 4, 108: 4}


def frames(b):
    """(linktype, frame) of every packet of a capture."""
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        linktype = struct.unpack(e + "I", b[20:24])[0]
        at = 24
        while at + 16 <= len(b):
            caplen = struct.unpack(e + "I", b[at + 8:at + 12])[0]
            yield linktype, b[at + 16:at + 16 + caplen]
            at += 16 + caplen
        return
    at, e, links = 0, "<", []
    while at + 12 <= len(b):
        ty = struct.unpack("<I", b[at:at + 4])[0]
        if ty == 0x0A0D0D0A:
            e = "<" if b[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        ty, n = struct.unpack(e + "II", b[at:at + 8])
        body = b[at + 8:at + n - 4]
        if ty == 1:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif ty == 6 and links:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            yield links[iface % len(links)], body[20:20 + caplen]
        elif ty == 3 and links:
            yield links[0], body[4:4 + struct.unpack(e + "I", body[:4])[0]]
        if n < 12:
            return
        at += n


def save(out, data):
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            fs = list(frames(f.read()))
        mode = len(fs) % 32
        stream = bytearray([mode])
        for i, (linktype, frame) in enumerate(fs):
            stream += bytes([LINKS.get(linktype, 5) + 6 * (i % 3), min(len(frame), 255)])
            stream += frame[:255]
        save(out, bytes(stream))
        for linktype, frame in fs[:8]:
            save(out, bytes([mode]) + frame)


main()

//! Interop: `ipfixkit pcap2ipfix` against the two flow meters Debian ships, on a real capture.
//!
//! `tests/interop/loopback_capture.sh` records loopback traffic (curl fetching files of 0 to
//! 1000000 octets from `python3 -m http.server`, a UDP echo loop over IPv4 and IPv6 with
//! datagrams of 0 to 8000 octets, `ping` of 127.0.0.1 and ::1) with tshark. The same pcap is
//! then metered three times:
//!
//! - `ipfixkit pcap2ipfix CAP -f json`;
//! - `softflowd -r` (`tests/interop/softflowd_capture.sh`, IPFIX over loopback to a file),
//!   read back with `ipfixkit cat -f json`;
//! - `nfpcapd -r CAP -w DIR`, read back with `nfdump -R DIR -o json` (under `TZ=UTC`: nfdump
//!   prints local time without a zone).
//!
//! and decoded a fourth time, packet by packet, by `tshark -T fields`, the reference for what
//! the packets hold. Per 5-tuple (source, destination, protocol, ports) the sums of packets
//! and octets, the first packet's and the last packet's millisecond and the OR of the TCP
//! flags must be the same for all
//! three meters and tshark, and so must the set of 5-tuples. Sums, because the meters may cut
//! one 5-tuple into several records differently (timeouts, TCP ends); the records per
//! 5-tuple are checked too, against what each meter is documented to do.
//!
//! Where the definitions differ, and which one is right:
//!
//! - **Octets.** RFC 7012 §5.10.1 defines octetDeltaCount as "the number of octets since the
//!   previous report (if any) in incoming packets for this Flow at the Observation Point. The
//!   number of octets includes IP header(s) and IP payload": the IP total length (IPv6:
//!   payload length + 40), not the frame. A Linux loopback frame is a 14-octet Ethernet header
//!   (zero MACs) before the IP packet, so the frame octets tshark counts are the IP octets +
//!   14 per packet, asserted exactly. All three meters count IP octets, and all three count
//!   them from the IP header rather than from what was captured: the capture cut to 96
//!   octets a frame (`editcap -s 96`) gives every meter the same sums as the whole capture,
//!   though it holds far fewer octets (asserted too).
//! - **ICMP keys.** No ports: ipfixkit and softflowd export icmpTypeCodeIPv4/IPv6 (type << 8
//!   | code) with no transport ports, nfdump shows type and code (its CSV puts type << 8 |
//!   code in the destination port). The test keys ICMP as source port 0, destination port
//!   type << 8 | code, the form they share. Echo request and reply are two flows everywhere.
//! - **Records per 5-tuple.** ipfixkit: one (the capture lasts a few seconds, far below the
//!   15 s idle timeout, and each TCP connection is one flow from SYN to the last ACK);
//!   softflowd: one (no timeouts in `-r` mode); nfpcapd: one per ICMP packet, because it
//!   writes every ICMP packet out as a flow of its own ("Flush ICMP directly" in its
//!   `pcaproc.c`), one for the rest. Not a question of right or wrong: RFC 7011 leaves when
//!   a flow ends to the metering process; per-5-tuple sums are the same either way.
//!
//! A missing peer prints `SKIP interop: <tool> not installed`, except with `CI=true`, where
//! it fails.

#[path = "common/peers.rs"]
mod peers;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// source, destination, protocol, source port, destination port (ICMP: 0 and type << 8 | code).
type Key = (String, String, u8, u16, u16);

/// What one reading says of a 5-tuple.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sum {
    packets: u64,
    octets: u64,
    /// First and last packet, ms since 1970.
    first_ms: u64,
    last_ms: u64,
    /// TCP flags, ORed (the low 8 bits: nfdump shows no more).
    flags: u16,
    /// Records (meters) or frames (tshark) that made it.
    records: u64,
}

impl Sum {
    fn add(&mut self, packets: u64, octets: u64, first_ms: u64, last_ms: u64) {
        if self.records == 0 {
            (self.first_ms, self.last_ms) = (first_ms, last_ms);
        }
        self.packets += packets;
        self.octets += octets;
        self.first_ms = self.first_ms.min(first_ms);
        self.last_ms = self.last_ms.max(last_ms);
        self.records += 1;
    }
}

type Sums = BTreeMap<Key, Sum>;

/// The peers this test runs; `None` (after the SKIP lines) if one is missing.
fn tools() -> Option<BTreeMap<&'static str, PathBuf>> {
    let names = [
        "tshark",
        "capinfos",
        "editcap",
        "curl",
        "ping",
        "python3",
        "softflowd",
        "softflowctl",
        "nfpcapd",
        "nfdump",
    ];
    let mut found = BTreeMap::new();
    for name in names {
        match peers::find_tool(name) {
            Some(p) => {
                found.insert(name, p);
            }
            None => peers::missing(name),
        }
    }
    (found.len() == names.len()).then_some(found)
}

fn key(src: &str, dst: &str, proto: u8, sport: u16, dport: u16, icmp: Option<u16>) -> Key {
    let (sport, dport) = match proto {
        1 | 58 => (0, icmp.unwrap_or(0)),
        _ => (sport, dport),
    };
    (src.to_string(), dst.to_string(), proto, sport, dport)
}

/// Epoch ms of `2026-12-03T06:00:29.162Z` (ipfixkit) or `2026-12-03T06:00:29.162` (nfdump
/// under TZ=UTC).
fn epoch_ms(s: &str) -> u64 {
    let n: Vec<i64> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(n.len() == 7, "not a millisecond time: {s:?}");
    let (y, m, d) = (n[0] - (n[1] <= 2) as i64, n[1], n[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let s = days * 86400 + n[3] * 3600 + n[4] * 60 + n[5];
    (s * 1000 + n[6]) as u64
}

/// Flow records of `ipfixkit ... -f json` output (`pcap2ipfix` or `cat`), summed per 5-tuple.
fn sums_of_json(what: &str, json: &str) -> Sums {
    let mut sums = Sums::new();
    for line in json.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
        if v.get("@fields").is_some() || v.get("packetDeltaCount").is_none() {
            continue; // templates, options records
        }
        let text = |a: &str, b: &str| {
            v.get(a)
                .or_else(|| v.get(b))
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{what}: no {a}/{b}: {line}"))
                .to_string()
        };
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        let proto = num("protocolIdentifier").unwrap() as u8;
        let icmp = num("icmpTypeCodeIPv4").or(num("icmpTypeCodeIPv6"));
        let k = key(
            &text("sourceIPv4Address", "sourceIPv6Address"),
            &text("destinationIPv4Address", "destinationIPv6Address"),
            proto,
            num("sourceTransportPort").unwrap_or(0) as u16,
            num("destinationTransportPort").unwrap_or(0) as u16,
            icmp.map(|c| c as u16),
        );
        let sum = sums.entry(k).or_default();
        sum.add(
            num("packetDeltaCount").unwrap(),
            num("octetDeltaCount").unwrap(),
            epoch_ms(&text("flowStartMilliseconds", "flowStartMilliseconds")),
            epoch_ms(&text("flowEndMilliseconds", "flowEndMilliseconds")),
        );
        sum.flags |= num("tcpControlBits").unwrap_or(0) as u16 & 0xff;
    }
    sums
}

fn ipfixkit(args: &[&str], file: &Path) -> String {
    let mut cmd = Command::new(peers::IPFIXKIT);
    cmd.args(args).arg(file);
    peers::run_ok(&mut cmd, peers::QUICK)
}

fn pcap2ipfix(cap: &Path) -> Sums {
    sums_of_json("pcap2ipfix", &ipfixkit(&["pcap2ipfix", "-f", "json"], cap))
}

fn softflowd(dir: &Path, cap: &Path) -> Sums {
    let out = dir.join(format!(
        "{}.softflowd.ipfix",
        cap.file_stem().unwrap().to_string_lossy()
    ));
    let mut cmd = Command::new("bash");
    cmd.arg(peers::script("softflowd_capture.sh"))
        .arg(cap)
        .arg(&out)
        .env("TMPDIR", dir);
    peers::run_ok(&mut cmd, peers::SOFTFLOWD);
    sums_of_json("softflowd", &ipfixkit(&["cat", "-f", "json"], &out))
}

fn nfpcapd(tools: &BTreeMap<&str, PathBuf>, dir: &Path, cap: &Path) -> Sums {
    let store = dir.join(format!(
        "{}.nfpcapd",
        cap.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&store).unwrap();
    let mut cmd = Command::new(&tools["nfpcapd"]);
    cmd.arg("-r").arg(cap).arg("-w").arg(&store);
    peers::run_ok(&mut cmd, peers::QUICK);
    let mut cmd = Command::new(&tools["nfdump"]);
    cmd.arg("-R")
        .arg(&store)
        .args(["-o", "json"])
        .env("TZ", "UTC");
    let text = peers::run_ok(&mut cmd, peers::QUICK);
    let records: Vec<Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("nfdump -o json: {e}:\n{text}"));
    let mut sums = Sums::new();
    for r in &records {
        let s = |a: &str, b: &str| {
            r.get(a)
                .or_else(|| r.get(b))
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("nfdump: no {a}/{b}: {r}"))
                .to_string()
        };
        let n = |k: &str| r.get(k).and_then(Value::as_u64);
        let proto = n("proto").unwrap() as u8;
        let icmp = n("icmp_type").map(|t| (t << 8 | n("icmp_code").unwrap_or(0)) as u16);
        let k = key(
            &s("src4_addr", "src6_addr"),
            &s("dst4_addr", "dst6_addr"),
            proto,
            n("src_port").unwrap_or(0) as u16,
            n("dst_port").unwrap_or(0) as u16,
            icmp,
        );
        let sum = sums.entry(k).or_default();
        sum.add(
            n("in_packets").unwrap(),
            n("in_bytes").unwrap(),
            epoch_ms(&s("first", "first")),
            epoch_ms(&s("last", "last")),
        );
        // "...AP.SF": CWR ECE URG ACK PSH RST SYN FIN, a dot for a bit not set.
        if let Some(f) = r.get("tcp_flags").and_then(Value::as_str) {
            assert_eq!(f.len(), 8, "nfdump tcp_flags {f:?}");
            for (i, c) in f.bytes().enumerate() {
                if c != b'.' {
                    sum.flags |= 0x80 >> i;
                }
            }
        }
    }
    sums
}

/// tshark's reading of the capture, per 5-tuple: the packets, their IP octets (`octets`),
/// and beside them the frame octets on the wire and the octets captured.
struct Packets {
    ip: Sums,
    frame_octets: BTreeMap<Key, u64>,
    captured_octets: BTreeMap<Key, u64>,
}

fn tshark(tools: &BTreeMap<&str, PathBuf>, cap: &Path) -> Packets {
    let fields = [
        "frame.time_epoch",
        "frame.len",
        "frame.cap_len",
        "ip.src",
        "ip.dst",
        "ip.proto",
        "ip.len",
        "ipv6.src",
        "ipv6.dst",
        "ipv6.nxt",
        "ipv6.plen",
        "tcp.srcport",
        "tcp.dstport",
        "udp.srcport",
        "udp.dstport",
        "icmp.type",
        "icmp.code",
        "icmpv6.type",
        "icmpv6.code",
        "tcp.flags",
    ];
    let mut cmd = Command::new(&tools["tshark"]);
    cmd.arg("-r")
        .arg(cap)
        .args(["-T", "fields", "-E", "occurrence=f"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let text = peers::run_ok(&mut cmd, peers::QUICK);
    let mut out = Packets {
        ip: Sums::new(),
        frame_octets: BTreeMap::new(),
        captured_octets: BTreeMap::new(),
    };
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), fields.len(), "tshark line {line:?}");
        let n = |i: usize| c[i].parse::<u64>().ok();
        let either = |a: usize, b: usize| if c[a].is_empty() { c[b] } else { c[a] };
        let (proto, octets) = if c[3].is_empty() {
            (n(9).unwrap(), n(10).unwrap() + 40)
        } else {
            (n(5).unwrap(), n(6).unwrap())
        };
        let icmp = match (n(15).or(n(17)), n(16).or(n(18))) {
            (Some(t), Some(code)) => Some((t << 8 | code) as u16),
            _ => None,
        };
        let k = key(
            either(3, 7),
            either(4, 8),
            proto as u8,
            either(11, 13).parse().unwrap_or(0),
            either(12, 14).parse().unwrap_or(0),
            icmp,
        );
        // "1764741629.162206000": ms, truncated as the meters truncate.
        let (s, frac) = c[0].split_once('.').unwrap_or((c[0], "0"));
        let ms =
            s.parse::<u64>().unwrap() * 1000 + format!("{frac:0<3}")[..3].parse::<u64>().unwrap();
        let sum = out.ip.entry(k.clone()).or_default();
        sum.add(1, octets, ms, ms);
        if let Some(f) = c[19].strip_prefix("0x") {
            sum.flags |= u16::from_str_radix(f, 16).unwrap() & 0xff;
        }
        *out.frame_octets.entry(k.clone()).or_default() += n(1).unwrap();
        *out.captured_octets.entry(k).or_default() += n(2).unwrap();
    }
    out
}

/// Every 5-tuple of `theirs` has the packets, octets and times of `want`, and no 5-tuple
/// is missing on either side; records per 5-tuple are returned for the caller's checks.
fn same_sums(what: &str, want: &Sums, theirs: &Sums) -> Vec<String> {
    let mut problems = Vec::new();
    for k in want.keys().filter(|k| !theirs.contains_key(*k)) {
        problems.push(format!("{what}: no flow of {k:?}"));
    }
    for k in theirs.keys().filter(|k| !want.contains_key(*k)) {
        problems.push(format!(
            "{what}: a flow of {k:?} that the capture does not have"
        ));
    }
    for (k, w) in want {
        let Some(t) = theirs.get(k) else { continue };
        let strip = |s: &Sum| Sum { records: 0, ..*s };
        if strip(w) != strip(t) {
            problems.push(format!("{what}: {k:?}: {t:?}, want {w:?}"));
        }
    }
    problems
}

fn icmp(k: &Key) -> bool {
    matches!(k.2, 1 | 58)
}

#[test]
fn pcap2ipfix_softflowd_and_nfpcapd_agree_on_a_loopback_capture() {
    let Some(tools) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cap = dir.path().join("loopback.pcap");
    let mut cmd = Command::new("bash");
    cmd.arg(peers::script("loopback_capture.sh"))
        .arg(&cap)
        .env("TMPDIR", dir.path());
    peers::run_ok(&mut cmd, Duration::from_secs(60));

    // The capture, as tshark reads it.
    let packets = tshark(&tools, &cap);
    let truth = &packets.ip;
    let protos: Vec<u8> = truth.keys().map(|k| k.2).collect();
    for (p, name) in [(6, "TCP"), (17, "UDP"), (1, "ICMP")] {
        assert!(protos.contains(&p), "the capture has no {name}: {truth:?}");
    }
    // The script leaves IPv6 out on a machine whose loopback has no ::1; where it is in,
    // it is UDP and ICMPv6 both.
    let ipv6 = truth.keys().any(|k| k.0.contains(':'));
    assert_eq!(ipv6, protos.contains(&58), "ICMPv6 and IPv6 UDP: {truth:?}");
    let tcp_flows = truth.keys().filter(|k| k.2 == 6).count();
    assert_eq!(
        tcp_flows, 10,
        "5 HTTP connections, two directions each: {truth:?}"
    );
    // Loopback frames are Ethernet: 14 octets before the IP packet (and no FCS).
    for (k, s) in truth {
        assert_eq!(
            packets.frame_octets[k],
            s.octets + 14 * s.packets,
            "{k:?}: frame octets and IP octets"
        );
    }

    let ours = pcap2ipfix(&cap);
    let sfd = softflowd(dir.path(), &cap);
    let nfp = nfpcapd(&tools, dir.path(), &cap);
    let mut problems = same_sums("pcap2ipfix vs tshark", truth, &ours);
    problems.extend(same_sums("softflowd vs pcap2ipfix", &ours, &sfd));
    problems.extend(same_sums("nfpcapd vs pcap2ipfix", &ours, &nfp));
    // Records per 5-tuple, as each meter is documented to cut them (see the module doc).
    for (k, s) in &ours {
        if s.records != 1 {
            problems.push(format!("pcap2ipfix: {k:?} in {} records", s.records));
        }
    }
    for (k, s) in &sfd {
        if s.records != 1 {
            problems.push(format!("softflowd: {k:?} in {} records", s.records));
        }
    }
    for (k, s) in &nfp {
        let want = if icmp(k) { s.packets } else { 1 };
        if s.records != want {
            problems.push(format!(
                "nfpcapd: {k:?} in {} records, want {want}",
                s.records
            ));
        }
    }

    // The same capture cut to 96 octets a frame: what was captured shrinks, what the IP
    // headers say was sent does not, and every meter counts the latter.
    let cut = dir.path().join("cut96.pcap");
    let mut cmd = Command::new(&tools["editcap"]);
    cmd.args(["-s", "96"]).arg(&cap).arg(&cut);
    peers::run_ok(&mut cmd, peers::QUICK);
    let cut_packets = tshark(&tools, &cut);
    let captured: u64 = cut_packets.captured_octets.values().sum();
    let sent: u64 = truth.values().map(|s| s.octets).sum();
    let packets_total: u64 = truth.values().map(|s| s.packets).sum();
    assert!(
        captured <= 96 * packets_total && captured < sent / 10,
        "the cut capture holds {captured} octets of {sent} sent"
    );
    problems.extend(same_sums(
        "cut: tshark's IP lengths",
        truth,
        &cut_packets.ip,
    ));
    problems.extend(same_sums("cut: pcap2ipfix", truth, &pcap2ipfix(&cut)));
    problems.extend(same_sums(
        "cut: softflowd",
        truth,
        &softflowd(dir.path(), &cut),
    ));
    problems.extend(same_sums(
        "cut: nfpcapd",
        truth,
        &nfpcapd(&tools, dir.path(), &cut),
    ));

    let total = |s: &Sums| -> (u64, u64, u64) {
        s.values().fold((0, 0, 0), |a, v| {
            (a.0 + v.packets, a.1 + v.octets, a.2 + v.records)
        })
    };
    println!(
        "interop: loopback capture: {} 5-tuples; (packets, octets, records): tshark {:?}, \
         pcap2ipfix {:?}, softflowd {:?}, nfpcapd {:?}; frame octets {}; IPv6 {ipv6}; \
         {} problems",
        truth.len(),
        total(truth),
        total(&ours),
        total(&sfd),
        total(&nfp),
        packets.frame_octets.values().sum::<u64>(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "the meters disagree ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The comparison itself, without the peers: it sees a changed count, a moved time, a
/// missing and an extra 5-tuple, and nothing else.
#[test]
fn same_sums_reports_every_difference() {
    let k = |p: u16| key("127.0.0.1", "127.0.0.1", 17, p, 9, None);
    let mut want = Sums::new();
    want.entry(k(1)).or_default().add(2, 56, 1000, 1001);
    want.entry(k(2)).or_default().add(1, 28, 1000, 1000);
    let mut split = Sums::new();
    split.entry(k(1)).or_default().add(1, 28, 1000, 1000);
    split.entry(k(1)).or_default().add(1, 28, 1001, 1001);
    split.entry(k(2)).or_default().add(1, 28, 1000, 1000);
    assert_eq!(same_sums("t", &want, &split), Vec::<String>::new());
    let mut worse = split.clone();
    worse.get_mut(&k(1)).unwrap().octets += 14;
    worse.get_mut(&k(2)).unwrap().last_ms += 1;
    worse.remove(&k(2));
    worse.entry(k(3)).or_default().add(1, 28, 1000, 1000);
    let problems = same_sums("t", &want, &worse);
    assert_eq!(problems.len(), 3, "{problems:?}");
    let mut later = split;
    later.get_mut(&k(2)).unwrap().last_ms += 1;
    assert_eq!(same_sums("t", &want, &later).len(), 1);
    assert_eq!(epoch_ms("2026-12-03T06:00:29.162Z"), 1_796_277_629_162);
    assert_eq!(epoch_ms("1970-01-01T00:00:00.001"), 1);
}

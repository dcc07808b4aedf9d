//! `ipfixkit pcap2ipfix` on the crafted captures of `testdata/pcap/` (made by
//! `testdata/pcap/make.py`, described in `testdata/README.md`): for each, the flows the
//! binary prints (`-f json --time epoch`) against a flow table written out here by hand.
//! Every link layer (Ethernet, SLL, SLL2, raw IP, BSD null), VLAN, QinQ, MPLS, IPv4 options,
//! IPv6 extension headers, TCP, UDP, SCTP, ICMP, ICMPv6; the idle and active timeouts at and
//! past their limits, TCP ends (FIN both ways, RST, a new SYN on a closed key), the forced
//! end and --max-flows; fragments, snaplen, pcap of both byte orders and resolutions, pcapng,
//! gzip, stdin; biflows, MACs, time precisions, -d, several captures into one output, -j1 vs
//! -j2; damaged captures. And the captures themselves: regenerated with scapy when it is
//! installed, they must be the committed bytes.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::{Workdir, testdata};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 2023-11-14T22:13:20Z in ms: every crafted capture's times are after it (make.py's T0).
const T0_MS: i64 = 1_700_000_000_000;

fn capture(name: &str) -> PathBuf {
    testdata(&format!("pcap/{name}"))
}

fn int(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer {key} in {v}"))
}

fn either<'a>(v: &'a Value, a: &str, b: &str) -> &'a Value {
    if v.get(a).is_some() { &v[a] } else { &v[b] }
}

/// One flow record as a line of the tables below: times in ms after T0, addresses and ports,
/// protocol, packets, octets, tcpControlBits, outer/inner VLAN, ICMP type/code, end reason,
/// then the MPLS label, the MACs and the reverse direction when the record has them.
fn row(v: &Value) -> String {
    let ip = |a, b| either(v, a, b).as_str().unwrap().to_string();
    let icmp = either(v, "icmpTypeCodeIPv4", "icmpTypeCodeIPv6")
        .as_i64()
        .unwrap();
    let mut s = format!(
        "{}..{} {} {} > {} {} p{} {}pk {}B tcp {:#x} vlan {}/{} icmp {}/{} end {}",
        int(v, "flowStartMilliseconds") - T0_MS,
        int(v, "flowEndMilliseconds") - T0_MS,
        ip("sourceIPv4Address", "sourceIPv6Address"),
        int(v, "sourceTransportPort"),
        ip("destinationIPv4Address", "destinationIPv6Address"),
        int(v, "destinationTransportPort"),
        int(v, "protocolIdentifier"),
        int(v, "packetDeltaCount"),
        int(v, "octetDeltaCount"),
        int(v, "tcpControlBits"),
        int(v, "vlanId"),
        int(v, "dot1qCustomerVlanId"),
        icmp >> 8,
        icmp & 0xff,
        int(v, "flowEndReason"),
    );
    if let Some(m) = v.get("mplsTopLabelStackSection") {
        let entry = u32::from_str_radix(m.as_str().unwrap(), 16).unwrap();
        s += &format!(" mpls {}", entry >> 4);
    }
    if let Some(m) = v.get("sourceMacAddress") {
        s += &format!(
            " mac {} > {}",
            m.as_str().unwrap(),
            v["destinationMacAddress"].as_str().unwrap()
        );
    }
    if v.get("reversePacketDeltaCount").is_some() {
        let n = int(v, "reversePacketDeltaCount");
        if n == 0 {
            s += " | rev -";
        } else {
            s += &format!(
                " | rev {}..{} {}pk {}B tcp {:#x}",
                int(v, "reverseFlowStartMilliseconds") - T0_MS,
                int(v, "reverseFlowEndMilliseconds") - T0_MS,
                n,
                int(v, "reverseOctetDeltaCount"),
                int(v, "reverseTcpControlBits"),
            );
        }
    }
    s
}

/// The flow records (not templates, not options records) of `-f json` output.
fn records(json: &str) -> Vec<Value> {
    json.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v| v.get("@fields").is_none() && v.get("protocolIdentifier").is_some())
        .collect()
}

fn rows(json: &str) -> Vec<String> {
    records(json).iter().map(row).collect()
}

/// Meters `args` (captures and flags) with `-f json --time epoch`; exit 0, no stderr.
fn meter(w: &Workdir, args: &[&str]) -> Vec<String> {
    let mut a = vec!["pcap2ipfix", "-f", "json", "--time", "epoch"];
    a.extend_from_slice(args);
    rows(&w.run(&a).ok().out())
}

fn check(name: &str, args: &[&str], want: &[&str]) {
    let w = Workdir::new(&format!("pcap-{name}"));
    let path = capture(name);
    let mut a = vec![path.to_str().unwrap()];
    a.extend_from_slice(args);
    assert_table(&meter(&w, &a), want, &format!("{name} {args:?}"));
}

fn assert_table(got: &[String], want: &[&str], what: &str) {
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    if got != want {
        panic!(
            "{what}: flows differ\nwant:\n  {}\ngot:\n  {}",
            want.join("\n  "),
            got.join("\n  ")
        );
    }
}

/// One frame of each layer; the two ARP frames are skipped.
const LAYERS: &[&str] = &[
    "0..0 10.0.0.1 40000 > 10.0.0.2 80 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 4",
    "10..10 10.0.0.2 80 > 10.0.0.1 40000 p6 1pk 40B tcp 0x12 vlan 0/0 icmp 0/0 end 4",
    "20..20 10.0.0.1 5000 > 10.0.0.2 9999 p17 1pk 48B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "30..30 10.0.0.1 0 > 10.0.0.2 0 p1 1pk 60B tcp 0x0 vlan 0/0 icmp 8/0 end 4",
    "50..50 10.1.0.1 6000 > 10.1.0.2 7000 p17 1pk 38B tcp 0x0 vlan 100/0 icmp 0/0 end 4",
    "60..60 10.2.0.1 6001 > 10.2.0.2 7001 p17 1pk 38B tcp 0x0 vlan 200/300 icmp 0/0 end 4",
    "70..70 10.3.0.1 6002 > 10.3.0.2 7002 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4 mpls 1000",
    "80..80 10.4.0.1 6003 > 10.4.0.2 7003 p17 1pk 42B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "90..90 2001:db8::1 6004 > 2001:db8::2 7004 p17 1pk 82B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "100..100 2001:db8::1 40001 > 2001:db8::2 443 p6 1pk 60B tcp 0x2 vlan 0/0 icmp 0/0 end 4",
    "110..110 10.5.0.1 3868 > 10.5.0.2 3869 p132 1pk 52B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "120..120 2001:db8::1 0 > 2001:db8::2 0 p58 1pk 64B tcp 0x0 vlan 0/0 icmp 128/0 end 4",
];

#[test]
fn ethernet_layers() {
    check("layers.pcap", &[], LAYERS);
}

#[test]
fn stats_count_the_skipped_non_ip_frames() {
    let w = Workdir::new("pcap-stats");
    let path = capture("layers.pcap");
    let r = w
        .run(&[
            "pcap2ipfix",
            "--stats",
            path.to_str().unwrap(),
            "-o",
            "out.ipfix",
        ])
        .ok_warned();
    assert_eq!(
        r.stderr,
        format!(
            "ipfixkit: {}: 14 packets, 12 metered, skipped 2 (non-IP 2, truncated 0, \
             malformed 0, link type not read 0); 12 flows: idle 0, active 0, end detected 0, \
             forced end 12, lack of resources 0; 0 later fragments without their first\n",
            path.display()
        )
    );
}

#[test]
fn mac_addresses() {
    // make.py writes every Ethernet frame of this capture from ...:01 to ...:02.
    let want: Vec<String> = LAYERS
        .iter()
        .map(|l| format!("{l} mac 02:00:00:00:00:01 > 02:00:00:00:00:02"))
        .collect();
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    check("layers.pcap", &["--mac"], &want);
    // SLL has the sender's address (an Ethernet one only), never the destination's.
    check(
        "sll.pcap",
        &["--mac"],
        &[
            "2..2 10.0.0.1 1111 > 10.0.0.2 2222 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4 mac 02:00:00:00:00:01 > 00:00:00:00:00:00",
            "12..12 127.0.0.1 3333 > 127.0.0.1 4444 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4 mac 00:00:00:00:00:00 > 00:00:00:00:00:00",
            "22..22 2001:db8::1 5555 > 2001:db8::2 6666 p17 1pk 58B tcp 0x0 vlan 0/0 icmp 0/0 end 4 mac 02:00:00:00:00:01 > 00:00:00:00:00:00",
        ],
    );
}

/// FIN both ways and RST end both directions (3), also at the capture's end; the last ACK
/// after the FINs belongs to the closed flow; a new connection on the closed keys ends both
/// (3) and starts new flows: the client's SYN on the one key, the server's SYN-ACK on the
/// other; no end or a FIN from one side only is a forced end (4).
const TCP_END: &[&str] = &[
    "0..70 10.0.0.1 40000 > 10.0.0.2 80 p6 5pk 300B tcp 0x1b vlan 0/0 icmp 0/0 end 3",
    "10..60 10.0.0.2 80 > 10.0.0.1 40000 p6 3pk 120B tcp 0x13 vlan 0/0 icmp 0/0 end 3",
    "100..100 10.0.0.1 40001 > 10.0.0.2 81 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 3",
    "110..110 10.0.0.2 81 > 10.0.0.1 40001 p6 1pk 40B tcp 0x14 vlan 0/0 icmp 0/0 end 3",
    "120..120 10.0.0.1 40002 > 10.0.0.2 82 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 4",
    "130..130 10.0.0.2 82 > 10.0.0.1 40002 p6 1pk 40B tcp 0x12 vlan 0/0 icmp 0/0 end 4",
    "140..140 10.0.0.1 40003 > 10.0.0.2 83 p6 1pk 40B tcp 0x11 vlan 0/0 icmp 0/0 end 4",
    "200..200 10.0.0.1 40000 > 10.0.0.2 80 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 4",
    "210..210 10.0.0.2 80 > 10.0.0.1 40000 p6 1pk 40B tcp 0x12 vlan 0/0 icmp 0/0 end 4",
];

#[test]
fn tcp_end() {
    check("tcp-end.pcap", &[], TCP_END);
}

#[test]
fn biflows() {
    check(
        "tcp-end.pcap",
        &["--biflow"],
        &[
            "0..70 10.0.0.1 40000 > 10.0.0.2 80 p6 5pk 300B tcp 0x1b vlan 0/0 icmp 0/0 end 3 | rev 10..60 3pk 120B tcp 0x13",
            "100..100 10.0.0.1 40001 > 10.0.0.2 81 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 3 | rev 110..110 1pk 40B tcp 0x14",
            "120..120 10.0.0.1 40002 > 10.0.0.2 82 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 4 | rev 130..130 1pk 40B tcp 0x12",
            "140..140 10.0.0.1 40003 > 10.0.0.2 83 p6 1pk 40B tcp 0x11 vlan 0/0 icmp 0/0 end 4 | rev -",
            "200..200 10.0.0.1 40000 > 10.0.0.2 80 p6 1pk 40B tcp 0x2 vlan 0/0 icmp 0/0 end 4 | rev 210..210 1pk 40B tcp 0x12",
        ],
    );
}

/// --idle-timeout 5 --active-timeout 20: port 1001's 6 s gap splits it (idle, 1); port
/// 1002's gap of exactly 5 s does not (a flow ends when idle for more than the timeout);
/// port 1003, every 4 s, is cut when its packet comes exactly 20 s after its start (active,
/// 2: a flow that began the timeout or more ago ends).
#[test]
fn idle_and_active_timeouts() {
    check(
        "timeouts.pcap",
        &["--idle-timeout", "5", "--active-timeout", "20"],
        &[
            "0..1000 10.0.0.1 1001 > 10.0.0.2 2001 p17 2pk 76B tcp 0x0 vlan 0/0 icmp 0/0 end 1",
            "100..5100 10.0.0.1 1002 > 10.0.0.2 2002 p17 2pk 76B tcp 0x0 vlan 0/0 icmp 0/0 end 1",
            "200..16200 10.0.0.1 1003 > 10.0.0.2 2003 p17 5pk 190B tcp 0x0 vlan 0/0 icmp 0/0 end 2",
            "7000..7000 10.0.0.1 1001 > 10.0.0.2 2001 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 1",
            "20200..28200 10.0.0.1 1003 > 10.0.0.2 2003 p17 3pk 114B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
    // The defaults (15 s, 30 min) split nothing; ports 1001 and 1002 end idle more than
    // 15 s before the capture does.
    check(
        "timeouts.pcap",
        &[],
        &[
            "0..7000 10.0.0.1 1001 > 10.0.0.2 2001 p17 3pk 114B tcp 0x0 vlan 0/0 icmp 0/0 end 1",
            "100..5100 10.0.0.1 1002 > 10.0.0.2 2002 p17 2pk 76B tcp 0x0 vlan 0/0 icmp 0/0 end 1",
            "200..28200 10.0.0.1 1003 > 10.0.0.2 2003 p17 8pk 304B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
}

#[test]
fn the_timeouts_are_in_the_options_record() {
    let w = Workdir::new("pcap-options");
    let path = capture("timeouts.pcap");
    let out = w
        .run(&[
            "pcap2ipfix",
            "-f",
            "json",
            path.to_str().unwrap(),
            "--idle-timeout",
            "5",
            "--active-timeout",
            "20",
        ])
        .ok()
        .out();
    let opts: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("meteringProcessId").is_some())
        .collect();
    assert_eq!(opts.len(), 1, "{out}");
    assert_eq!(opts[0]["flowIdleTimeout"], 5);
    assert_eq!(opts[0]["flowActiveTimeout"], 20);
}

/// IPv4 fragments join their first fragment's flow, with the unfragmented datagram of the
/// same key; each counts its own IP length (420 + 420 + 228 + 38). A later fragment whose
/// first is missing is a flow of ports 0. IPv6: 552 + 552.
#[test]
fn fragments() {
    check(
        "fragments.pcap",
        &[],
        &[
            "0..3 10.0.0.1 3000 > 10.0.0.2 4000 p17 4pk 1106B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "5..5 10.0.0.1 0 > 10.0.0.2 0 p17 1pk 36B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "10..11 2001:db8::1 3001 > 2001:db8::2 4001 p17 2pk 1104B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
    let w = Workdir::new("pcap-fragment-stats");
    let path = capture("fragments.pcap");
    let r = w
        .run(&[
            "pcap2ipfix",
            "--stats",
            path.to_str().unwrap(),
            "-o",
            "o.ipfix",
        ])
        .ok_warned();
    assert!(
        r.stderr.ends_with(
            "3 flows: idle 0, active 0, end detected 0, forced end 3, lack of resources 0; \
             1 later fragments without their first\n"
        ),
        "{}",
        r.stderr
    );
}

/// Frames cut to 64 octets count their IP lengths: 1440 + 1440, and 1048.
#[test]
fn snaplen_counts_the_wire_length() {
    check(
        "snaplen.pcap",
        &[],
        &[
            "0..10 10.0.0.1 40000 > 10.0.0.2 80 p6 2pk 2880B tcp 0x18 vlan 0/0 icmp 0/0 end 4",
            "20..20 2001:db8::1 5000 > 2001:db8::2 5001 p17 1pk 1048B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
}

const SLL: &[&str] = &[
    "2..2 10.0.0.1 1111 > 10.0.0.2 2222 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "12..12 127.0.0.1 3333 > 127.0.0.1 4444 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
    "22..22 2001:db8::1 5555 > 2001:db8::2 6666 p17 1pk 58B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
];

/// Linux cooked: an Ethernet device's packet, a loopback device's (ARPHRD 772), IPv6; ARP
/// skipped.
#[test]
fn linux_cooked_sll() {
    check("sll.pcap", &[], SLL);
}

/// SLL2 in a big-endian nanosecond pcap: milliseconds, and the exact µs and ns.
#[test]
fn linux_cooked_sll2_big_endian_nanoseconds() {
    check(
        "sll2-be-ns.pcap",
        &[],
        &[
            "0..1 10.0.0.1 40000 > 10.0.0.2 80 p6 2pk 80B tcp 0x12 vlan 0/0 icmp 0/0 end 4",
            "5..5 2001:db8::1 0 > 2001:db8::2 0 p58 1pk 56B tcp 0x0 vlan 0/0 icmp 128/0 end 4",
        ],
    );
    let w = Workdir::new("pcap-precision");
    let path = capture("sll2-be-ns.pcap");
    let times = |precision: &str, unit: &str| -> Vec<(i64, i64)> {
        let out = w
            .run(&[
                "pcap2ipfix",
                "-f",
                "json",
                "--time",
                "epoch",
                "--time-precision",
                precision,
                path.to_str().unwrap(),
            ])
            .ok()
            .out();
        records(&out)
            .iter()
            .map(|v| {
                (
                    int(v, &format!("flowStart{unit}")),
                    int(v, &format!("flowEnd{unit}")),
                )
            })
            .collect()
    };
    assert_eq!(
        times("ns", "Nanoseconds"),
        [
            (1_700_000_000_000_000_123, 1_700_000_000_001_000_456),
            (1_700_000_000_005_000_789, 1_700_000_000_005_000_789)
        ]
    );
    assert_eq!(
        times("us", "Microseconds"),
        [
            (1_700_000_000_000_000, 1_700_000_000_001_000),
            (1_700_000_000_005_000, 1_700_000_000_005_000)
        ]
    );
}

/// LINKTYPE_RAW, little-endian nanoseconds: IPv4 and IPv6.
#[test]
fn raw_ip() {
    check(
        "raw-ns.pcap",
        &[],
        &[
            "0..4 10.0.0.1 1000 > 10.0.0.2 2000 p17 2pk 86B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "3..3 2001:db8::1 1000 > 2001:db8::2 2000 p17 1pk 58B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
}

/// BSD null in a big-endian µs pcap: AF_INET little-endian, AF_INET6 (30) big-endian.
#[test]
fn bsd_null_loopback() {
    check(
        "null-be.pcap",
        &[],
        &[
            "0..0 127.0.0.1 1000 > 127.0.0.2 2000 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "1..1 ::1 1000 > ::1 2000 p17 1pk 58B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
        ],
    );
}

/// pcapng: two sections (little-, then big-endian), an Ethernet interface and a raw one with
/// nanosecond timestamps.
#[test]
fn pcapng_sections_and_interfaces() {
    check(
        "two-sections.pcapng",
        &[],
        &[
            "0..20 10.0.0.1 1000 > 10.0.0.2 2000 p17 2pk 76B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "10..10 10.0.0.1 1001 > 10.0.0.2 2001 p17 1pk 38B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "30..30 10.0.0.1 0 > 10.0.0.2 0 p1 1pk 36B tcp 0x0 vlan 0/0 icmp 8/0 end 4",
        ],
    );
    let w = Workdir::new("pcap-ng-ns");
    let path = capture("two-sections.pcapng");
    let out = w
        .run(&[
            "pcap2ipfix",
            "-f",
            "json",
            "--time",
            "epoch",
            "--time-precision",
            "ns",
            path.to_str().unwrap(),
        ])
        .ok()
        .out();
    let starts: Vec<i64> = records(&out)
        .iter()
        .map(|v| int(v, "flowStartNanoseconds"))
        .collect();
    assert_eq!(
        starts,
        [
            1_700_000_000_000_000_000,
            1_700_000_000_010_000_005,
            1_700_000_000_030_000_000
        ]
    );
}

#[test]
fn gzip_and_stdin() {
    check("tcp-end.pcap.gz", &[], TCP_END);
    let w = Workdir::new("pcap-stdin");
    for name in ["tcp-end.pcap", "tcp-end.pcap.gz"] {
        let data = std::fs::read(capture(name)).unwrap();
        let r = w
            .run_stdin(&["pcap2ipfix", "-f", "json", "--time", "epoch", "-"], &data)
            .ok();
        assert_table(&rows(&r.out()), TCP_END, &format!("{name} on stdin"));
    }
}

/// --max-flows 2: the third flow pushes out the least recently seen (5), with a line saying so.
#[test]
fn max_flows_pushes_out_the_least_recently_seen() {
    let w = Workdir::new("pcap-max-flows");
    std::fs::copy(capture("sll.pcap"), w.path("sll.pcap")).unwrap();
    let r = w
        .run(&[
            "pcap2ipfix",
            "-f",
            "json",
            "--time",
            "epoch",
            "--max-flows",
            "2",
            "sll.pcap",
        ])
        .ok_warned();
    assert_eq!(
        r.stderr,
        "ipfixkit: sll.pcap: 1 flows pushed out early by --max-flows 2 (flowEndReason 5)\n"
    );
    let want: Vec<String> = SLL
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.replace("end 4", "end 5")
            } else {
                l.to_string()
            }
        })
        .collect();
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    assert_table(&rows(&r.out()), &want, "--max-flows 2");
}

/// Two captures into one output: their flows interleaved by start.
#[test]
fn several_captures_into_one_output_sorted_by_start() {
    let w = Workdir::new("pcap-several");
    let a = capture("fragments.pcap");
    let b = capture("sll.pcap");
    w.run(&[
        "pcap2ipfix",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        "all.ipfix",
    ])
    .ok();
    let out = w
        .run(&["cat", "-f", "json", "--time", "epoch", "all.ipfix"])
        .ok()
        .out();
    assert_table(
        &rows(&out),
        &[
            "0..3 10.0.0.1 3000 > 10.0.0.2 4000 p17 4pk 1106B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            SLL[0],
            "5..5 10.0.0.1 0 > 10.0.0.2 0 p17 1pk 36B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            "10..11 2001:db8::1 3001 > 2001:db8::2 4001 p17 2pk 1104B tcp 0x0 vlan 0/0 icmp 0/0 end 4",
            SLL[1],
            SLL[2],
        ],
        "fragments.pcap + sll.pcap",
    );
}

/// -d: one output per capture, named after it (without the compression suffix).
#[test]
fn one_output_per_capture_in_a_directory() {
    let w = Workdir::new("pcap-dir");
    let a = capture("sll.pcap");
    let b = capture("tcp-end.pcap.gz");
    w.run(&[
        "pcap2ipfix",
        "-f",
        "json",
        "--time",
        "epoch",
        "-d",
        "out",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ])
    .ok();
    let mut names: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["sll.json", "tcp-end.json"]);
    let read = |n: &str| std::fs::read_to_string(w.path("out").join(n)).unwrap();
    assert_table(&rows(&read("sll.json")), SLL, "out/sll.json");
    assert_table(&rows(&read("tcp-end.json")), TCP_END, "out/tcp-end.json");
}

/// The same captures metered one at a time or two at once give the same bytes.
#[test]
fn threads_do_not_change_the_output() {
    let w = Workdir::new("pcap-threads");
    let names = [
        "layers.pcap",
        "tcp-end.pcap",
        "timeouts.pcap",
        "fragments.pcap",
        "snaplen.pcap",
        "sll.pcap",
        "sll2-be-ns.pcap",
        "raw-ns.pcap",
        "null-be.pcap",
        "two-sections.pcapng",
        "tcp-end.pcap.gz",
    ];
    let paths: Vec<String> = names
        .iter()
        .map(|n| capture(n).to_string_lossy().into_owned())
        .collect();
    let run = |j: &str, out: &str| {
        let mut a: Vec<&str> = vec!["pcap2ipfix", "-j", j, "-o", out];
        a.extend(paths.iter().map(String::as_str));
        w.run(&a).ok();
        std::fs::read(w.path(out)).unwrap()
    };
    let one = run("1", "j1.ipfix");
    let two = run("2", "j2.ipfix");
    assert!(one.len() > 1000);
    assert!(one == two, "-j1 and -j2 differ");
}

// ---------------------------------------------------------------------------------------
// Damaged captures
// ---------------------------------------------------------------------------------------

/// A record cut at the end: exit 1, the file and the record's offset named, the flows of
/// the records before it still written.
#[test]
fn a_truncated_record_is_an_error_after_the_flows_before_it() {
    let w = Workdir::new("pcap-truncated");
    std::fs::copy(capture("truncated.pcap"), w.path("truncated.pcap")).unwrap();
    let r = w
        .run(&[
            "pcap2ipfix",
            "-f",
            "json",
            "--time",
            "epoch",
            "truncated.pcap",
        ])
        .code(1);
    assert_eq!(
        r.stderr,
        "ipfixkit: truncated.pcap: byte 160: the capture ends inside a record: 60 captured \
         octets announced, 20 there\n"
    );
    assert_table(
        &rows(&r.out()),
        &["0..1 10.0.0.1 1000 > 10.0.0.2 2000 p17 2pk 76B tcp 0x0 vlan 0/0 icmp 0/0 end 4"],
        "truncated.pcap",
    );
}

/// A caplen of 2^31 - 1 is refused at its record, before anything that size is read (the
/// run is limited to 1 GiB of address space where `prlimit` exists).
#[test]
fn a_huge_caplen_is_refused() {
    let w = Workdir::new("pcap-huge");
    std::fs::copy(capture("huge-caplen.pcap"), w.path("huge.pcap")).unwrap();
    let want = "ipfixkit: huge.pcap: byte 24: a record of 2147483647 captured octets (more \
                than 16777216: a damaged length)\n";
    let r = w.run(&["pcap2ipfix", "huge.pcap", "-o", "o.ipfix"]).code(1);
    assert_eq!(r.stderr, want);
    if let Some(prlimit) = peers::find_tool("prlimit") {
        let o = Command::new(prlimit)
            .arg("--as=1073741824")
            .arg(common::bin())
            .args(["pcap2ipfix", "-j1", "huge.pcap", "-o", "o2.ipfix"])
            .current_dir(&w.dir)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&o.stderr), want);
    }
}

#[test]
fn not_a_capture_and_an_empty_file() {
    let w = Workdir::new("pcap-not");
    w.write("notes.txt", b"hello, this is not a capture\n");
    w.write("empty.pcap", b"");
    std::fs::copy(testdata("article-example.ipfix"), w.path("flows.ipfix")).unwrap();
    for (name, why) in [
        ("notes.txt", "text"),
        ("empty.pcap", "0 octets"),
        ("flows.ipfix", "an IPFIX file: `ipfixkit cat` reads it"),
    ] {
        let r = w.run(&["pcap2ipfix", name, "-o", "o.ipfix"]).code(1);
        assert_eq!(
            r.stderr,
            format!("ipfixkit: {name}: not a pcap or pcapng capture ({why})\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// The captures are what make.py writes
// ---------------------------------------------------------------------------------------

/// The Python with scapy: $IPFIXKIT_SCAPY_PYTHON, or target/venv/bin/python (`.ci/run`).
fn python_with_scapy() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("IPFIXKIT_SCAPY_PYTHON").map(PathBuf::from),
        Some(root.join("target/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|py| {
        py.is_file()
            && Command::new(py)
                .args(["-c", "import scapy"])
                .output()
                .is_ok_and(|o| o.status.success())
    })
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn make_py_writes_the_committed_captures() {
    let Some(python) = python_with_scapy() else {
        peers::missing("scapy (target/venv/bin/python or $IPFIXKIT_SCAPY_PYTHON)");
        return;
    };
    let w = Workdir::new("pcap-make");
    let out = w.path("pcap");
    let o = Command::new(&python)
        .arg(capture("make.py"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "make.py failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let list = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "make.py" && n != "__pycache__")
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(&out), list(&capture("")), "make.py writes other files");
    for name in list(&out) {
        let made = std::fs::read(out.join(&name)).unwrap();
        let committed = std::fs::read(capture(&name)).unwrap();
        // gzip's bytes depend on the zlib that made them; what they hold must not.
        let (made, committed) = if name.ends_with(".gz") {
            (gunzip(&made), gunzip(&committed))
        } else {
            (made, committed)
        };
        assert!(
            made == committed,
            "testdata/pcap/{name} is not what make.py writes: rerun it and review the flows"
        );
    }
}

//! `ipfixkit gen --packets --flows-out`: an aggregator written here (pcap-parser and
//! etherparse, nothing of ipfixkit's) meters the pcap back into flows and must get exactly the
//! ground truth `cat -f json` reads from the IPFIX beside it, every field of every record,
//! for IPv4 and IPv6; the capture has VLAN, QinQ, fragments, ICMP; it is in time order, no
//! flow has a gap of 10 s or lasts 300 s; the same seed gives the same bytes (both files),
//! another seed others; tshark decodes every frame without a malformed or error-severity
//! expert item; the usage errors exit 2.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::Workdir;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;

const MAX_GAP_NS: u64 = 10_000_000_000;
const MAX_DURATION_NS: u64 = 300_000_000_000;
const IDLE_NS: u64 = 15_000_000_000;

/// (src, dst, sport, dport, proto, outer VLAN, inner VLAN, ICMP type << 8 | code)
type Key = (String, String, u16, u16, u8, u16, u16, u16);

#[derive(Debug, Default)]
struct Agg {
    packets: u64,
    octets: u64,
    first_ns: u64,
    last_ns: u64,
    max_gap_ns: u64,
    flags: u16,
    tos: Option<u8>,
    v6: bool,
}

#[derive(Debug, Default)]
struct Metered {
    flows: BTreeMap<Key, Agg>,
    last_ns: u64,
    fragments: u64,
    vlan: u64,
    qinq: u64,
}

fn ip_string(a: &[u8]) -> String {
    match a.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(a).unwrap()).to_string(),
        _ => IpAddr::from(<[u8; 16]>::try_from(a).unwrap()).to_string(),
    }
}

/// The flows of a pcap, as a meter keys them: fragments after the first are counted to the
/// flow of the first fragment of the same (addresses, protocol, identification).
fn meter(pcap: &[u8]) -> Metered {
    use etherparse::{NetSlice, SlicedPacket};
    let (mut rest, h) = pcap_parser::pcap::parse_pcap_header(pcap).unwrap();
    assert!(h.is_nanosecond_precision());
    let mut m = Metered::default();
    let mut frag_keys: HashMap<(Vec<u8>, Vec<u8>, u8, u32), Key> = HashMap::new();
    let mut previous = 0u64;
    let mut n = 0u64;
    while !rest.is_empty() {
        let (r, b) = pcap_parser::pcap::parse_pcap_frame(rest).unwrap();
        rest = r;
        n += 1;
        let ns = b.ts_sec as u64 * 1_000_000_000 + b.ts_usec as u64;
        assert!(ns >= previous, "frame {n}: time goes back");
        previous = ns;
        let p = SlicedPacket::from_ethernet(b.data).unwrap_or_else(|e| panic!("frame {n}: {e}"));
        let vlans = p.vlan_ids();
        let (vlan, inner) = match vlans.len() {
            0 => (0, 0),
            1 => (vlans[0].value(), 0),
            _ => (vlans[0].value(), vlans[1].value()),
        };
        // (src, dst, proto, tos, ip total length, fragment: (id, offset, more), payload)
        let (src, dst, proto, tos, len, frag, payload, v6) = match p.net.as_ref().unwrap() {
            NetSlice::Ipv4(ip) => {
                let h = ip.header();
                let f = (h.more_fragments() || h.fragments_offset().value() > 0).then(|| {
                    (
                        h.identification() as u32,
                        h.fragments_offset().value(),
                        h.more_fragments(),
                    )
                });
                (
                    h.source().to_vec(),
                    h.destination().to_vec(),
                    ip.payload().ip_number.0,
                    h.dcp().value() << 2 | h.ecn().value(),
                    h.total_len() as u64,
                    f,
                    ip.payload().payload,
                    false,
                )
            }
            NetSlice::Ipv6(ip) => {
                let h = ip.header();
                let mut f = None;
                for e in ip.extensions().clone().into_iter() {
                    if let etherparse::Ipv6ExtensionSlice::Fragment(fh) = e {
                        f = Some((
                            fh.identification(),
                            fh.fragment_offset().value(),
                            fh.more_fragments(),
                        ));
                    }
                }
                (
                    h.source().to_vec(),
                    h.destination().to_vec(),
                    ip.payload().ip_number.0,
                    h.traffic_class(),
                    40 + h.payload_length() as u64,
                    f,
                    ip.payload().payload,
                    true,
                )
            }
            other => panic!("frame {n}: {other:?}"),
        };
        let later_fragment = matches!(frag, Some((_, off, _)) if off > 0);
        let key = if later_fragment {
            let id = frag.unwrap().0;
            frag_keys
                .get(&(src.clone(), dst.clone(), proto, id))
                .unwrap_or_else(|| panic!("frame {n}: a fragment before its first"))
                .clone()
        } else {
            let be = |i: usize| u16::from_be_bytes([payload[i], payload[i + 1]]);
            let (sport, dport, icmp) = match proto {
                6 | 17 => (be(0), be(2), 0),
                1 | 58 => (0, 0, be(0)),
                other => panic!("frame {n}: protocol {other}"),
            };
            (
                ip_string(&src),
                ip_string(&dst),
                sport,
                dport,
                proto,
                vlan,
                inner,
                icmp,
            )
        };
        if let Some((id, off, _)) = frag {
            m.fragments += 1;
            if off == 0 {
                frag_keys.insert((src.clone(), dst.clone(), proto, id), key.clone());
            }
        }
        let flags = if proto == 6 && !later_fragment {
            (payload[13] as u16) | ((payload[12] as u16 & 1) << 8)
        } else {
            0
        };
        let new = !m.flows.contains_key(&key);
        let a = m.flows.entry(key).or_default();
        if new {
            a.first_ns = ns;
            a.v6 = v6;
            if vlan != 0 {
                if inner != 0 {
                    m.qinq += 1;
                } else {
                    m.vlan += 1;
                }
            }
        } else {
            a.max_gap_ns = a.max_gap_ns.max(ns - a.last_ns);
        }
        a.last_ns = ns;
        a.packets += 1;
        a.octets += len;
        a.flags |= flags;
        assert!(
            a.tos.is_none_or(|t| t == tos),
            "frame {n}: another ToS in one flow"
        );
        a.tos = Some(tos);
        m.last_ns = ns;
    }
    m
}

fn generate(w: &Workdir, stem: &str, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let pcap = w.path(&format!("{stem}.pcap"));
    let truth = w.path(&format!("{stem}.ipfix"));
    let mut a = vec!["gen", "--packets"];
    a.extend(args);
    a.extend(["-o", pcap.to_str().unwrap()]);
    a.extend(["--flows-out", truth.to_str().unwrap()]);
    w.run(&a).ok();
    (std::fs::read(pcap).unwrap(), std::fs::read(truth).unwrap())
}

fn truth(w: &Workdir, file: &Path) -> Vec<BTreeMap<String, Value>> {
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            "--time",
            "epoch",
            file.to_str().unwrap(),
        ])
        .ok();
    r.out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn u(r: &BTreeMap<String, Value>, k: &str) -> u64 {
    r.get(k)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{k} missing or not a number in {r:?}"))
}

fn s<'a>(r: &'a BTreeMap<String, Value>, k: &str) -> &'a str {
    r.get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{k} missing in {r:?}"))
}

/// Meters the pcap of `gen --packets args`, compares with the ground truth; the metered
/// flows for more checks.
fn check_against_truth(w: &Workdir, stem: &str, args: &[&str], flows: u64) -> Metered {
    let (pcap, _) = generate(w, stem, args);
    let m = meter(&pcap);
    let records = truth(w, &w.path(&format!("{stem}.ipfix")));
    assert_eq!(records.len(), m.flows.len(), "flow directions");
    let mut previous = (0u64, String::new());
    let mut clients = 0;
    for r in &records {
        let v6 = u(r, "ipVersion") == 6;
        let (sa, da, icmp) = if v6 {
            (
                "sourceIPv6Address",
                "destinationIPv6Address",
                "icmpTypeCodeIPv6",
            )
        } else {
            (
                "sourceIPv4Address",
                "destinationIPv4Address",
                "icmpTypeCodeIPv4",
            )
        };
        let key: Key = (
            s(r, sa).to_string(),
            s(r, da).to_string(),
            u(r, "sourceTransportPort") as u16,
            u(r, "destinationTransportPort") as u16,
            u(r, "protocolIdentifier") as u8,
            u(r, "vlanId") as u16,
            u(r, "dot1qCustomerVlanId") as u16,
            u(r, icmp) as u16,
        );
        let a = m
            .flows
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?}: in the truth, not in the packets"));
        let start = u(r, "flowStartMilliseconds");
        assert!(
            start >= previous.0,
            "{key:?}: the truth is not sorted by start"
        );
        previous = (start, s(r, sa).to_string());
        if s(r, sa).starts_with("192.0.2.") || s(r, sa).starts_with("2001:db8:c:") {
            clients += 1;
        }
        // A RST ends the connection: the other direction's flow ends with it.
        let mut back = key.clone();
        std::mem::swap(&mut back.0, &mut back.1);
        std::mem::swap(&mut back.2, &mut back.3);
        let reset = m.flows.get(&back).is_some_and(|b| b.flags & 0x04 != 0);
        let reason = if a.flags & 0x05 != 0 || reset {
            3
        } else if m.last_ns - a.last_ns > IDLE_NS {
            1
        } else {
            4
        };
        let got = [
            start,
            u(r, "flowEndMilliseconds"),
            u(r, "octetDeltaCount"),
            u(r, "packetDeltaCount"),
            u(r, "tcpControlBits"),
            u(r, "ipClassOfService"),
            u(r, "flowEndReason"),
            v6 as u64,
        ];
        let want = [
            a.first_ns / 1_000_000,
            a.last_ns / 1_000_000,
            a.octets,
            a.packets,
            a.flags as u64,
            a.tos.unwrap() as u64,
            reason,
            a.v6 as u64,
        ];
        assert_eq!(
            got, want,
            "{key:?}: [start, end, octets, packets, flags, tos, end reason, v6]"
        );
        assert_eq!(u(r, "@export_time"), m.last_ns.div_ceil(1_000_000_000));
    }
    assert_eq!(clients, flows, "-n counts the client flows");
    m
}

#[test]
fn metering_the_packets_gives_the_ground_truth() {
    let w = Workdir::new("gen-packets-truth");
    let m4 = check_against_truth(&w, "v4", &["-n", "5000"], 5000);
    let m6 = check_against_truth(&w, "v6", &["-n", "3000", "--profile", "flow6"], 3000);
    for (name, m) in [("flow4", &m4), ("flow6", &m6)] {
        assert!(
            m.vlan > 100 && m.qinq > 50,
            "{name}: {} VLAN, {} QinQ flows",
            m.vlan,
            m.qinq
        );
        assert!(m.fragments > 20, "{name}: {} fragments", m.fragments);
        let icmp = m.flows.keys().filter(|k| k.4 == 1 || k.4 == 58).count();
        let udp = m.flows.keys().filter(|k| k.4 == 17).count();
        let rst = m.flows.values().filter(|a| a.flags & 0x04 != 0).count();
        let fin = m.flows.values().filter(|a| a.flags & 0x01 != 0).count();
        assert!(
            icmp > 50 && udp > 300,
            "{name}: {icmp} ICMP, {udp} UDP flows"
        );
        assert!(rst > 20 && fin > 1000, "{name}: {rst} RST, {fin} FIN flows");
        assert!(m.flows.values().all(|a| a.v6 == (name == "flow6")));
    }
    // Some flows end idle, some at the end of the capture, all within the meter's timeouts.
    for (k, a) in m4.flows.iter().chain(&m6.flows) {
        assert!(
            a.max_gap_ns < MAX_GAP_NS,
            "{k:?}: a gap of {} ns",
            a.max_gap_ns
        );
        assert!(
            a.last_ns - a.first_ns < MAX_DURATION_NS,
            "{k:?}: lasts {} ns",
            a.last_ns - a.first_ns
        );
    }
}

#[test]
fn long_flows_keep_their_gaps_and_durations() {
    // Another seed, more flows: the few long ones (the model's durations are heavy-tailed)
    // are shortened to keep every gap below 10 s.
    let w = Workdir::new("gen-packets-gaps");
    let (pcap, _) = generate(&w, "slow", &["-n", "10000", "--rate", "20", "--seed", "9"]);
    let m = meter(&pcap);
    let longest = m
        .flows
        .values()
        .map(|a| a.last_ns - a.first_ns)
        .max()
        .unwrap();
    assert!(
        longest > 15_000_000_000,
        "the longest flow lasts {longest} ns"
    );
    for (k, a) in &m.flows {
        assert!(
            a.max_gap_ns < MAX_GAP_NS,
            "{k:?}: a gap of {} ns",
            a.max_gap_ns
        );
        assert!(a.last_ns - a.first_ns < MAX_DURATION_NS, "{k:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let w = Workdir::new("gen-packets-determinism");
    for profile in ["flow4", "flow6"] {
        let args = ["-n", "5000", "--profile", profile];
        let one = generate(&w, "a", &args);
        let two = generate(&w, "b", &args);
        assert!(one == two, "{profile}: two runs differ");
        let other = generate(&w, "c", &[&args[..], &["--seed", "2"]].concat());
        assert_ne!(one.0, other.0, "{profile}: seed 2 gave seed 1's pcap");
        assert_ne!(one.1, other.1, "{profile}: seed 2 gave seed 1's flows");
    }
    // Without --flows-out, the same pcap.
    let pcap = w.path("alone.pcap");
    w.run(&[
        "gen",
        "--packets",
        "-n",
        "5000",
        "-o",
        pcap.to_str().unwrap(),
    ])
    .ok();
    let with = generate(&w, "with", &["-n", "5000"]);
    assert!(std::fs::read(pcap).unwrap() == with.0);
}

#[test]
fn tshark_decodes_every_frame() {
    let Some(tshark) = peers::find_tool("tshark") else {
        peers::missing("tshark");
        return;
    };
    let w = Workdir::new("gen-packets-tshark");
    for profile in ["flow4", "flow6"] {
        generate(&w, profile, &["-n", "3000", "--profile", profile]);
        // The payloads are zeros, not application messages: a port's own dissector (SSH,
        // DNS, NTP...) would call them malformed. Every frame's Ethernet, VLAN, IP, fragment,
        // TCP, UDP and ICMP layers are decoded; what they carry is shown as data.
        let out = peers::run_ok(
            std::process::Command::new(&tshark)
                .current_dir(&w.dir)
                .args(["-n", "-r", &format!("{profile}.pcap")])
                .args([
                    "-d",
                    "tcp.port==1-65535,data",
                    "-d",
                    "udp.port==1-65535,data",
                ])
                .args([
                    "-o",
                    "tcp.check_checksum:TRUE",
                    "-o",
                    "udp.check_checksum:TRUE",
                ])
                .args(["-o", "ip.check_checksum:TRUE"])
                .args(["-T", "fields", "-e", "frame.number", "-e", "_ws.malformed"])
                .args(["-e", "_ws.expert.severity", "-e", "_ws.expert.message"])
                .args(["-e", "frame.protocols"]),
            std::time::Duration::from_secs(300),
        );
        let mut frames = 0;
        let mut protocols = String::new();
        for line in out.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            frames += 1;
            assert!(
                cols.get(1).is_none_or(|c| c.is_empty()),
                "{profile}: malformed: {line}"
            );
            let severities = cols.get(2).copied().unwrap_or("");
            // 8388608: error (PI_ERROR); notes, chats and warnings (RSTs) are fine.
            assert!(
                !severities.split(',').any(|s| s == "8388608"),
                "{profile}: an error: {line}"
            );
            if frames < 20000 {
                protocols.push_str(cols.get(4).copied().unwrap_or(""));
                protocols.push(',');
            }
        }
        assert!(frames > 10000, "{profile}: {frames} frames");
        for p in ["vlan", "tcp", "udp"] {
            assert!(protocols.contains(p), "{profile}: no {p} frames");
        }
    }
}

#[test]
fn usage_errors() {
    let w = Workdir::new("gen-packets-usage");
    let r = w.run(&["gen", "--flows-out", "t.ipfix", "-o", "x"]).code(2);
    assert!(r.stderr.contains("--packets"), "{}", r.stderr);
    let r = w
        .run(&["gen", "--packets", "--format", "csv", "-o", "x"])
        .code(2);
    assert!(r.stderr.contains("--packets writes a pcap"), "{}", r.stderr);
    let r = w
        .run(&["gen", "--packets", "--profile", "biflow", "-o", "x"])
        .code(2);
    assert!(r.stderr.contains("flow4"), "{}", r.stderr);
    let r = w
        .run(&["gen", "--packets", "--corrupt", "truncate", "-o", "x"])
        .code(2);
    assert!(r.stderr.contains("--corrupt"), "{}", r.stderr);
    assert!(!w.path("x").exists() && !w.path("t.ipfix").exists());
}

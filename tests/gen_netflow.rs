//! `gen --netflow 9|5` and `--pcap`: NetFlow export packets and captures of them.
//!
//! - What `--netflow 9` writes reads back through the NetFlow translator with the values the
//!   same seed gives as IPFIX (every field of the IPFIX record, times included: the uptimes
//!   round-trip to the millisecond), over several domains, with sampling options; v9
//!   templates come again every `--template-refresh` packets.
//! - `--netflow 5` reads back as exactly the records of `--profile netflow5` in IPFIX.
//! - `--pcap`: tshark decodes every frame (IPFIX, v9, v5) without a malformed packet or an
//!   expert error, and its decoded flows (addresses, ports, protocol, packets, octets) equal
//!   what `ipfixkit cat` reads from the same output without `--pcap`; the UDP payloads,
//!   concatenated, are that output byte for byte (so `cat` reads the capture's flows).
//! - What NetFlow cannot carry is a usage error (exit 2) before anything is written.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::Workdir;
use serde_json::{Map, Value};
use std::process::Command;
use std::time::Duration;

fn generate(w: &Workdir, name: &str, args: &[&str]) -> Vec<u8> {
    let out = w.path(name);
    let mut a = vec!["gen"];
    a.extend(args);
    a.extend(["-o", out.to_str().unwrap()]);
    w.run(&a).ok();
    std::fs::read(out).unwrap()
}

/// The data records of `file` as `cat -f json` prints them (options records left out).
fn records(w: &Workdir, file: &str) -> Vec<Map<String, Value>> {
    let p = w.path(file);
    let out = w.run(&["cat", "-f", "json", p.to_str().unwrap()]).ok();
    out.out()
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l).unwrap() {
            Value::Object(m) => m,
            other => panic!("{other}"),
        })
        .filter(|m| m.contains_key("packetDeltaCount"))
        .collect()
}

#[test]
fn v9_reads_back_with_the_values_of_ipfix() {
    let w = Workdir::new("gen-nf9");
    // Three chunks over two domains; sampling options per domain.
    let args = ["-n", "10000", "--domains", "2", "--sampling", "10"];
    generate(&w, "nf.bin", &[&args[..], &["--netflow", "9"]].concat());
    generate(&w, "flows.ipfix", &args);
    let nf = records(&w, "nf.bin");
    let ipfix = records(&w, "flows.ipfix");
    assert_eq!(nf.len(), 10_000);
    assert_eq!(nf.len(), ipfix.len());
    for (i, (n, x)) in nf.iter().zip(&ipfix).enumerate() {
        for (k, v) in x {
            assert_eq!(
                n.get(k),
                Some(v),
                "record {i}: {k}\n v9:    {n:?}\n ipfix: {x:?}"
            );
        }
        // The uptimes count from the domain's boot, an hour (plus a minute per further
        // domain) before the first flow.
        let up = n["flowStartSysUpTime"].as_u64().unwrap();
        assert!(up >= 3_600_000, "record {i}: uptime {up}");
    }
    // The sampling options record of each domain, translated.
    let p = w.path("nf.bin");
    let all = w
        .run(&["cat", "-f", "json", p.to_str().unwrap()])
        .ok()
        .out();
    let sampling: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("\"samplingInterval\":10"))
        .collect();
    assert!(!sampling.is_empty(), "no sampling options record");
    assert!(
        sampling
            .iter()
            .all(|l| l.contains("\"samplingAlgorithm\":1"))
    );
}

/// The v9 packets of a file, split by walking their FlowSets.
fn v9_packets(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() {
        assert_eq!(&b[at..at + 2], &[0, 9], "a v9 header at {at}");
        let mut end = at + 20;
        while end + 4 <= b.len() {
            let id = u16::from_be_bytes([b[end], b[end + 1]]);
            if id == 9 {
                break; // the next packet's version
            }
            let len = u16::from_be_bytes([b[end + 2], b[end + 3]]) as usize;
            assert!(len >= 4 && len % 4 == 0, "FlowSet length {len} at {end}");
            end += len;
        }
        out.push(&b[at..end]);
        at = end;
    }
    out
}

#[test]
fn v9_templates_come_again_every_refresh_packets() {
    let w = Workdir::new("gen-nf9-refresh");
    let b = generate(
        &w,
        "nf.bin",
        &["-n", "3000", "--netflow", "9", "--template-refresh", "5"],
    );
    let packets = v9_packets(&b);
    assert!(packets.len() > 40, "{} packets", packets.len());
    for (i, p) in packets.iter().enumerate() {
        let seq = u32::from_be_bytes(p[12..16].try_into().unwrap());
        assert_eq!(seq as usize, i, "sequence numbers count packets");
        assert!(p.len() <= 1400, "packet {i}: {} octets", p.len());
        let templates = u16::from_be_bytes([p[20], p[21]]) == 0;
        assert_eq!(templates, i % 5 == 0, "packet {i}: templates");
        // The count is of every record: 1 template + the data records.
        let count = u16::from_be_bytes([p[2], p[3]]) as usize;
        let data_len = if templates {
            let tlen = u16::from_be_bytes([p[22], p[23]]) as usize;
            p.len() - 20 - tlen
        } else {
            p.len() - 20
        };
        let flow4_v9 = 4 + 4 + 2 + 2 + 1 + 2 + 1 + 2 + 4 + 4 + 8 + 8 + 4 + 4;
        assert_eq!(
            count,
            templates as usize + (data_len - 4) / flow4_v9,
            "packet {i}"
        );
    }
    let p = w.path("nf.bin");
    w.run(&["cat", "--stats", "-q", p.to_str().unwrap()]).ok();
}

#[test]
fn v5_reads_back_as_the_netflow5_profile() {
    let w = Workdir::new("gen-nf5");
    let args = ["-n", "9000", "--domains", "3", "--sampling", "100"];
    let b = generate(&w, "nf.bin", &[&args[..], &["--netflow", "5"]].concat());
    generate(
        &w,
        "flows.ipfix",
        &[&args[..], &["--profile", "netflow5"]].concat(),
    );
    // 24-octet headers, at most 30 records of 48 octets, flow sequence per engine.
    let (mut at, mut seq) = (0, std::collections::BTreeMap::new());
    while at < b.len() {
        let count = u16::from_be_bytes([b[at + 2], b[at + 3]]) as u32;
        assert!((1..=30).contains(&count));
        let engine = (b[at + 20], b[at + 21]);
        assert_eq!(engine.0, 0);
        let flows = u32::from_be_bytes(b[at + 16..at + 20].try_into().unwrap());
        let next = seq.entry(engine).or_insert(0u32);
        assert_eq!(flows, *next, "flow sequence of engine {engine:?}");
        *next += count;
        // Sampling mode 1, interval 100.
        assert_eq!(&b[at + 22..at + 24], &[0x40, 100]);
        at += 24 + 48 * count as usize;
    }
    assert_eq!(at, b.len());
    assert_eq!(seq.len(), 3);
    let nf = records(&w, "nf.bin");
    let ipfix = records(&w, "flows.ipfix");
    assert_eq!(nf.len(), 9000);
    assert_eq!(nf, ipfix, "v5 and the netflow5 profile differ");
}

/// Every frame of `pcap` decoded by tshark, as `-T fields` rows of the `fields` (all
/// occurrences, comma-joined), after checking no frame is malformed or has an expert error.
fn tshark(tool: &std::path::Path, pcap: &std::path::Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new(tool);
    cmd.args(["-r", pcap.to_str().unwrap(), "-d", "udp.port==2055,cflow"])
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"])
        .args(["-e", "_ws.malformed", "-e", "_ws.expert.severity"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = peers::run_ok(&mut cmd, Duration::from_secs(120));
    let mut rows = Vec::new();
    for (i, l) in out.lines().enumerate() {
        let cols: Vec<&str> = l.split('\t').collect();
        assert!(cols[0].is_empty(), "frame {}: malformed: {l}", i + 1);
        // Severity: 0x00400000 warning, 0x00800000 error.
        for s in cols[1].split(',').filter(|s| !s.is_empty()) {
            let v = s.trim_start_matches("0x");
            let v = u32::from_str_radix(v, 16)
                .or_else(|_| s.parse::<u32>())
                .unwrap();
            assert!(v < 0x0040_0000, "frame {}: expert severity {s}", i + 1);
        }
        let cols: Vec<String> = cols[2..].iter().map(|s| s.to_string()).collect();
        rows.push(cols);
    }
    rows
}

/// The UDP payloads of a capture, concatenated; and the number of packets.
fn payloads(pcap: &[u8]) -> (Vec<u8>, usize) {
    let (mut rest, h) = pcap_parser::pcap::parse_pcap_header(pcap).unwrap();
    assert!(h.is_nanosecond_precision());
    let (mut out, mut n, mut last) = (Vec::new(), 0, (0, 0));
    while !rest.is_empty() {
        let (r, b) = pcap_parser::pcap::parse_pcap_frame(rest).unwrap();
        assert!((b.ts_sec, b.ts_usec) > last, "packet times increase");
        last = (b.ts_sec, b.ts_usec);
        let p = etherparse::SlicedPacket::from_ethernet(b.data).unwrap();
        match p.transport {
            Some(etherparse::TransportSlice::Udp(u)) => out.extend_from_slice(u.payload()),
            other => panic!("{other:?}"),
        }
        n += 1;
        rest = r;
    }
    (out, n)
}

#[test]
fn pcap_of_every_wire_form_is_decoded_by_tshark() {
    let w = Workdir::new("gen-pcap");
    let tool = peers::find_tool("tshark");
    let v6_path: &[&str] = &[
        "--exporter",
        "[2001:db8::1]:40000",
        "--collector",
        "[2001:db8::2]:2055",
    ];
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("ipfix", &[], &[]),
        ("v9", &["--netflow", "9", "--domains", "2"], &[]),
        ("v5", &["--netflow", "5"], &[]),
        (
            "v9-ipv6",
            &["--netflow", "9", "--profile", "flow6"],
            v6_path,
        ),
    ];
    for (name, args, path) in cases {
        // --pcap makes messages of 1400 octets by default: the file without it too.
        let base = [args, &["-n", "5000", "--message-size", "1400"]].concat();
        let plain = generate(&w, &format!("{name}.bin"), &base);
        let pcap_name = format!("{name}.pcap");
        let pcap = generate(&w, &pcap_name, &[&base[..], &["--pcap"], path].concat());
        let (joined, packets) = payloads(&pcap);
        assert!(joined == plain, "{name}: the payloads are not the file");
        assert!(packets > 10, "{name}: {packets} packets");
        let ours = records(&w, &format!("{name}.bin"));
        let Some(tool) = &tool else {
            peers::missing("tshark");
            continue;
        };
        let v6 = name.ends_with("ipv6");
        let (src, dst) = if v6 {
            ("cflow.srcaddrv6", "cflow.dstaddrv6")
        } else {
            ("cflow.srcaddr", "cflow.dstaddr")
        };
        let fields = [
            src,
            dst,
            "cflow.srcport",
            "cflow.dstport",
            "cflow.protocol",
            "cflow.packets",
            "cflow.octets",
        ];
        let rows = tshark(tool, &w.path(&pcap_name), &fields);
        assert_eq!(rows.len(), packets, "{name}: frames");
        // Per column, every flow of every frame in order.
        let column = |c: usize| -> Vec<String> {
            rows.iter()
                .flat_map(|r| r[c].split(',').filter(|s| !s.is_empty()))
                .map(str::to_string)
                .collect()
        };
        let names = [
            if v6 {
                "sourceIPv6Address"
            } else {
                "sourceIPv4Address"
            },
            if v6 {
                "destinationIPv6Address"
            } else {
                "destinationIPv4Address"
            },
            "sourceTransportPort",
            "destinationTransportPort",
            "protocolIdentifier",
            "packetDeltaCount",
            "octetDeltaCount",
        ];
        for (c, ie) in names.iter().enumerate() {
            let theirs = column(c);
            let want: Vec<String> = ours
                .iter()
                .map(|r| match &r[*ie] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect();
            assert_eq!(
                theirs.len(),
                want.len(),
                "{name}: {ie}: flows tshark decoded"
            );
            assert!(theirs == want, "{name}: {ie}: tshark's values differ");
        }
    }
}

#[test]
fn what_netflow_cannot_carry_is_a_usage_error() {
    let w = Workdir::new("gen-nf-errors");
    let cases: [(&[&str], &str); 7] = [
        (&["--netflow", "9", "--profile", "biflow"], "enterprise"),
        (
            &["--netflow", "9", "--profile", "structured"],
            "variable-length",
        ),
        (&["--netflow", "5", "--profile", "flow4"], "netflow5"),
        (
            &["--netflow", "5", "--template", "sourceIPv4Address"],
            "one record layout",
        ),
        (&["--netflow", "5", "--sampling", "20000"], "14 bits"),
        (&["--netflow", "9", "--format", "csv"], "export packets"),
        (
            &[
                "--pcap",
                "--exporter",
                "192.0.2.1:1",
                "--collector",
                "[2001:db8::2]:2055",
            ],
            "both be IPv4",
        ),
    ];
    for (args, says) in cases {
        let out = w.path("out.bin");
        let mut a = vec!["gen"];
        a.extend(args);
        a.extend(["-o", out.to_str().unwrap()]);
        let r = w.run(&a).code(2);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(!out.exists(), "{args:?}: wrote an output");
    }
}

//! `pcap2ipfix --extract`: export packets out of captures.
//!
//! - `gen --pcap` captures of IPFIX, NetFlow v9 (two domains, sampling options) and v5
//!   give back, record for record, the values `ipfixkit cat` reads from the same output
//!   without `--pcap`; each (exporter, domain) is an output domain with an options record
//!   naming the exporter, which the flow schema's `sampler_address` shows.
//! - Two exporters using the same template ID with different layouts in one capture keep
//!   their own layouts (their own domains).
//! - pmacct's sample captures (a Cisco IPFIX and a Cisco NetFlow v9 exporter) yield the
//!   flows tshark decodes from them: addresses, ports, protocol, octets and packets of every
//!   flow record (`tests/interop_extract.rs` compares every field of them, and of
//!   softflowd's export, with tshark).
//! - Data ahead of its template (v9 and IPFIX) is held until the template comes; IP
//!   fragments (sent last first) are joined; IPFIX over TCP is reassembled (messages
//!   straddling segments, a retransmission, an overlap, two segments swapped, the sequence
//!   crossing 2^32).

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::Workdir;
use serde_json::{Map, Value};
use std::process::Command;
use std::time::Duration;

fn json_lines(out: &str) -> Vec<Map<String, Value>> {
    out.lines()
        .map(|l| match serde_json::from_str::<Value>(l).unwrap() {
            Value::Object(m) => m,
            other => panic!("{other}"),
        })
        .filter(|m| !m.contains_key("@fields"))
        .collect()
}

/// The flow records (those with packetDeltaCount) without their metadata.
fn flows(lines: &[Map<String, Value>]) -> Vec<Map<String, Value>> {
    lines
        .iter()
        .filter(|m| m.contains_key("packetDeltaCount"))
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.starts_with('@'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .collect()
}

#[test]
fn generated_captures_give_back_their_records() {
    let w = Workdir::new("extract-gen");
    let cases: [(&str, &[&str], usize); 3] = [
        // IPFIX: two domains, and domain 0 of the RFC 5655 metadata at the end.
        ("ipfix", &["--domains", "2"], 3),
        (
            "v9",
            &["--netflow", "9", "--domains", "2", "--sampling", "10"],
            2,
        ),
        ("v5", &["--netflow", "5", "--domains", "3"], 3),
    ];
    for (name, args, domains) in cases {
        let base = [args, &["-n", "9000", "--message-size", "1400"]].concat();
        let plain = w.path(&format!("{name}.bin"));
        let pcap = w.path(&format!("{name}.pcap"));
        let run_gen = |extra: &[&str], out: &std::path::Path| {
            let mut a = vec!["gen"];
            a.extend(&base);
            a.extend(extra);
            a.extend(["-o", out.to_str().unwrap()]);
            w.run(&a).ok();
        };
        run_gen(&[], &plain);
        run_gen(&["--pcap"], &pcap);
        let want = json_lines(
            &w.run(&["cat", "-f", "json", plain.to_str().unwrap()])
                .ok()
                .out(),
        );
        let got_out = w
            .run(&[
                "pcap2ipfix",
                "--extract",
                "-f",
                "json",
                pcap.to_str().unwrap(),
            ])
            .ok()
            .out();
        let got = json_lines(&got_out);
        let (want_flows, got_flows) = (flows(&want), flows(&got));
        assert_eq!(got_flows.len(), 9000, "{name}");
        assert!(got_flows == want_flows, "{name}: the records differ");
        // One exporter, `domains` domains: each an output domain, named in an options record.
        let named: Vec<&Map<String, Value>> = got
            .iter()
            .filter(|m| m.contains_key("exporterIPv4Address"))
            .collect();
        assert_eq!(named.len(), domains, "{name}: exporter records");
        for (i, m) in named.iter().enumerate() {
            assert_eq!(m["exporterIPv4Address"], "192.0.2.1");
            assert_eq!(m["exporterTransportPort"], 49152);
            assert_eq!(m["observationDomainId"], i as u64 + 1);
        }
        // The flow schema's sampler_address is the exporter.
        let schema = w
            .run(&[
                "pcap2ipfix",
                "--extract",
                "-f",
                "csv",
                "--schema",
                "flow",
                "-F",
                "sampler_address,bytes",
                pcap.to_str().unwrap(),
            ])
            .ok()
            .out();
        let rows: Vec<&str> = schema.lines().skip(1).collect();
        assert_eq!(rows.len(), 9000, "{name}");
        assert!(rows.iter().all(|r| r.starts_with("192.0.2.1,")), "{name}");
    }
}

#[test]
fn two_exporters_with_one_template_id_keep_their_layouts() {
    let w = Workdir::new("extract-two");
    let a = w.path("a.pcap");
    let b = w.path("b.pcap");
    let both = w.path("both.pcap");
    let make = |template: &str, exporter: &str, out: &std::path::Path| {
        w.run(&[
            "gen",
            "-n",
            "50",
            "--no-metadata",
            "--template",
            template,
            "--pcap",
            "--exporter",
            exporter,
            "-o",
            out.to_str().unwrap(),
        ])
        .ok();
    };
    make(
        "sourceIPv4Address,octetDeltaCount[4]",
        "192.0.2.10:4000",
        &a,
    );
    make(
        "destinationIPv4Address,packetDeltaCount[2],protocolIdentifier",
        "192.0.2.20:4000",
        &b,
    );
    // One capture with both exporters' packets (the same times: a's first).
    let mut cap = std::fs::read(&a).unwrap();
    cap.extend_from_slice(&std::fs::read(&b).unwrap()[24..]);
    std::fs::write(&both, cap).unwrap();
    let r = w
        .run(&[
            "pcap2ipfix",
            "--extract",
            "--stats",
            "-f",
            "json",
            both.to_str().unwrap(),
        ])
        .ok_warned();
    let lines = json_lines(&r.out());
    let by_domain = |d: u64, key: &str| {
        lines
            .iter()
            .filter(|m| m["@domain"] == d && m.contains_key(key))
            .count()
    };
    assert_eq!(by_domain(1, "octetDeltaCount"), 50);
    assert_eq!(by_domain(2, "packetDeltaCount"), 50);
    assert_eq!(by_domain(1, "packetDeltaCount"), 0);
    assert!(
        r.stderr
            .contains("exporter 192.0.2.10:4000 domain 1 -> output domain 1")
    );
    assert!(
        r.stderr
            .contains("exporter 192.0.2.20:4000 domain 1 -> output domain 2")
    );
}

/// tshark's flows of a capture of export packets: per flow record, the fields asked for.
fn tshark_flows(tool: &std::path::Path, pcap: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new(tool);
    cmd.args([
        "-r",
        pcap,
        "-d",
        "udp.port==9991,cflow",
        "-d",
        "udp.port==2055,cflow",
    ])
    .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = peers::run_ok(&mut cmd, Duration::from_secs(60));
    let mut flows = Vec::new();
    for l in out.lines() {
        let cols: Vec<Vec<&str>> = l
            .split('\t')
            .map(|c| c.split(',').filter(|s| !s.is_empty()).collect())
            .collect();
        let n = cols[0].len();
        for i in 0..n {
            flows.push(
                cols.iter()
                    .map(|c| c.get(i).unwrap_or(&"").to_string())
                    .collect(),
            );
        }
    }
    flows
}

#[test]
fn pmacct_samples_give_the_flows_tshark_decodes() {
    let Some(tool) = peers::find_tool("tshark") else {
        peers::missing("tshark");
        return;
    };
    let w = Workdir::new("extract-pmacct");
    for sample in ["pmacct-100-ipfix-cisco.pcap", "pmacct-101-nfv9-cisco.pcap"] {
        let p = common::testdata(&format!("samples/{sample}"));
        let p = p.to_str().unwrap();
        let fields = [
            "cflow.srcaddr",
            "cflow.dstaddr",
            "cflow.srcport",
            "cflow.dstport",
            "cflow.protocol",
            "cflow.octets",
            "cflow.packets",
        ];
        let theirs = tshark_flows(&tool, p, &fields);
        let out = w
            .run(&["pcap2ipfix", "--extract", "-f", "json", p])
            .ok_warned()
            .out();
        let ours: Vec<Vec<String>> = json_lines(&out)
            .iter()
            .filter(|m| m.contains_key("sourceIPv4Address") && m.contains_key("octetDeltaCount"))
            .map(|m| {
                [
                    "sourceIPv4Address",
                    "destinationIPv4Address",
                    "sourceTransportPort",
                    "destinationTransportPort",
                    "protocolIdentifier",
                    "octetDeltaCount",
                    "packetDeltaCount",
                ]
                .iter()
                .map(|k| match &m[*k] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect()
            })
            .collect();
        assert!(!ours.is_empty(), "{sample}: no flows");
        let mut a = ours.clone();
        let mut b: Vec<Vec<String>> = theirs.into_iter().filter(|f| !f[0].is_empty()).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{sample}: ours vs tshark");
    }
}

/// The capture `pcap` with its first two packets swapped (nanosecond pcap as `gen` writes it).
fn swap_first_two(pcap: &[u8]) -> Vec<u8> {
    let mut records = Vec::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let caplen = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        records.push(&pcap[at..at + 16 + caplen]);
        at += 16 + caplen;
    }
    assert!(records.len() > 2);
    records.swap(0, 1);
    let mut out = pcap[..24].to_vec();
    for r in records {
        out.extend_from_slice(r);
    }
    out
}

/// Data ahead of its template: the first export packet (templates and data) comes after the
/// second (data only). The data is held and decoded when the templates come: every record is
/// there.
#[test]
fn data_ahead_of_its_template_is_held_until_it_comes() {
    let w = Workdir::new("extract-ahead");
    for (name, args) in [
        (
            "v9",
            &["--netflow", "9", "--template-refresh", "100000"][..],
        ),
        ("ipfix", &["--no-metadata"][..]),
    ] {
        let plain = w.path(&format!("{name}.bin"));
        let pcap = w.path(&format!("{name}.pcap"));
        for (extra, out) in [(&[][..], &plain), (&["--pcap"][..], &pcap)] {
            let mut a = vec!["gen", "-n", "300", "--message-size", "1400"];
            a.extend(args);
            a.extend(extra);
            a.extend(["-o", out.to_str().unwrap()]);
            w.run(&a).ok();
        }
        let swapped = w.write(
            &format!("{name}-swapped.pcap"),
            &swap_first_two(&std::fs::read(&pcap).unwrap()),
        );
        let want = flows(&json_lines(
            &w.run(&["cat", "-f", "json", plain.to_str().unwrap()])
                .ok()
                .out(),
        ));
        let got = flows(&json_lines(
            &w.run(&[
                "pcap2ipfix",
                "--extract",
                "-f",
                "json",
                swapped.to_str().unwrap(),
            ])
            .ok()
            .out(),
        ));
        let key = |v: &Vec<Map<String, Value>>| {
            let mut s: Vec<String> = v
                .iter()
                .map(|m| Value::Object(m.clone()).to_string())
                .collect();
            s.sort();
            s
        };
        assert_eq!(got.len(), 300, "{name}");
        assert!(key(&got) == key(&want), "{name}: the held records differ");
    }
}

/// Each IPv4 packet of `pcap` (Ethernet, as `gen --pcap` writes them) cut into fragments of
/// at most 1480 payload octets, sent last fragment first.
fn fragmented(pcap: &[u8]) -> Vec<u8> {
    use etherparse::{IpFragOffset, Ipv4Header};
    let mut out = pcap[..24].to_vec();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let caplen = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        let (rec, frame) = (&pcap[at..at + 16], &pcap[at + 16..at + 16 + caplen]);
        at += 16 + caplen;
        let (h, payload) = Ipv4Header::from_slice(&frame[14..]).unwrap();
        let mut pieces = Vec::new();
        for (k, chunk) in payload.chunks(1480).enumerate() {
            let mut f = h.clone();
            f.total_len = (20 + chunk.len()) as u16;
            f.fragment_offset = IpFragOffset::try_new((k * 1480 / 8) as u16).unwrap();
            f.more_fragments = (k + 1) * 1480 < payload.len();
            f.header_checksum = f.calc_header_checksum();
            let mut fr = frame[..14].to_vec();
            f.write(&mut fr).unwrap();
            fr.extend_from_slice(chunk);
            pieces.push(fr);
        }
        for fr in pieces.iter().rev() {
            out.extend_from_slice(&rec[..8]);
            out.extend_from_slice(&(fr.len() as u32).to_le_bytes());
            out.extend_from_slice(&(fr.len() as u32).to_le_bytes());
            out.extend_from_slice(fr);
        }
    }
    out
}

/// IPFIX messages of 8000 octets over UDP, the datagrams cut into IP fragments that arrive
/// last first: joined, every record is there.
#[test]
fn fragmented_datagrams_are_joined() {
    let w = Workdir::new("extract-fragments");
    let plain = w.path("big.ipfix");
    let pcap = w.path("big.pcap");
    for (extra, out) in [(&[][..], &plain), (&["--pcap"][..], &pcap)] {
        let mut a = vec!["gen", "-n", "2000", "--message-size", "8000"];
        a.extend(extra);
        a.extend(["-o", out.to_str().unwrap()]);
        w.run(&a).ok();
    }
    let cut = w.write("cut.pcap", &fragmented(&std::fs::read(&pcap).unwrap()));
    let want = flows(&json_lines(
        &w.run(&["cat", "-f", "json", plain.to_str().unwrap()])
            .ok()
            .out(),
    ));
    let r = w
        .run(&[
            "pcap2ipfix",
            "--extract",
            "--stats",
            "-f",
            "json",
            cut.to_str().unwrap(),
        ])
        .ok_warned();
    // Every datagram but the last (the metadata message, under 1480 octets) came in pieces.
    assert!(
        r.stderr.contains("16 IPFIX messages") && r.stderr.contains("15 joined from fragments"),
        "{}",
        r.stderr
    );
    let got = flows(&json_lines(&r.out()));
    assert_eq!(got.len(), 2000);
    assert!(got == want, "the records of the joined datagrams differ");
}

/// A pcap (microseconds, Ethernet) of `frames`.
fn pcap_of(frames: &[Vec<u8>]) -> Vec<u8> {
    // magic, version 2.4, thiszone, sigfigs, snaplen, linktype
    let mut hdr = Vec::new();
    hdr.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    hdr.extend_from_slice(&2u16.to_le_bytes());
    hdr.extend_from_slice(&4u16.to_le_bytes());
    hdr.extend_from_slice(&[0; 8]);
    hdr.extend_from_slice(&262_144u32.to_le_bytes());
    hdr.extend_from_slice(&1u32.to_le_bytes());
    let mut out = hdr;
    for (i, f) in frames.iter().enumerate() {
        out.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        out.extend_from_slice(&(i as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// One TCP segment from the exporter (192.0.2.5:40000) to the collector (port 4739).
fn segment(seq: u32, syn: bool, fin: bool, payload: &[u8]) -> Vec<u8> {
    let b = etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 5], [2, 0, 0, 0, 0, 6]).ipv4(
        [192, 0, 2, 5],
        [198, 51, 100, 6],
        64,
    );
    let mut t = b.tcp(40000, 4739, seq, 64240);
    if syn {
        t = t.syn();
    } else {
        t = t.ack(1);
    }
    if fin {
        t = t.fin();
    }
    let mut out = Vec::new();
    t.write(&mut out, payload).unwrap();
    out
}

/// IPFIX over TCP: the messages of a file cut into segments of 700 octets (so messages
/// straddle them), one segment sent twice, two swapped, one overlapping its neighbours,
/// behind a SYN and ending with a FIN: the records are those of the file.
#[test]
fn ipfix_over_tcp_is_reassembled() {
    let w = Workdir::new("extract-tcp");
    let plain = w.path("flows.ipfix");
    w.run(&[
        "gen",
        "-n",
        "3000",
        "--message-size",
        "4000",
        "-o",
        plain.to_str().unwrap(),
    ])
    .ok();
    let stream = std::fs::read(&plain).unwrap();
    let isn = 4_294_967_000u32; // the stream crosses 2^32
    let mut frames = vec![segment(isn, true, false, &[])];
    let pieces: Vec<(u32, &[u8])> = stream
        .chunks(700)
        .enumerate()
        .map(|(i, c)| (isn.wrapping_add(1 + 700 * i as u32), c))
        .collect();
    for (i, &(seq, data)) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        frames.push(segment(seq, false, last, data));
        if i == 3 {
            frames.push(segment(seq, false, false, data)); // retransmitted
        }
        if i == 6 {
            // An overlap: the second half of this one and the first half of the next.
            let next = pieces[i + 1].1;
            let mut both = data[350..].to_vec();
            both.extend_from_slice(&next[..350]);
            frames.push(segment(seq.wrapping_add(350), false, false, &both));
        }
    }
    frames.swap(10, 11);
    let cap = w.write("tcp.pcap", &pcap_of(&frames));
    let want = flows(&json_lines(
        &w.run(&["cat", "-f", "json", plain.to_str().unwrap()])
            .ok()
            .out(),
    ));
    let r = w
        .run(&[
            "pcap2ipfix",
            "--extract",
            "--stats",
            "-f",
            "json",
            cap.to_str().unwrap(),
        ])
        .ok_warned();
    assert!(
        r.stderr.contains("(TCP) domain 1 -> output domain 1"),
        "{}",
        r.stderr
    );
    let got = flows(&json_lines(&r.out()));
    assert_eq!(got.len(), 3000, "{}", r.stderr);
    assert!(got == want, "the records over TCP differ");
}

/// The capture without its first packet, where the only templates were: v9's FlowSets are
/// said to be left out (a warning, as `cat` says it); IPFIX's lost sets are an error.
#[test]
fn data_that_never_gets_its_template_is_said() {
    let w = Workdir::new("extract-never");
    for (name, args, code) in [
        (
            "v9",
            &["--netflow", "9", "--template-refresh", "100000"][..],
            0,
        ),
        ("ipfix", &["--no-metadata"][..], 1),
    ] {
        let pcap = w.path(&format!("{name}.pcap"));
        let mut a = vec!["gen", "-n", "300", "--message-size", "1400", "--pcap"];
        a.extend(args);
        a.extend(["-o", pcap.to_str().unwrap()]);
        w.run(&a).ok();
        let b = std::fs::read(&pcap).unwrap();
        let first = 16 + u32::from_le_bytes(b[32..36].try_into().unwrap()) as usize;
        let mut cut = b[..24].to_vec();
        cut.extend_from_slice(&b[24 + first..]);
        let cut = w.write(&format!("{name}-cut.pcap"), &cut);
        let r = w
            .run(&[
                "pcap2ipfix",
                "--extract",
                "-o",
                "out.ipfix",
                cut.to_str().unwrap(),
            ])
            .code(code);
        assert!(
            r.stderr.contains("never got their template"),
            "{name}: {}",
            r.stderr
        );
    }
}

/// A segment lost over TCP: inside the first message (which holds the templates), the
/// stream is still taken for IPFIX and what follows cannot be decoded (said, exit 1); inside
/// a later one, that message is lost and the next is found again at its header.
#[test]
fn a_gap_over_tcp_loses_only_its_message() {
    let w = Workdir::new("extract-tcp-gap");
    let plain = w.path("flows.ipfix");
    w.run(&[
        "gen",
        "-n",
        "3000",
        "--message-size",
        "4000",
        "-o",
        plain.to_str().unwrap(),
    ])
    .ok();
    let stream = std::fs::read(&plain).unwrap();
    let all = flows(&json_lines(
        &w.run(&["cat", "-f", "json", plain.to_str().unwrap()])
            .ok()
            .out(),
    ));
    for lost in [1usize, 7] {
        let mut frames = vec![segment(999, true, false, &[])];
        for (i, c) in stream.chunks(700).enumerate() {
            if i != lost {
                frames.push(segment(1000 + 700 * i as u32, false, false, c));
            }
        }
        let cap = w.write("gap.pcap", &pcap_of(&frames));
        let r = w.run(&[
            "pcap2ipfix",
            "--extract",
            "--stats",
            "-f",
            "json",
            cap.to_str().unwrap(),
        ]);
        assert!(r.stderr.contains("(TCP) domain"), "{lost}: {}", r.stderr);
        let got = flows(&json_lines(&r.out()));
        if lost == 1 {
            let r = r.code(1);
            assert!(
                r.stderr.contains("never got their template"),
                "{}",
                r.stderr
            );
            assert!(got.is_empty());
        } else {
            let r = r.ok_warned();
            // The second message (4000 octets, about 70 records) is lost, the rest are there.
            assert!(
                got.len() > 2850 && got.len() < 2950,
                "{} records: {}",
                got.len(),
                r.stderr
            );
            let first = all.iter().take_while(|f| got.contains(f)).count();
            assert!(first > 50, "the first message's records");
            assert!(
                all.ends_with(&got[first..]),
                "the records after the gap differ"
            );
        }
    }
}

/// A fuzz finding: a set still held for its template at the end of the run was said without
/// the capture's name. Every line names it.
#[test]
fn every_problem_line_names_the_capture() {
    let w = Workdir::new("extract-names");
    let p = common::testdata("extract/fuzz-held-at-end.pcap");
    let p = p.to_str().unwrap();
    let r = w
        .run(&["pcap2ipfix", "--extract", "-o", "out.ipfix", p])
        .code(1);
    assert!(
        r.stderr.contains("never got their template"),
        "{}",
        r.stderr
    );
    for l in r.stderr.lines() {
        assert!(l.starts_with(&format!("ipfixkit: {p}: ")), "{l}");
    }
}

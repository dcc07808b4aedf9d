//! `--schema flow`: the fixed fields of the common flow schema (FLOW_SCHEMA.md), read by the
//! binary from small constructed files: each field's source order, absent fields, renderers,
//! sampling rules, uptime wrap, biflow split, and the flags' errors.

mod common;

use common::*;
use ipfixkit::ipfix::encode::{message, set, template_record};

/// A message of domain 1 exported at 1_700_000_000 with `sets`.
fn msg(sets: &[Vec<u8>]) -> Vec<u8> {
    message(1_700_000_000, 0, 1, sets).unwrap()
}

/// Template `id` of `fields` (pen, id, length) and one data set of it.
fn tmpl(id: u16, scope: u16, fields: &[(u32, u16, u16)]) -> Vec<u8> {
    set(
        if scope > 0 { 3 } else { 2 },
        &template_record(id, scope, fields).unwrap(),
    )
    .unwrap()
}

fn data(id: u16, records: &[u8]) -> Vec<u8> {
    set(id, records).unwrap()
}

/// `cat --schema flow -f json ARGS` of `file`: one JSON object per record.
fn flows(w: &Workdir, file: &[u8], args: &[&str]) -> Vec<serde_json::Value> {
    let path = w.write("in.ipfix", file);
    let mut a = vec!["cat", "--schema", "flow", "-f", "json"];
    a.extend_from_slice(args);
    a.push(path.to_str().unwrap());
    let r = w.run(&a).ok();
    r.out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const SRC4: (u32, u16, u16) = (0, 8, 4);
const DST4: (u32, u16, u16) = (0, 12, 4);

#[test]
fn first_source_present_wins_and_absent_fields_are_left_out() {
    let w = Workdir::new("flow-sources");
    // octetDeltaCount beats postOctetDeltaCount; postOctetDeltaCount beats octetTotalCount.
    let f = msg(&[
        tmpl(256, 0, &[SRC4, DST4, (0, 23, 4), (0, 1, 4)]),
        data(
            256,
            &[[10, 0, 0, 1], [10, 0, 0, 2], [0, 0, 0, 7], [0, 0, 0, 9]].concat(),
        ),
        tmpl(257, 0, &[(0, 27, 16), (0, 28, 16), (0, 85, 8), (0, 23, 4)]),
        data(
            257,
            &[
                &[0x20, 1, 0xd, 0xb8][..],
                &[0; 11],
                &[1],
                &[0x20, 1, 0xd, 0xb8],
                &[0; 11],
                &[2],
                &5u64.to_be_bytes(),
                &6u32.to_be_bytes(),
            ]
            .concat(),
        ),
        tmpl(258, 0, &[(0, 4, 1)]),
        data(258, &[17]),
    ]);
    let v = flows(&w, &f, &[]);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["bytes"], 9);
    assert_eq!(v[0]["src_addr"], "10.0.0.1");
    assert_eq!(v[0]["etype"], 0x0800);
    assert_eq!(v[1]["bytes"], 6);
    assert_eq!(v[1]["src_addr"], "2001:db8::1");
    assert_eq!(v[1]["dst_addr"], "2001:db8::2");
    assert_eq!(v[1]["etype"], 0x86dd);
    // A record with none of a field's sources has no key for it (and no made-up 0).
    let obj = v[2].as_object().unwrap();
    assert_eq!(v[2]["proto"], 17);
    for k in [
        "bytes",
        "packets",
        "src_addr",
        "etype",
        "time_flow_start_ns",
        "sampling_rate",
    ] {
        assert!(!obj.contains_key(k), "{k} in {obj:?}");
    }
    assert_eq!(v[2]["type"], "IPFIX");
    assert_eq!(v[2]["time_received_ns"], 1_700_000_000_000_000_000u64);
    // ... and an empty CSV cell.
    let path = w.write("in.ipfix", &f);
    let r = w
        .run(&[
            "cat",
            "--schema",
            "flow",
            "-f",
            "csv",
            "-F",
            "proto,bytes,src_addr",
            path.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(
        r.out(),
        "proto,bytes,src_addr\n,9,10.0.0.1\n,6,2001:db8::1\n17,,\n"
    );
}

#[test]
fn times_from_every_kind_of_ie() {
    let w = Workdir::new("flow-times");
    let export_ms: i128 = 1_700_000_000_000;
    let f = msg(&[
        // seconds start, nanoseconds end (NTP)
        tmpl(256, 0, &[(0, 150, 4), (0, 157, 8)]),
        data(
            256,
            &[
                1_699_999_990u32.to_be_bytes().to_vec(),
                // NTP seconds of 1_699_999_995 and a half
                (((1_699_999_995u64 + 2_208_988_800) << 32) | (1u64 << 31))
                    .to_be_bytes()
                    .to_vec(),
            ]
            .concat(),
        ),
        // uptimes: the domain's systemInit from an options record; the start before boot
        // wraps to just before the export, never 49 days after it
        tmpl(300, 1, &[(0, 149, 4), (0, 160, 8)]),
        data(
            300,
            &[
                1u32.to_be_bytes().to_vec(),
                ((export_ms - 5000) as u64).to_be_bytes().to_vec(),
            ]
            .concat(),
        ),
        tmpl(257, 0, &[(0, 22, 4), (0, 21, 4)]),
        data(
            257,
            &[(u32::MAX - 999).to_be_bytes(), 1000u32.to_be_bytes()].concat(),
        ),
        // deltas back from the export time (µs)
        tmpl(258, 0, &[(0, 158, 4), (0, 159, 4)]),
        data(
            258,
            &[3_000_000u32.to_be_bytes(), 1_000_000u32.to_be_bytes()].concat(),
        ),
    ]);
    let v = flows(&w, &f, &[]);
    assert_eq!(v.len(), 3, "the options record is not a flow: {v:?}");
    assert_eq!(v[0]["time_flow_start_ns"], 1_699_999_990_000_000_000u64);
    assert_eq!(v[0]["time_flow_end_ns"], 1_699_999_995_500_000_000u64);
    // init + (2^32 - 1000) wraps: init - 1000 ms
    assert_eq!(
        v[1]["time_flow_start_ns"],
        ((export_ms - 5000 - 1000) * 1_000_000) as u64
    );
    assert_eq!(
        v[1]["time_flow_end_ns"],
        ((export_ms - 5000 + 1000) * 1_000_000) as u64
    );
    assert_eq!(
        v[2]["time_flow_start_ns"],
        ((export_ms - 3000) * 1_000_000) as u64
    );
    assert_eq!(
        v[2]["time_flow_end_ns"],
        ((export_ms - 1000) * 1_000_000) as u64
    );
    let v = flows(
        &w,
        &f,
        &["--time", "iso", "-F", "time_flow_start_ns,time_flow_end_ns"],
    );
    assert_eq!(v[0]["time_flow_end_ns"], "2023-11-14T22:13:15.500Z");
    assert_eq!(v[2]["time_flow_start_ns"], "2023-11-14T22:13:17.000Z");
}

#[test]
fn sampling_rate_from_the_record_or_the_domains_options_records() {
    let w = Workdir::new("flow-sampling");
    let rec = |sampler: u8| [vec![10, 0, 0, sampler], vec![sampler]].concat();
    let f = msg(&[
        // RFC 5476 count-based: interval 1, space 9 is 1 in 10, for the whole domain
        tmpl(300, 1, &[(0, 149, 4), (0, 305, 4), (0, 306, 4)]),
        data(
            300,
            &[1u32.to_be_bytes(), 1u32.to_be_bytes(), 9u32.to_be_bytes()].concat(),
        ),
        // sampler 7 samples 1 in 100 (Cisco v9 style: samplerId and samplerRandomInterval)
        tmpl(301, 1, &[(0, 149, 4), (0, 48, 1), (0, 50, 4)]),
        data(
            301,
            &[
                [0, 0, 0, 1].to_vec(),
                vec![7],
                100u32.to_be_bytes().to_vec(),
            ]
            .concat(),
        ),
        // records with a sampler ID: 7 has its own rate, 8 falls back to the domain's
        tmpl(256, 0, &[SRC4, (0, 48, 1)]),
        data(256, &[rec(7), rec(8)].concat()),
        // a record's own samplingInterval wins
        tmpl(257, 0, &[SRC4, (0, 34, 4)]),
        data(257, &[[10, 0, 0, 9], 1000u32.to_be_bytes()].concat()),
        // none at all: the domain's
        tmpl(258, 0, &[SRC4]),
        data(258, &[10, 0, 0, 1]),
    ]);
    let v = flows(&w, &f, &["-F", "src_addr,sampling_rate"]);
    let rates: Vec<_> = v.iter().map(|r| r["sampling_rate"].clone()).collect();
    assert_eq!(rates, [100, 10, 1000, 10].map(serde_json::Value::from));
    // In another file (another session) nothing is known: absent.
    let g = msg(&[tmpl(258, 0, &[SRC4]), data(258, &[10, 0, 0, 1])]);
    assert!(flows(&w, &g, &[])[0].get("sampling_rate").is_none());
}

#[test]
fn renderers_ports_icmp_mpls_and_macs() {
    let w = Workdir::new("flow-render");
    let f = msg(&[
        tmpl(
            256,
            0,
            &[
                SRC4,
                (0, 9, 1),
                (0, 4, 1),
                (0, 11, 2),
                (0, 32, 2),
                (0, 56, 6),
                (0, 70, 3),
                (0, 71, 3),
            ],
        ),
        data(
            256,
            &[
                &[10, 1, 2, 3][..],
                &[24],
                &[1],
                &[8, 0],
                &[3, 1],
                &[0, 0x0c, 0x29, 0x8d, 0xaf, 0xc3],
                &[0, 0x10, 0x01],
                &[0, 0x11, 0x01],
            ]
            .concat(),
        ),
        // v5/v9 style ICMP: type and code in the destination port
        tmpl(257, 0, &[(0, 4, 1), (0, 7, 2), (0, 11, 2)]),
        data(257, &[&[1][..], &[0, 0], &[0x0b, 0x00]].concat()),
    ]);
    let v = flows(&w, &f, &[]);
    assert_eq!(v[0]["src_net"], "10.1.2.0/24");
    assert_eq!(v[0]["src_mac"], "00:0c:29:8d:af:c3");
    assert_eq!(v[0]["mpls_label"], serde_json::json!([256, 272]));
    assert_eq!(
        (v[0]["icmp_type"].clone(), v[0]["icmp_code"].clone()),
        (3.into(), 1.into())
    );
    // ICMP has no ports: the port fields are left out
    assert!(v[0].get("dst_port").is_none() && v[1].get("src_port").is_none());
    assert_eq!(
        (v[1]["icmp_type"].clone(), v[1]["icmp_code"].clone()),
        (11.into(), 0.into())
    );
    let v = flows(
        &w,
        &f,
        &["--render", "src_net=int", "--render", "src_mac=int"],
    );
    assert_eq!(v[0]["src_net"], 24);
    assert_eq!(v[0]["src_mac"], 0x000c298dafc3u64);
    // --rename and --map (an enterprise IE by number)
    let g = msg(&[
        tmpl(256, 0, &[SRC4, (5951, 129, 4)]),
        data(256, &[[10, 0, 0, 1], [0, 0, 0, 42]].concat()),
    ]);
    let v = flows(
        &w,
        &g,
        &[
            "--map",
            "app=en5951:id129",
            "--rename",
            "src_addr=src_ip",
            "-F",
            "src_addr,app",
        ],
    );
    // -F names fields before renaming
    assert_eq!(v[0], serde_json::json!({"src_ip":"10.0.0.1","app":42}));
    let path = w.write("g.ipfix", &g);
    let p = path.to_str().unwrap();
    let r = w
        .run(&[
            "cat",
            "--schema",
            "flow",
            "-f",
            "csv",
            "--map",
            "app=netscalerTransactionId",
            "-F",
            "app,src_addr",
            p,
        ])
        .ok();
    assert_eq!(r.out(), "app,src_addr\n42,10.0.0.1\n");
}

#[test]
fn a_yaf_biflow_becomes_two_records() {
    let w = Workdir::new("flow-yaf");
    let yaf = std::fs::read(testdata("samples/logstash-yaf-biflow-concat.ipfix")).unwrap();
    let cols = "src_addr,dst_addr,src_port,dst_port,bytes,packets,tcp_flags";
    let v = flows(&w, &yaf, &["-F", cols]);
    // The first YAF record: 172.16.32.100:63499 -> .215:9997, 172 octets in 4 packets one
    // way, 92 in 2 back; initialTCPFlags|unionTCPFlags 0xc2|0x11, reverse 0x12|0x11.
    assert_eq!(
        v[0],
        serde_json::json!({"src_addr":"172.16.32.100","dst_addr":"172.16.32.215","src_port":63499,"dst_port":9997,"bytes":172,"packets":4,"tcp_flags":0xd3})
    );
    assert_eq!(
        v[1],
        serde_json::json!({"src_addr":"172.16.32.215","dst_addr":"172.16.32.100","src_port":9997,"dst_port":63499,"bytes":92,"packets":2,"tcp_flags":0x13})
    );
    let one = flows(
        &w,
        &yaf,
        &[
            "--no-split-biflow",
            "-F",
            "bytes,reverse_bytes,reverse_packets",
        ],
    );
    assert_eq!(
        one[0],
        serde_json::json!({"bytes":172,"reverse_bytes":92,"reverse_packets":2})
    );
    assert!(v.len() > one.len());
}

#[test]
fn flags_are_checked() {
    let w = Workdir::new("flow-flags");
    let a = testdata("article-example.ipfix");
    let a = a.to_str().unwrap();
    for (args, want) in [
        (
            vec!["cat", "--schema", "flow", "-F", "src_adr", a],
            "did you mean src_addr?",
        ),
        (
            vec!["cat", "--rename", "a=b", a],
            "--rename needs --schema flow",
        ),
        (
            vec!["cat", "--schema", "flow", "-f", "detail", a],
            "not detail",
        ),
        (vec!["cat", "--schema", "flow", "--stats", a], "not --stats"),
        (
            vec!["cat", "--schema", "flow", "--options-only", a],
            "options records are never flow records",
        ),
        (
            vec!["cat", "--schema", "flow", "--map", "x=nosuchIE", a],
            "unknown IE",
        ),
        (
            vec!["cat", "--schema", "flow", "--render", "bytes=int", a],
            "only src_net",
        ),
        (
            vec!["cat", "--schema", "flow", "--rename", "bytes=packets", a],
            "already an output field",
        ),
        (
            vec!["convert", "--to", "ipfix", "--schema", "flow", a],
            "not ipfix",
        ),
    ] {
        let r = w.run(&args).code(2);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
}

/// `-F` of the raw schema takes the nfdump words and the schema's names for the IEs a record
/// has, v4 or v6 (the header keeps the name asked for).
#[test]
fn raw_fields_take_aliases() {
    let w = Workdir::new("flow-aliases");
    let f = msg(&[
        tmpl(256, 0, &[SRC4, (0, 7, 2), (0, 1, 4)]),
        data(256, &[&[10, 0, 0, 1][..], &[0, 80], &[0, 0, 0, 9]].concat()),
        tmpl(257, 0, &[(0, 27, 16), (0, 23, 4)]),
        data(
            257,
            &[&[0x20, 1, 0xd, 0xb8][..], &[0; 11], &[1], &[0, 0, 0, 5]].concat(),
        ),
    ]);
    let path = w.write("in.ipfix", &f);
    let p = path.to_str().unwrap();
    let r = w
        .run(&["cat", "-f", "csv", "-F", "srcip,srcport,bytes", p])
        .ok();
    assert_eq!(
        r.out(),
        "srcip,srcport,bytes\n10.0.0.1,80,9\n2001:db8::1,,5\n"
    );
    let r = w
        .run(&["cat", "-f", "csv", "-F", "src_addr,src_port,bytes", p])
        .ok();
    assert_eq!(
        r.out(),
        "src_addr,src_port,bytes\n10.0.0.1,80,9\n2001:db8::1,,5\n"
    );
    // A computed schema field is not an alias: still a usage error with a hint.
    let r = w
        .run(&["cat", "-f", "csv", "-F", "time_flow_start_ns", p])
        .code(2);
    assert!(r.stderr.contains("unknown IE name"), "{}", r.stderr);
}

/// A Juniper-style sampled-packet record: ingressInterface, samplingInterval and the frame's
/// first octets as dataLinkFrameSection (varlen); its flow fields come from the headers, bytes
/// from the IP total length (the packet's wire size, not the captured octets). Also an
/// ipHeaderPacketSection starting at an IPv6 header.
#[test]
fn sampled_packet_sections_fill_the_flow_fields() {
    let w = Workdir::new("flow-sections");
    let mut frame = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x0c, 0x29, 0x8d, 0xaf, 0xc3,
    ];
    frame.extend_from_slice(&[0x81, 0x00, 0x00, 0x64, 0x08, 0x00]); // 802.1Q VLAN 100, IPv4
    // IPv4: total length 1500, id 0x1234, TTL 63, TCP, 192.0.2.1 -> 198.51.100.2
    frame.extend_from_slice(&[0x45, 0x10, 0x05, 0xdc, 0x12, 0x34, 0x40, 0x00, 63, 6, 0, 0]);
    frame.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 2]);
    // TCP 40000 -> 443, flags ACK|PSH; then the section is cut (a 64-octet sample)
    frame.extend_from_slice(&[0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18]);
    frame.resize(64, 0);
    let mut rec = vec![0, 0, 0, 7, 0, 0, 0, 100, frame.len() as u8];
    rec.extend_from_slice(&frame);
    // IPv6 UDP 2001:db8::1 -> 2001:db8::2, payload 100, hop limit 64, flow label 0x12345
    let mut ip6 = vec![0x60, 0x01, 0x23, 0x45, 0, 100, 17, 64];
    ip6.extend_from_slice(&[0x20, 1, 0xd, 0xb8]);
    ip6.extend_from_slice(&[0; 11]);
    ip6.push(1);
    ip6.extend_from_slice(&[0x20, 1, 0xd, 0xb8]);
    ip6.extend_from_slice(&[0; 11]);
    ip6.push(2);
    ip6.extend_from_slice(&[0x13, 0x88, 0x00, 0x35, 0, 100, 0, 0]);
    let mut rec6 = vec![ip6.len() as u8];
    rec6.extend_from_slice(&ip6);
    let f = msg(&[
        tmpl(256, 0, &[(0, 10, 4), (0, 34, 4), (0, 315, 65535)]),
        data(256, &rec),
        tmpl(257, 0, &[(0, 313, 65535)]),
        data(257, &rec6),
    ]);
    let cols = "in_if,sampling_rate,bytes,src_addr,dst_addr,etype,proto,src_port,dst_port,src_mac,dst_mac,vlan_id,ip_tos,ip_ttl,tcp_flags,fragment_id,ipv6_flow_label";
    let v = flows(&w, &f, &["-F", cols]);
    assert_eq!(
        v[0],
        serde_json::json!({"in_if":7,"sampling_rate":100,"bytes":1500,"src_addr":"192.0.2.1",
            "dst_addr":"198.51.100.2","etype":2048,"proto":6,"src_port":40000,"dst_port":443,
            "src_mac":"00:0c:29:8d:af:c3","dst_mac":"00:11:22:33:44:55","vlan_id":100,
            "ip_tos":16,"ip_ttl":63,"tcp_flags":24,"fragment_id":4660})
    );
    assert_eq!(
        v[1],
        serde_json::json!({"bytes":140,"src_addr":"2001:db8::1","dst_addr":"2001:db8::2",
            "etype":34525,"proto":17,"src_port":5000,"dst_port":53,"ip_tos":0,"ip_ttl":64,
            "ipv6_flow_label":74565})
    );
}

//! `ipfixkit gen`: the same bytes for the same arguments (and any `-j`), other bytes for
//! another seed; every plausibility rule of the traffic model checked on every record of
//! 100k per profile; ipfixDump (`--rfc5610`) and python-ipfix read each profile without a
//! warning and with ipfixkit's record count; `--template` specs with enterprise IEs (RFC 5610
//! type records), `--sampling`, `--format json|csv`, bad flags.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::Workdir;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

fn generate(w: &Workdir, name: &str, args: &[&str]) -> Vec<u8> {
    let out = w.path(name);
    let mut a = vec!["gen"];
    a.extend(args);
    a.extend(["-o", out.to_str().unwrap()]);
    w.run(&a).ok();
    std::fs::read(out).unwrap()
}

#[test]
fn the_same_arguments_give_the_same_bytes_on_any_threads() {
    let w = Workdir::new("gen-determinism");
    for profile in [
        "flow4",
        "flow6",
        "biflow",
        "structured",
        "all-types",
        "netflow5",
    ] {
        // Five chunks of 4096 records: the threads have something to share.
        let args = ["--profile", profile, "-n", "20000", "--domains", "2"];
        let one = generate(&w, "a.ipfix", &[&args[..], &["-j1"]].concat());
        let two = generate(&w, "b.ipfix", &[&args[..], &["-j2"]].concat());
        let again = generate(&w, "c.ipfix", &[&args[..], &["-j2"]].concat());
        assert!(
            one == two && two == again,
            "{profile}: -j1, -j2 and -j2 again differ"
        );
        let other = generate(&w, "d.ipfix", &[&args[..], &["--seed", "2"]].concat());
        assert_ne!(one, other, "{profile}: seed 2 gave seed 1's bytes");
    }
    // A pinned digest: if this changes, every user's fixtures change with it.
    let bytes = generate(&w, "pinned.ipfix", &["-n", "1000"]);
    let sum: u64 = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    assert_eq!(
        (bytes.len(), sum),
        (PINNED_LEN, PINNED_FNV),
        "gen -n 1000 changed"
    );
}

const PINNED_LEN: usize = 58183;
const PINNED_FNV: u64 = 9325205278369485617;

/// The records of `file` as JSON objects (IE name -> value), times as numbers (`@export_time`
/// in s, the millisecond IEs in ms).
fn records(w: &Workdir, file: &str) -> Vec<BTreeMap<String, Value>> {
    let r = w
        .run(&["cat", "-f", "json", "--no-options", "--time", "epoch", file])
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

fn f(r: &BTreeMap<String, Value>, k: &str) -> f64 {
    r.get(k)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{k} missing in {r:?}"))
}

fn addr(r: &BTreeMap<String, Value>, k: &str) -> String {
    r[k].as_str().unwrap().to_string()
}

/// Every rule of the traffic model, on every one of 100k records of each profile.
#[test]
fn every_record_is_plausible() {
    let w = Workdir::new("gen-plausible");
    for profile in ["flow4", "flow6", "biflow"] {
        let file = w.path(&format!("{profile}.ipfix"));
        let name = file.to_str().unwrap();
        generate(
            &w,
            &format!("{profile}.ipfix"),
            &["--profile", profile, "-n", "100000"],
        );
        let recs = records(&w, name);
        assert_eq!(recs.len(), 100_000);
        let v6 = profile == "flow6";
        let (src, dst) = if v6 {
            ("sourceIPv6Address", "destinationIPv6Address")
        } else {
            ("sourceIPv4Address", "destinationIPv4Address")
        };
        let mut protos: BTreeMap<u64, usize> = BTreeMap::new();
        let mut udp_ports: BTreeMap<u64, usize> = BTreeMap::new();
        let mut servers: BTreeMap<String, usize> = BTreeMap::new();
        let mut packets = Vec::new();
        let (mut last_start, mut last_export) = (0.0, 0.0);
        for r in &recs {
            let (start, end) = (f(r, "flowStartMilliseconds"), f(r, "flowEndMilliseconds"));
            // Flow times in ms, the export time in s.
            let export = f(r, "@export_time") * 1000.0;
            assert!(end >= start, "{r:?}");
            assert!(start >= last_start, "starts go back: {r:?}");
            assert!(export >= last_export, "export times go back: {r:?}");
            assert!(export >= end, "exported before it ended: {r:?}");
            (last_start, last_export) = (start, export);
            let (p, o) = (u(r, "packetDeltaCount"), u(r, "octetDeltaCount"));
            let least = if v6 { 40 } else { 20 };
            assert!(p >= 1 && o >= least * p && o <= 65535 * p, "{r:?}");
            if p == 1 {
                assert_eq!(start, end, "{r:?}");
            }
            packets.push(p);
            let proto = u(r, "protocolIdentifier");
            *protos.entry(proto).or_default() += 1;
            let flags = u(r, "tcpControlBits");
            let icmp = u(
                r,
                if v6 {
                    "icmpTypeCodeIPv6"
                } else {
                    "icmpTypeCodeIPv4"
                },
            );
            let ports = (
                u(r, "sourceTransportPort"),
                u(r, "destinationTransportPort"),
            );
            match proto {
                6 => {
                    assert!(flags & 0x02 != 0, "TCP without SYN: {r:?}");
                    assert!(flags & !0x1f == 0, "{r:?}");
                    assert!(ports.0 >= 1024 && ports.1 > 0 && icmp == 0, "{r:?}");
                }
                17 => {
                    assert!(flags == 0 && icmp == 0 && ports.1 > 0, "{r:?}");
                    *udp_ports.entry(ports.1).or_default() += 1;
                }
                1 | 58 => {
                    assert_eq!(proto == 58, v6, "{r:?}");
                    assert!(flags == 0 && ports == (0, 0) && icmp != 0, "{r:?}");
                }
                _ => panic!("protocol {proto}: {r:?}"),
            }
            let (s, d) = (addr(r, src), addr(r, dst));
            if v6 {
                assert!(
                    s.starts_with("2001:db8:") && d.starts_with("2001:db8:"),
                    "{r:?}"
                );
            } else {
                assert!(s.starts_with("192.0.2."), "{r:?}");
                assert!(
                    d.starts_with("198.51.100.") || d.starts_with("203.0.113."),
                    "{r:?}"
                );
            }
            *servers.entry(d).or_default() += 1;
            if profile == "biflow" {
                let (rp, ro) = (
                    u(r, "reversePacketDeltaCount"),
                    u(r, "reverseOctetDeltaCount"),
                );
                assert!(ro >= 20 * rp && ro <= 65535 * rp, "{r:?}");
                let rf = u(r, "reverseTcpControlBits");
                assert!(proto == 6 || rf == 0, "{r:?}");
                if proto == 6 {
                    assert!(rp >= 1 && rf & 0x12 == 0x12, "{r:?}");
                }
            }
        }
        // The mixes: TCP-dominated, DNS, QUIC and NTP on UDP, some ICMP.
        let share = |n: usize| n as f64 / recs.len() as f64;
        let tcp = share(protos[&6]);
        assert!((0.75..0.85).contains(&tcp), "TCP {tcp}");
        let icmp = share(*protos.get(&1).or(protos.get(&58)).unwrap());
        assert!((0.01..0.05).contains(&icmp), "ICMP {icmp}");
        for port in [53, 443, 123] {
            assert!(
                udp_ports.get(&port).copied().unwrap_or(0) > 100,
                "UDP {port}"
            );
        }
        // Zipf-like: the most popular server gets far more than its even share (1/512).
        let top = *servers.values().max().unwrap();
        assert!(share(top) > 0.05, "top server {}", share(top));
        // Heavy tails: the largest flow is far above the median.
        packets.sort_unstable();
        let (median, max) = (packets[packets.len() / 2], packets[packets.len() - 1]);
        assert!(max > 100 * median, "median {median}, max {max}");
    }
}

/// ipfixDump --rfc5610 and python-ipfix read every profile (and a --template file with an
/// enterprise IE and a varlen string) without a warning, with ipfixkit's record count.
#[test]
fn peers_read_every_profile() {
    let w = Workdir::new("gen-peers");
    let cases: [(&str, &[&str]); 8] = [
        ("structured", &["--profile", "structured"]),
        ("netflow5", &["--profile", "netflow5", "--sampling", "10"]),
        ("all-types", &["--profile", "all-types", "--domains", "2"]),
        ("flow4", &["--profile", "flow4"]),
        ("flow6", &["--profile", "flow6", "--domains", "3"]),
        ("biflow", &["--profile", "biflow", "--sampling", "10"]),
        (
            "template",
            &[
                "--template",
                "sourceIPv4Address,octetDeltaCount[4],silkAppLabel,wlanSSID",
            ],
        ),
        (
            "two",
            &[
                "--template",
                "sourceIPv6Address,packetDeltaCount[2],flowStartSeconds",
                "--template",
                "destinationIPv4Address,interfaceName,flowEndMilliseconds",
            ],
        ),
    ];
    for (name, args) in cases {
        let file = format!("{name}.ipfix");
        generate(&w, &file, &[args, &["-n", "10000"]].concat());
        let path = w.path(&file);
        let p = path.to_str().unwrap();
        let stats = w.run(&["cat", "--stats", "-f", "json", p]).ok();
        let stats: Value = serde_json::from_str(stats.out().lines().last().unwrap()).unwrap();
        let total = stats["records"].as_u64().unwrap();
        let options = stats["options_records"].as_u64().unwrap_or(0);
        assert!(total >= 10_000, "{name}: {stats}");
        match peers::find_tool("ipfixDump") {
            None => peers::missing("ipfixDump"),
            Some(tool) => {
                let o = Command::new(tool)
                    .args(["--rfc5610", "--in", p])
                    .output()
                    .unwrap();
                let (out, err) = (
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr),
                );
                assert!(o.status.success() && err.trim().is_empty(), "{name}: {err}");
                let n = out
                    .lines()
                    .filter(|l| l.starts_with("--- data record"))
                    .count();
                assert_eq!(n as u64, total, "{name}: ipfixDump's records");
                // Its own lines (not the indented field lines, where an IE name such as
                // absoluteError may stand).
                for l in out.lines().filter(|l| !l.starts_with([' ', '\t'])) {
                    let low = l.to_lowercase();
                    assert!(
                        !low.contains("warn") && !low.contains("error"),
                        "{name}: {l}"
                    );
                }
                if name == "template" {
                    assert!(
                        out.contains("silkAppLabel"),
                        "{name}: the type record's name"
                    );
                }
            }
        }
        match peers::find_tool("ipfix2csv") {
            None => peers::missing("ipfix2csv"),
            Some(tool) => {
                // ipfix2csv prints the records whose template has every column asked for.
                let column = if name == "two" {
                    "sourceIPv6Address"
                } else {
                    "flowStartMilliseconds"
                };
                let column = if name == "template" {
                    "sourceIPv4Address"
                } else {
                    column
                };
                let o = Command::new(tool).args(["-f", p, column]).output().unwrap();
                let err = String::from_utf8_lossy(&o.stderr);
                assert!(o.status.success() && err.trim().is_empty(), "{name}: {err}");
                let rows = String::from_utf8_lossy(&o.stdout).lines().count() as u64 - 1;
                if name == "two" {
                    assert!(
                        (3000..7000).contains(&rows),
                        "{name}: {rows} rows of one template"
                    );
                } else {
                    assert_eq!(rows, total - options, "{name}: python-ipfix's rows");
                }
            }
        }
    }
}

#[test]
fn sampling_json_csv_and_bad_flags() {
    let w = Workdir::new("gen-flags");
    // --sampling: the flow schema finds the rate in the domain's options record.
    let r = w
        .run(&[
            "gen",
            "-n",
            "5",
            "--sampling",
            "100",
            "--format",
            "csv",
            "--schema",
            "flow",
            "-F",
            "sampling_rate",
        ])
        .ok();
    assert_eq!(r.out(), "sampling_rate\n100\n100\n100\n100\n100\n");
    // JSON and CSV are the IPFIX, printed.
    let json = w.run(&["gen", "-n", "7", "--format", "json"]).ok().out();
    let lines = json
        .lines()
        .filter(|l| l.contains("\"flowStartMilliseconds\""))
        .count();
    assert!(lines >= 7, "{json}");
    let csv = w
        .run(&["gen", "-n", "7", "--format", "csv", "--no-metadata"])
        .ok();
    assert_eq!(csv.out().lines().count(), 8, "{}", csv.out());
    // --duration sets the rate: 3600 flows over an hour start a second apart.
    let r = w
        .run(&[
            "gen",
            "-n",
            "3600",
            "--duration",
            "1h",
            "--format",
            "csv",
            "-F",
            "flowStartMilliseconds",
            "--time",
            "epoch",
        ])
        .ok();
    let last: f64 = r.out().lines().last().unwrap().parse().unwrap();
    assert!(
        (1_704_070_798_000.0..1_704_070_800_000.0).contains(&last),
        "{last}"
    );
    // Bad flags: one line each, exit 2.
    for (args, want) in [
        (
            &["gen", "--template", "sourceIPv4Adress"][..],
            "unknown IE \"sourceIPv4Adress\" (did you mean sourceIPv4Address?)",
        ),
        (
            &["gen", "--template", "octetDeltaCount[9]"],
            "a unsigned64 cannot be 9 octets",
        ),
        (
            &["gen", "--template", "sourceIPv4Address[3]"],
            "cannot be 3 octets",
        ),
        (&["gen", "--start", "yesterday"], "is not an RFC 3339 time"),
        (&["gen", "--duration", "5 weeks"], "a duration is like"),
        (&["gen", "--rate", "0"], "above 0"),
        (
            &["gen", "--rate", "5", "--duration", "1h"],
            "cannot be used with",
        ),
    ] {
        let r = w.run(args).code(2);
        let first = r.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(want), "{args:?}: {}", r.stderr);
    }
}

/// `--corrupt`: the kinds listed, each damage said on stderr with its offset, a reader
/// reporting it at that offset; an unknown kind, or one the file has no place for, refused.
#[test]
fn corrupt_writes_one_damage_and_says_where() {
    let w = Workdir::new("gen-corrupt-cli");
    let list = w.run(&["gen", "--corrupt", "list"]).ok().out();
    assert_eq!(list.lines().count(), 8, "{list}");
    assert!(list.contains("field-count-bomb") && list.contains("template-withdrawn-then-used"));
    let out = w.path("bad.ipfix");
    let o = out.to_str().unwrap();
    for kind in [
        "truncate",
        "bad-version",
        "bad-set-length",
        "zero-set-length",
        "field-count-bomb",
    ] {
        let r = w.run(&["gen", "-n", "20000", "--corrupt", kind, "-o", o]);
        assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
        let said = r.stderr.trim();
        let at = said
            .split("byte ")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .unwrap();
        assert!(
            said.starts_with(&format!("ipfixkit: gen --corrupt {kind}: byte ")),
            "{said}"
        );
        let cat = w.run(&["cat", o]).code(1);
        let first = cat.stderr.lines().next().unwrap();
        assert!(
            first.contains(&format!("bad.ipfix: byte {at}")),
            "{kind}: {first} (gen said {said})"
        );
    }
    // A varlen field to damage comes from --template.
    let r = w.run(&[
        "gen",
        "-n",
        "100",
        "--template",
        "sourceIPv4Address,wlanSSID",
        "--corrupt",
        "varlen-overrun",
        "-o",
        o,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.run(&["cat", o]).code(1);
    let r = w
        .run(&["gen", "--corrupt", "varlen-overrun", "-o", o])
        .code(2);
    assert!(r.stderr.contains("try --template"), "{}", r.stderr);
    let r = w.run(&["gen", "--corrupt", "sideways"]).code(2);
    assert!(r.stderr.contains("not a kind of damage"), "{}", r.stderr);
}

/// The structured profile: lists of every kind, of lengths from 0 up, HTTP transactions only
/// on web flows; all-types: every type's edge values, the enterprise IEs named by the type
/// records, floats as NaN and infinities, strings of 0, 254, 255 and 300 octets.
#[test]
fn structured_and_all_types_records() {
    let w = Workdir::new("gen-structured");
    generate(&w, "s.ipfix", &["--profile", "structured", "-n", "20000"]);
    let recs = records(&w, w.path("s.ipfix").to_str().unwrap());
    assert_eq!(recs.len(), 20_000);
    let mut lens: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    for r in &recs {
        let egress = r["basicList"]["values"].as_array().unwrap().len();
        let http = r["subTemplateList"]["records"].as_array().unwrap();
        let details = r["subTemplateMultiList"]["lists"].as_array().unwrap().len();
        *lens.entry(("egress", egress)).or_default() += 1;
        *lens.entry(("http", http.len())).or_default() += 1;
        *lens.entry(("details", details)).or_default() += 1;
        let port = u(r, "destinationTransportPort");
        let web = u(r, "protocolIdentifier") == 6 && [80, 443, 8080].contains(&port);
        assert_eq!(web, !http.is_empty(), "{r:?}");
        for h in http {
            let code = h["httpStatusCode"].as_u64().unwrap();
            assert!((200..600).contains(&code), "{r:?}");
        }
    }
    for (list, most) in [("egress", 4), ("http", 3), ("details", 2)] {
        for n in 0..=most {
            assert!(
                lens.get(&(list, n)).copied().unwrap_or(0) > 100,
                "{list} of {n}: {lens:?}"
            );
        }
    }
    generate(&w, "a.ipfix", &["--profile", "all-types", "-n", "4000"]);
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            "--no-options",
            w.path("a.ipfix").to_str().unwrap(),
        ])
        .ok();
    let out = r.out();
    for want in [
        "\"genSigned8\":-128",
        "\"genSigned64\":9223372036854775807",
        "\"genFloat32\":\"NaN\"",
        "\"absoluteError\":\"inf\"",
        "\"genFloat32\":\"-inf\"",
        "\"octetDeltaCount\":18446744073709551615",
        "\"egressInterface\":65535",
        "\"interfaceName\":\"\"",
    ] {
        assert!(out.contains(want), "no {want} in all-types");
    }
    let names: Vec<usize> = out
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["interfaceName"].as_str().unwrap().len()
        })
        .collect();
    for n in [0, 254, 255, 300] {
        assert!(
            names.iter().filter(|&&x| x == n).count() > 500,
            "interfaceName of {n}"
        );
    }
}

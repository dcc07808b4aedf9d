//! `gen --packets` round trip: the packets of generated flows metered back by `pcap2ipfix`
//! give exactly the flows `gen` wrote beside them (every field: keys, VLAN tags, ICMP type
//! and code, packets, octets, TCP flags, ToS, start and end milliseconds, end reason), for
//! IPv4 and IPv6, with the default timeouts (15 s idle, which the generator's gaps stay
//! under; 1800 s active). The 100k-flow run is in benches/README.md.

mod common;

use common::Workdir;
use serde_json::Value;
use std::collections::BTreeMap;

/// The flow records of `file` (no metadata fields), each as its JSON text, counted.
fn flows(w: &Workdir, file: &str) -> BTreeMap<String, u32> {
    let p = w.path(file);
    let out = w
        .run(&["cat", "-f", "json", p.to_str().unwrap()])
        .ok()
        .out();
    let mut m = BTreeMap::new();
    for l in out.lines() {
        let Value::Object(r) = serde_json::from_str::<Value>(l).unwrap() else {
            panic!("{l}")
        };
        if !r.contains_key("packetDeltaCount") {
            continue;
        }
        let r: serde_json::Map<String, Value> =
            r.into_iter().filter(|(k, _)| !k.starts_with('@')).collect();
        *m.entry(Value::Object(r).to_string()).or_insert(0) += 1;
    }
    m
}

fn round_trip(name: &str, gen_args: &[&str], flows_at_least: usize) {
    let w = Workdir::new(name);
    let pcap = w.path("p.pcap");
    let truth = w.path("truth.ipfix");
    let metered = w.path("metered.ipfix");
    let mut a = vec!["gen", "--packets"];
    a.extend(gen_args);
    a.extend(["-o", pcap.to_str().unwrap()]);
    a.extend(["--flows-out", truth.to_str().unwrap()]);
    w.run(&a).ok();
    let p = pcap.to_str().unwrap();
    w.run(&["pcap2ipfix", p, "-o", metered.to_str().unwrap()])
        .ok();
    let want = flows(&w, "truth.ipfix");
    let got = flows(&w, "metered.ipfix");
    let n: u32 = want.values().sum();
    assert!(n as usize >= flows_at_least, "{name}: {n} flows");
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && want == got,
        "{name}: {} truth flows not metered, {} metered flows not in the truth; first:\n{:?}\n{:?}",
        missing.len(),
        extra.len(),
        missing.first(),
        extra.first()
    );
    // The output is ordered by flow start.
    let out = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "flowStartMilliseconds",
            metered.to_str().unwrap(),
        ])
        .ok()
        .out();
    let starts: Vec<&str> = out.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert!(
        starts.windows(2).all(|p| p[0] <= p[1]),
        "{name}: not by start"
    );
}

#[test]
fn ipv4_flows_metered_back_are_the_ground_truth() {
    // 10k connections: some 20k flow directions, ~100k packets.
    round_trip("p2i-gen-v4", &["-n", "10000"], 19_000);
}

#[test]
fn ipv6_flows_metered_back_are_the_ground_truth() {
    round_trip(
        "p2i-gen-v6",
        &["-n", "3000", "--profile", "flow6", "--seed", "9"],
        5_800,
    );
}

#[test]
fn output_is_the_same_on_any_threads() {
    let w = Workdir::new("p2i-gen-threads");
    let mut caps = Vec::new();
    for seed in ["1", "2", "3"] {
        let p = w.path(&format!("{seed}.pcap"));
        w.run(&[
            "gen",
            "--packets",
            "-n",
            "2000",
            "--seed",
            seed,
            "-o",
            p.to_str().unwrap(),
        ])
        .ok();
        caps.push(p.to_str().unwrap().to_string());
    }
    let run = |j: &str, out: &str| {
        let o = w.path(out);
        let mut a = vec!["pcap2ipfix", "-j", j, "-o", o.to_str().unwrap()];
        a.extend(caps.iter().map(String::as_str));
        w.run(&a).ok();
        std::fs::read(o).unwrap()
    };
    let one = run("1", "one.ipfix");
    let two = run("2", "two.ipfix");
    assert!(one == two, "-j1 and -j2 differ");
    let again = run("2", "again.ipfix");
    assert!(two == again, "-j2 twice differs");
}

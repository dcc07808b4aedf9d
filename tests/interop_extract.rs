//! Interop: `pcap2ipfix --extract` against tshark's NetFlow/IPFIX dissector (`cflow`), every
//! field of every record.
//!
//! The captures: pmacct's two Cisco samples (`testdata/samples/pmacct-100-ipfix-cisco.pcap`,
//! `pmacct-101-nfv9-cisco.pcap`), and softflowd metering `testdata/interop/test.pcap` and
//! exporting it as IPFIX, NetFlow v9 and v5, each recorded by the test with tshark on `lo`
//! (`tests/interop/softflowd_export_capture.sh`: one capture per version, checked to hold
//! exactly the datagrams softflowd's collector received).
//!
//! Each capture is read by `ipfixkit pcap2ipfix --extract -f json` and by `tshark -T json
//! --no-duplicate-keys -d udp.port==PORT,cflow`. Every field of every record of ours is
//! compared with the value tshark decodes, through [`FIELDS`] (IE name -> cflow field and how
//! its text reads); a field of ours that the table lacks fails the test, and so does a cflow
//! field of a record that no entry read (except those in [`TSHARK_ONLY`], which tshark
//! derives from the others). Records are compared as multisets (ipfixkit holds data ahead of
//! its template and decodes it when the template comes, so its order can differ), and both
//! sides must have the same number of records.
//!
//! What is not a field-by-field comparison, and why:
//!
//! - `@domain`, `@template`, `@scope`: ipfixkit's output numbering (each exporter and domain
//!   an output domain from 1, templates remapped); `@export_time` is compared with the
//!   packet header's export time.
//! - The exporter options record ipfixkit writes at the start of each output domain
//!   (observationDomainId, exporterIPv4Address, exporterTransportPort): not in the packets.
//!   Its address and port are compared with tshark's `ip.src`/`udp.srcport` of the exporter's
//!   packets; its observationDomainId is the output domain, ipfixkit's own number.
//! - NetFlow v9 and v5 have no absolute times: ipfixkit's flowStart/EndMilliseconds come
//!   from the header (RFC 3954 §5.1: export time − (sysUpTime − FIRST_SWITCHED), the 32-bit
//!   difference taken as the signed value nearest zero), and so does the translator's
//!   systemInitTimeMilliseconds options record (export time − sysUpTime). Both are computed
//!   here from tshark's header and record values and compared.
//!
//! Differences found (the test asserts them, see [`Norm`]):
//!
//! - softflowd 1.1.0's v9 header counts only the flow data records (14), where RFC 3954 §5.1
//!   says Count is the sum of template, options and data records (20): ipfixkit warns, right.
//! - pmacct-101's Cisco exporter sends samplerId (IE 48, unsigned8) in 2 octets, longer than
//!   the type allows (RFC 7011 §6.2 permits only reduced-size encoding): ipfixkit warns and
//!   prints the octets as hex (`"0001"`), tshark reads the 2 octets as the integer 1. The
//!   value compared is the same.
//! - A string field (softflowd's interfaceName, 16 octets NUL-padded): tshark prints it up
//!   to the first NUL, ipfixkit all 16 octets (RFC 7011 §6.1.6: the string is the whole
//!   field); compared with the NULs removed.
//!
//! A missing peer prints `SKIP interop: <tool> not installed`, except with `CI=true`, where
//! it fails.

#[path = "common/peers.rs"]
mod peers;

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How a cflow field's text reads as one of our values.
#[derive(Clone, Copy, Debug)]
enum Norm {
    /// A decimal integer.
    Dec,
    /// `0x1b`.
    Hex,
    /// An IPv4 or IPv6 address.
    Addr,
    /// `Nov 14, 2023 22:13:22.030000000 UTC`; ours RFC 3339.
    AbsTime,
    /// Seconds with a fraction (an uptime); ours milliseconds.
    Millis,
    /// A string, which tshark prints up to its first NUL.
    Text,
}

/// Where tshark has a field of ours.
#[derive(Clone, Copy, Debug)]
enum Src {
    /// A cflow field of the record.
    Leaf(&'static str, Norm),
    /// A cflow field of the packet header (NetFlow v5's sampling is in its header).
    Header(&'static str, Norm),
    /// The n-th `MPLS-LabelN` subtree (label, exp, bottom-of-stack): ours the 3 octets, hex.
    Mpls(u8),
    /// ICMPv6 type and code, two cflow fields: ours type × 256 + code.
    IcmpV6,
    /// forwardingStatus: tshark splits the octet into the status (top 2 bits) and the reason
    /// code (RFC 7270 §4.12).
    Forwarding,
    /// samplerId: a decimal integer; ours hex octets when the field is longer than its type.
    SamplerId,
    /// flowStart/EndMilliseconds: tshark's absolute time (IPFIX), or computed from the
    /// uptime and the header (NetFlow, see the module doc).
    Time(&'static str, &'static str),
}

use Norm::*;
use Src::*;

/// Our IE names and where tshark has them.
const FIELDS: &[(&str, Src)] = &[
    ("sourceIPv4Address", Leaf("cflow.srcaddr", Addr)),
    ("destinationIPv4Address", Leaf("cflow.dstaddr", Addr)),
    ("sourceIPv6Address", Leaf("cflow.srcaddrv6", Addr)),
    ("destinationIPv6Address", Leaf("cflow.dstaddrv6", Addr)),
    ("ipNextHopIPv4Address", Leaf("cflow.nexthop", Addr)),
    ("ipNextHopIPv6Address", Leaf("cflow.nexthopv6", Addr)),
    ("bgpNextHopIPv4Address", Leaf("cflow.bgpnexthop", Addr)),
    ("bgpNextHopIPv6Address", Leaf("cflow.bgpnexthopv6", Addr)),
    ("mplsTopLabelIPv4Address", Leaf("cflow.toplabeladdr", Addr)),
    (
        "mplsTopLabelIPv6Address",
        Leaf("cflow.toplabeladdr_v6", Addr),
    ),
    ("octetDeltaCount", Leaf("cflow.octets", Dec)),
    ("packetDeltaCount", Leaf("cflow.packets", Dec)),
    ("protocolIdentifier", Leaf("cflow.protocol", Dec)),
    ("sourceTransportPort", Leaf("cflow.srcport", Dec)),
    ("destinationTransportPort", Leaf("cflow.dstport", Dec)),
    ("ipClassOfService", Leaf("cflow.tos", Hex)),
    ("tcpControlBits", Leaf("cflow.tcpflags", Hex)),
    ("icmpTypeCodeIPv4", Leaf("cflow.icmp_type_code_ipv4", Hex)),
    ("icmpTypeCodeIPv6", IcmpV6),
    ("ingressInterface", Leaf("cflow.inputint", Dec)),
    ("egressInterface", Leaf("cflow.outputint", Dec)),
    ("vlanId", Leaf("cflow.vlanid", Dec)),
    ("sourceIPv4PrefixLength", Leaf("cflow.srcmask", Dec)),
    ("destinationIPv4PrefixLength", Leaf("cflow.dstmask", Dec)),
    ("sourceIPv6PrefixLength", Leaf("cflow.srcmaskv6", Dec)),
    ("destinationIPv6PrefixLength", Leaf("cflow.dstmaskv6", Dec)),
    ("bgpSourceAsNumber", Leaf("cflow.srcas", Dec)),
    ("bgpDestinationAsNumber", Leaf("cflow.dstas", Dec)),
    ("minimumTTL", Leaf("cflow.ttl_min", Dec)),
    ("maximumTTL", Leaf("cflow.ttl_max", Dec)),
    ("flowEndReason", Leaf("cflow.flow_end_reason", Dec)),
    ("ipVersion", Leaf("cflow.ip_version", Dec)),
    ("flowDirection", Leaf("cflow.direction", Dec)),
    ("dot1qVlanId", Leaf("cflow.dot1q_vlan_id", Dec)),
    (
        "dot1qCustomerVlanId",
        Leaf("cflow.dot1q_customer_vlan_id", Dec),
    ),
    ("fragmentIdentification", Leaf("cflow.frag_ident", Dec)),
    ("ipv6ExtensionHeaders", Leaf("cflow.ipv6_exthdr", Hex)),
    ("flowLabelIPv6", Leaf("cflow.ipv6flowlabel", Dec)),
    (
        "mplsTopLabelPrefixLength",
        Leaf("cflow.mpls_top_label_prefix_length", Dec),
    ),
    ("mplsTopLabelType", Leaf("cflow.toplabeltype", Dec)),
    ("ingressVRFID", Leaf("cflow.ingress_vrfid", Dec)),
    ("egressVRFID", Leaf("cflow.egress_vrfid", Dec)),
    ("forwardingStatus", Forwarding),
    ("samplerId", SamplerId),
    ("mplsTopLabelStackSection", Mpls(1)),
    ("mplsLabelStackSection2", Mpls(2)),
    ("mplsLabelStackSection3", Mpls(3)),
    ("mplsLabelStackSection4", Mpls(4)),
    ("mplsLabelStackSection5", Mpls(5)),
    ("mplsLabelStackSection6", Mpls(6)),
    ("flowStartSysUpTime", Leaf("cflow.timestart", Millis)),
    ("flowEndSysUpTime", Leaf("cflow.timeend", Millis)),
    (
        "flowStartMilliseconds",
        Time("cflow.abstimestart", "cflow.timestart"),
    ),
    (
        "flowEndMilliseconds",
        Time("cflow.abstimeend", "cflow.timeend"),
    ),
    // softflowd's options records.
    ("meteringProcessId", Leaf("cflow.mp_id", Dec)),
    (
        "systemInitTimeMilliseconds",
        Leaf("cflow.sys_init_time", AbsTime),
    ),
    (
        "samplingPacketInterval",
        Leaf("cflow.sampling_packet_interval", Dec),
    ),
    (
        "samplingPacketSpace",
        Leaf("cflow.sampling_packet_space", Dec),
    ),
    ("selectorAlgorithm", Leaf("cflow.selector_algorithm", Dec)),
    ("interfaceName", Leaf("cflow.if_name", Text)),
    ("samplingInterval", Leaf("cflow.sampling_interval", Dec)),
    ("samplingAlgorithm", Leaf("cflow.sampling_algorithm", Dec)),
];

/// NetFlow v5 records: the sampling fields the translator adds come from the header.
const V5_HEADER_FIELDS: &[(&str, Src)] = &[
    ("samplingInterval", Header("cflow.samplerate", Dec)),
    ("samplingAlgorithm", Header("cflow.samplingmode", Dec)),
];

/// cflow fields of a record that no entry of [`FIELDS`] reads, because tshark derives them
/// from fields that are compared (or they are no value).
const TSHARK_ONLY: &[&str] = &[
    "cflow.timedelta", // end − start
    "cflow.tcpflags.reserved",
    "cflow.tcpflags.urg",
    "cflow.tcpflags.ack",
    "cflow.tcpflags.psh",
    "cflow.tcpflags.rst",
    "cflow.tcpflags.syn",
    "cflow.tcpflags.fin",
    "cflow.tcpflags.cwr",
    "cflow.tcpflags.ece",
    "cflow.tcpflags.ns",
    "cflow.padding", // v5's pad octets
];

/// softflowd's options record scope in v9 (RFC 3954 §6.1 scope type 2, Interface): tshark
/// names it cflow.scope_interface, the translator ingressInterface (the IE of the same
/// meaning).
const SCOPE_INTERFACE: &str = "cflow.scope_interface";

/// One record as tshark decodes it.
#[derive(Debug)]
struct TRecord {
    /// The cflow fields, by name (MPLS label subtrees as `mplsN`), in order.
    leaves: Vec<(String, String)>,
    /// The packet header's fields.
    header: BTreeMap<String, String>,
    version: u16,
}

impl TRecord {
    fn leaf(&self, name: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One capture's reading by tshark.
struct TCapture {
    records: Vec<TRecord>,
    /// Per packet: its header, and the exporter (ip.src, udp.srcport).
    packets: Vec<(BTreeMap<String, String>, String, String)>,
}

/// Flattens a record's subtree into leaves: `MPLS-LabelN: ...` subtrees become one leaf
/// `mplsN` (the label stack entry's 3 octets, hex); arrays (repeated keys) each element.
fn flatten(key: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let Some(n) = key
                .strip_prefix("MPLS-Label")
                .and_then(|r| r.split(':').next())
            {
                let num = |k: &str| -> u32 {
                    m.get(k)
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or_else(|| panic!("{key}: no {k}: {v}"))
                };
                let entry = num("cflow.mpls_label") << 4
                    | num("cflow.mpls_exp") << 1
                    | num("cflow.mpls_bos");
                out.push((format!("mpls{n}"), format!("{entry:06x}")));
                return;
            }
            for (k, v) in m {
                flatten(k, v, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                flatten(key, v, out);
            }
        }
        Value::String(s) => out.push((key.to_string(), s.clone())),
        Value::Null => out.push((key.to_string(), String::new())),
        other => out.push((key.to_string(), other.to_string())),
    }
}

/// `v` as a list of values (a repeated key is an array under --no-duplicate-keys).
fn each(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    }
}

fn tshark_read(tshark: &Path, cap: &Path, port: u16) -> TCapture {
    let mut cmd = Command::new(tshark);
    cmd.arg("-r")
        .arg(cap)
        .args(["-d", &format!("udp.port=={port},cflow")])
        .args(["-T", "json", "--no-duplicate-keys"]);
    let text = peers::run_ok(&mut cmd, Duration::from_secs(60));
    let packets: Vec<Value> = serde_json::from_str(&text).expect("tshark -T json");
    let mut out = TCapture {
        records: Vec::new(),
        packets: Vec::new(),
    };
    for p in &packets {
        let layers = &p["_source"]["layers"];
        let src = |l: &str, f: &str| layers[l][f].as_str().unwrap_or_default().to_string();
        let Some(cflow) = layers.get("cflow") else {
            continue;
        };
        for pdu in each(cflow) {
            let Value::Object(pdu) = pdu else { continue };
            let mut header = BTreeMap::new();
            let mut sets = Vec::new();
            for (k, v) in pdu {
                match v {
                    Value::String(s) => {
                        header.insert(k.clone(), s.clone());
                    }
                    Value::Object(m) if k.ends_with("_tree") => {
                        for (k, v) in m {
                            if let Some(s) = v.as_str() {
                                header.insert(k.clone(), s.to_string());
                            }
                        }
                    }
                    _ => sets.push((k.clone(), v.clone())),
                }
            }
            let version: u16 = header["cflow.version"].parse().unwrap();
            for (k, v) in sets {
                for v in each(&v) {
                    let Value::Object(set) = v else { continue };
                    // v5: "pdu 1/12" are the records; v9/IPFIX: "Flow N" in a set.
                    let flows: Vec<&Value> = if k.starts_with("pdu ") {
                        vec![v]
                    } else {
                        set.iter()
                            .filter(|(k, _)| k.starts_with("Flow "))
                            .flat_map(|(_, v)| each(v))
                            .collect()
                    };
                    for f in flows {
                        let mut leaves = Vec::new();
                        flatten("", f, &mut leaves);
                        out.records.push(TRecord {
                            leaves,
                            header: header.clone(),
                            version,
                        });
                    }
                }
            }
            out.packets
                .push((header, src("ip", "ip.src"), src("udp", "udp.srcport")));
        }
    }
    out
}

/// Days since 1970-01-01 of a civil date.
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = y - (m <= 2) as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Nanoseconds since 1970 of `2023-11-14T22:13:22.030Z` (ours) or `Nov 14, 2023
/// 22:13:22.030000000 UTC` (tshark).
fn epoch_ns(s: &str) -> i128 {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (date, frac) = match s.split_once('.') {
        Some((d, f)) => (d, f.trim_end_matches(|c: char| !c.is_ascii_digit())),
        None => (s.trim_end_matches(['Z', ' ', 'U', 'T', 'C']), ""),
    };
    let parts: Vec<&str> = date
        .split(|c: char| !c.is_ascii_alphanumeric() || c == 'T')
        .filter(|p| !p.is_empty())
        .collect();
    let n = |p: &str| p.parse::<i64>().unwrap_or_else(|_| panic!("time {s:?}"));
    let (y, m, d, rest) = match MONTHS.iter().position(|&m| m == parts[0]) {
        Some(m) => (n(parts[2]), m as i64 + 1, n(parts[1]), &parts[3..]),
        None => (n(parts[0]), n(parts[1]), n(parts[2]), &parts[3..]),
    };
    assert!(rest.len() == 3, "time {s:?}");
    let secs = days(y, m, d) * 86400 + n(rest[0]) * 3600 + n(rest[1]) * 60 + n(rest[2]);
    let ns = format!("{frac:0<9}")[..9].parse::<i128>().unwrap();
    secs as i128 * 1_000_000_000 + ns
}

/// Milliseconds of tshark's `328867.554000000`.
fn millis(s: &str) -> i64 {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    secs.parse::<i64>().unwrap() * 1000 + format!("{frac:0<3}")[..3].parse::<i64>().unwrap()
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("hex {s:?}"))
}

/// Our value of `ie` in the form its tshark text is normalised to.
fn our_text(v: &Value, norm: Option<Norm>) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    match norm {
        Some(Addr) => s.parse::<IpAddr>().map_or(s, |a| a.to_string()),
        Some(AbsTime) => epoch_ns(&s).to_string(),
        Some(Text) => s.trim_end_matches('\0').to_string(),
        _ => s,
    }
}

fn their_text(s: &str, norm: Norm) -> String {
    match norm {
        Dec => s.to_string(),
        Hex => hex(s).to_string(),
        Addr => s.parse::<IpAddr>().map_or(s.to_string(), |a| a.to_string()),
        AbsTime => epoch_ns(s).to_string(),
        Millis => millis(s).to_string(),
        Text => s.to_string(),
    }
}

/// The header's export time, ms since 1970.
fn export_ms(h: &BTreeMap<String, String>) -> i64 {
    let secs = |k: &str| h.get(k).map(|s| s.parse::<i64>().unwrap());
    let s = secs("cflow.exporttime")
        .or(secs("cflow.unix_secs"))
        .expect("an export time");
    s * 1000 + secs("cflow.unix_nsecs").unwrap_or(0) / 1_000_000
}

/// sysUpTime − uptime as RFC 3954 means it: the 32-bit difference, signed, nearest zero.
fn since(sysuptime_ms: i64, uptime_ms: i64) -> i64 {
    (sysuptime_ms - uptime_ms).rem_euclid(1 << 32) as u32 as i32 as i64
}

/// A record as compared: IE name -> normalised value.
type View = BTreeMap<String, String>;

/// tshark's record as the fields of `keys` (ours), normalised; and the cflow fields no
/// entry read.
fn their_view(t: &TRecord, keys: &[&str]) -> (View, Vec<String>) {
    let mut used: Vec<String> = TSHARK_ONLY.iter().map(|s| s.to_string()).collect();
    let mut view = View::new();
    for &ie in keys {
        let src = if t.version == 5 {
            V5_HEADER_FIELDS.iter().chain(FIELDS)
        } else {
            [].iter().chain(FIELDS)
        }
        .find(|(k, _)| *k == ie)
        .map(|(_, s)| *s);
        let mut get = |name: &str| {
            used.push(name.to_string());
            t.leaf(name).map(str::to_string)
        };
        let value = match src {
            None => Some(format!("<no entry in FIELDS for {ie}>")),
            Some(Leaf(name, norm)) => {
                let mut v = get(name);
                if v.is_none() && ie == "ingressInterface" {
                    v = get(SCOPE_INTERFACE);
                }
                v.map(|s| their_text(&s, norm))
            }
            Some(Header(name, norm)) => t.header.get(name).map(|s| their_text(s, norm)),
            Some(Mpls(n)) => get(&format!("mpls{n}")),
            Some(IcmpV6) => match (get("cflow.icmp_ipv6_type"), get("cflow.icmp_ipv6_code")) {
                (Some(a), Some(b)) => {
                    Some((a.parse::<u64>().unwrap() << 8 | b.parse::<u64>().unwrap()).to_string())
                }
                _ => None,
            },
            Some(Forwarding) => match (
                get("cflow.forwarding_status"),
                get("cflow.forwarding_status_forward_code"),
            ) {
                (Some(a), code) => {
                    let code = code.map_or(0, |c| c.parse::<u64>().unwrap());
                    Some((a.parse::<u64>().unwrap() << 6 | code).to_string())
                }
                _ => None,
            },
            Some(SamplerId) => get("cflow.sampler_id"),
            Some(Time(abs, up)) => match get(abs) {
                Some(a) => Some(epoch_ns(&a).to_string()),
                None => get(up).map(|u| {
                    let sys = millis(&t.header["cflow.sysuptime"]);
                    let ms = export_ms(&t.header) - since(sys, millis(&u));
                    (ms as i128 * 1_000_000).to_string()
                }),
            },
        };
        view.insert(
            ie.to_string(),
            value.unwrap_or_else(|| "<tshark has no such field>".into()),
        );
    }
    let unread = t
        .leaves
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !used.contains(k))
        .cloned()
        .collect();
    (view, unread)
}

fn our_view(m: &Map<String, Value>, version: u16) -> View {
    m.iter()
        .filter(|(k, _)| !k.starts_with('@'))
        .map(|(k, v)| {
            let src = if version == 5 {
                V5_HEADER_FIELDS.iter().chain(FIELDS)
            } else {
                [].iter().chain(FIELDS)
            }
            .find(|(ie, _)| ie == k)
            .map(|(_, s)| *s);
            let text = match src {
                Some(Leaf(_, n) | Header(_, n)) => our_text(v, Some(n)),
                Some(Time(..)) => our_text(v, Some(AbsTime)),
                Some(SamplerId) => match v {
                    // Longer than its type: hex octets (see the module doc).
                    Value::String(s) => hex(s).to_string(),
                    v => v.to_string(),
                },
                _ => our_text(v, None),
            };
            (k.clone(), text)
        })
        .collect()
}

/// What one capture gave: records compared, fields compared, problems.
struct Outcome {
    records: usize,
    fields: usize,
    problems: Vec<String>,
}

fn compare_capture(
    tshark: &Path,
    cap: &Path,
    name: &str,
    port: u16,
    want_stderr: &[&str],
) -> Outcome {
    let theirs = tshark_read(tshark, cap, port);
    let mut cmd = Command::new(peers::IPFIXKIT);
    cmd.args(["pcap2ipfix", "--extract", "-f", "json"]).arg(cap);
    let out = peers::run(&mut cmd, peers::QUICK);
    let mut problems = Vec::new();
    // Warnings are allowed only where the module doc says why.
    let stderr: Vec<&str> = out.stderr.lines().collect();
    let expected = |l: &str| want_stderr.iter().any(|w| l.contains(w));
    if !out.status.success() || stderr.iter().any(|l| !expected(l)) {
        problems.push(format!("{name}: ipfixkit: {}\n{}", out.status, out.stderr));
    }
    for w in want_stderr {
        if !out.stderr.contains(w) {
            problems.push(format!(
                "{name}: ipfixkit did not warn {w:?}:\n{}",
                out.stderr
            ));
        }
    }
    let version = theirs.records.first().map_or(10, |r| r.version);
    let mut ours = Vec::new();
    let mut exporters = 0;
    let mut inits = 0;
    for line in out.stdout.lines() {
        let Value::Object(m) = serde_json::from_str::<Value>(line).expect("JSON lines") else {
            panic!("{name}: not an object: {line}");
        };
        if m.contains_key("@fields") {
            continue;
        }
        let keys: Vec<&str> = m
            .keys()
            .filter(|k| !k.starts_with('@'))
            .map(|k| k.as_str())
            .collect();
        if m.contains_key("exporterTransportPort") {
            // ipfixkit's exporter record: its exporter must be one tshark saw send.
            exporters += 1;
            let addr = our_text(&m["exporterIPv4Address"], Some(Addr));
            let port = m["exporterTransportPort"].to_string();
            if !theirs
                .packets
                .iter()
                .any(|(_, a, p)| *a == addr && *p == port)
            {
                problems.push(format!(
                    "{name}: exporter record {addr}:{port}: tshark saw no packet from it"
                ));
            }
            continue;
        }
        if version != 10 && keys == ["observationDomainId", "systemInitTimeMilliseconds"] {
            // The translator's boot time record: export time − sysUpTime of a packet of
            // that Source ID (v9) or engine (v5), sent at @export_time.
            inits += 1;
            let init = epoch_ns(m["systemInitTimeMilliseconds"].as_str().unwrap());
            let export = epoch_ns(m["@export_time"].as_str().unwrap());
            let found = theirs.packets.iter().any(|(h, _, _)| {
                let e = export_ms(h);
                let boot = e - millis(&h["cflow.sysuptime"]);
                boot as i128 * 1_000_000 == init && (e / 1000) as i128 == export / 1_000_000_000
            });
            if !found {
                problems.push(format!(
                    "{name}: {line}: no packet header of tshark's gives that boot time"
                ));
            }
            continue;
        }
        ours.push(m);
    }
    if ours.len() != theirs.records.len() {
        problems.push(format!(
            "{name}: ipfixkit has {} records, tshark {}",
            ours.len(),
            theirs.records.len()
        ));
    }
    // Each record of ours as text, and tshark's of the same fields; as sorted multisets.
    let mut fields = 0;
    let mut mine: Vec<String> = Vec::new();
    for m in &ours {
        let mut v = our_view(m, version);
        let t = epoch_ns(m["@export_time"].as_str().unwrap()) / 1_000_000_000;
        v.insert("@export_time".into(), t.to_string());
        fields += v.len();
        mine.push(serde_json::to_string(&v).unwrap());
    }
    let layouts: Vec<Vec<&str>> = {
        let mut l: Vec<Vec<&str>> = ours
            .iter()
            .map(|m| {
                m.keys()
                    .filter(|k| !k.starts_with('@'))
                    .map(|k| k.as_str())
                    .collect()
            })
            .collect();
        l.sort();
        l.dedup();
        l
    };
    let mut theirs_text: Vec<String> = Vec::new();
    for t in &theirs.records {
        // tshark's record read as each layout (IE names) of ours: the one that finds every
        // IE and leaves no cflow field unread is its layout.
        let best = layouts
            .iter()
            .map(|keys| their_view(t, keys))
            .find(|(v, unread)| unread.is_empty() && v.values().all(|s| !s.starts_with('<')));
        match best {
            Some((mut v, _)) => {
                v.insert(
                    "@export_time".into(),
                    (export_ms(&t.header) / 1000).to_string(),
                );
                theirs_text.push(serde_json::to_string(&v).unwrap());
            }
            None => {
                let (v, unread) = their_view(t, layouts.first().map_or(&[][..], |l| &l[..]));
                problems.push(format!(
                    "{name}: tshark's record {:?} fits no layout of ours (unread {unread:?}; {v:?})",
                    t.leaves
                ));
            }
        }
    }
    mine.sort();
    theirs_text.sort();
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        let mut b = b.to_vec();
        a.iter()
            .filter(|x| match b.iter().position(|y| y == *x) {
                Some(i) => {
                    b.remove(i);
                    false
                }
                None => true,
            })
            .cloned()
            .collect()
    };
    for r in only(&mine, &theirs_text) {
        problems.push(format!("{name}: only ipfixkit has {r}"));
    }
    for r in only(&theirs_text, &mine) {
        problems.push(format!("{name}: only tshark has {r}"));
    }
    assert!(exporters > 0, "{name}: no exporter record");
    println!(
        "interop: {name}: {} records ({exporters} exporter records, {inits} boot time records \
         checked apart), {fields} fields compared with tshark; {} problems",
        ours.len(),
        problems.len()
    );
    Outcome {
        records: ours.len(),
        fields,
        problems,
    }
}

/// The UDP port the export packets of a capture go to.
fn dst_port(tshark: &Path, cap: &Path) -> u16 {
    let mut cmd = Command::new(tshark);
    cmd.arg("-r")
        .arg(cap)
        .args(["-T", "fields", "-e", "udp.dstport"]);
    let text = peers::run_ok(&mut cmd, peers::QUICK);
    let ports: std::collections::BTreeSet<&str> = text.lines().collect();
    assert_eq!(ports.len(), 1, "{}: ports {ports:?}", cap.display());
    ports.first().unwrap().parse().unwrap()
}

fn softflowd_capture(dir: &Path, version: u16) -> PathBuf {
    let out = dir.join(format!("softflowd-v{version}.pcap"));
    let mut cmd = Command::new("bash");
    cmd.arg(peers::script("softflowd_export_capture.sh"))
        .arg(peers::root().join("testdata/interop/test.pcap"))
        .arg(&out)
        .arg(version.to_string())
        .env("TMPDIR", dir);
    peers::run_ok(&mut cmd, peers::SOFTFLOWD);
    out
}

#[test]
fn extract_gives_every_field_tshark_decodes() {
    let mut found = BTreeMap::new();
    for tool in ["tshark", "capinfos", "softflowd", "softflowctl"] {
        match peers::find_tool(tool) {
            Some(p) => {
                found.insert(tool, p);
            }
            None => peers::missing(tool),
        }
    }
    if found.len() < 4 {
        return;
    }
    let tshark = &found["tshark"];
    let dir = tempfile::tempdir().unwrap();
    let mut caps: Vec<(String, PathBuf, Vec<&str>)> = Vec::new();
    for s in ["pmacct-100-ipfix-cisco.pcap", "pmacct-101-nfv9-cisco.pcap"] {
        let warn: Vec<&str> = if s.contains("nfv9") {
            vec!["(samplerId) has length 2, which unsigned8 does not allow"]
        } else {
            vec![]
        };
        caps.push((
            s.to_string(),
            peers::root().join("testdata/samples").join(s),
            warn,
        ));
    }
    for v in [10, 9, 5] {
        let warn: Vec<&str> = if v == 9 {
            vec!["the packet header counts 14 records, the packet has 20"]
        } else {
            vec![]
        };
        caps.push((
            format!("softflowd v{v}"),
            softflowd_capture(dir.path(), v),
            warn,
        ));
    }
    let mut problems = Vec::new();
    for (name, cap, warn) in &caps {
        let port = dst_port(tshark, cap);
        let o = compare_capture(tshark, cap, name, port, warn);
        assert!(o.records > 0 && o.fields > 0, "{name}: nothing compared");
        problems.extend(o.problems);
    }
    assert!(
        problems.is_empty(),
        "ipfixkit and tshark disagree ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn time_texts_read_alike() {
    assert_eq!(
        epoch_ns("Nov 14, 2023 22:13:22.030000000 UTC"),
        epoch_ns("2023-11-14T22:13:22.030Z")
    );
    assert_eq!(
        epoch_ns("Dec  3, 2026 06:46:48.362000000 UTC"),
        1_796_280_408_362_000_000
    );
    assert_eq!(epoch_ns("1970-01-01T00:00:01Z"), 1_000_000_000);
    assert_eq!(millis("328867.554000000"), 328_867_554);
    // 214 ms of uptime at export, a flow first seen at 2503836704 ms (wrapped).
    assert_eq!(since(214, 2_503_836_704), 1_791_130_806);
    assert_eq!(since(2_000, 1_000), 1_000);
}

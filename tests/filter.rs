//! `ipfixkit filter` end to end. Every expression's count is checked three ways: the number in
//! the table, an independent predicate over the records as `cat -f json` prints them, and
//! `--invert` giving the rest.

mod common;
use common::{Workdir, testdata};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

type Pred = fn(&Value) -> bool;

fn s<'a>(r: &'a Value, k: &str) -> Option<&'a str> {
    r.get(k).and_then(Value::as_str)
}
fn u(r: &Value, k: &str) -> Option<u64> {
    r.get(k).and_then(Value::as_u64)
}
fn v4(r: &Value, k: &str) -> Option<u32> {
    s(r, k)
        .and_then(|a| a.parse::<std::net::Ipv4Addr>().ok())
        .map(u32::from)
}
fn v6(r: &Value, k: &str) -> Option<u128> {
    s(r, k)
        .and_then(|a| a.parse::<std::net::Ipv6Addr>().ok())
        .map(u128::from)
}
fn in4(r: &Value, k: &str, net: &str, len: u32) -> bool {
    let n = u32::from(net.parse::<std::net::Ipv4Addr>().unwrap());
    let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    v4(r, k).is_some_and(|a| a & m == n & m)
}
fn in6(r: &Value, k: &str, net: &str, len: u32) -> bool {
    let n = u128::from(net.parse::<std::net::Ipv6Addr>().unwrap());
    let m = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    v6(r, k).is_some_and(|a| a & m == n & m)
}
/// RFC 3339 text of the fixture's times compares like the instants (same zone, fixed width).
fn t(r: &Value, k: &str) -> Option<String> {
    s(r, k).map(String::from)
}
fn port(r: &Value, p: u64) -> bool {
    u(r, "sourceTransportPort") == Some(p) || u(r, "destinationTransportPort") == Some(p)
}

/// (expression, expected count on the fixture, independent predicate)
fn cases() -> Vec<(&'static str, u64, Pred)> {
    vec![
        ("proto tcp", 4, |r| u(r, "protocolIdentifier") == Some(6)),
        ("proto udp", 2, |r| u(r, "protocolIdentifier") == Some(17)),
        ("proto icmp", 1, |r| u(r, "protocolIdentifier") == Some(1)),
        ("proto icmp6", 1, |r| u(r, "protocolIdentifier") == Some(58)),
        ("proto 6", 4, |r| u(r, "protocolIdentifier") == Some(6)),
        ("proto tcp or proto udp", 6, |r| {
            matches!(u(r, "protocolIdentifier"), Some(6 | 17))
        }),
        ("src ip 10.0.0.1", 1, |r| {
            s(r, "sourceIPv4Address") == Some("10.0.0.1")
        }),
        ("dst ip 10.0.0.1", 1, |r| {
            s(r, "destinationIPv4Address") == Some("10.0.0.1")
        }),
        ("ip 10.0.0.1", 2, |r| {
            s(r, "sourceIPv4Address") == Some("10.0.0.1")
                || s(r, "destinationIPv4Address") == Some("10.0.0.1")
        }),
        ("host 192.0.2.1", 2, |r| {
            s(r, "sourceIPv4Address") == Some("192.0.2.1")
                || s(r, "destinationIPv4Address") == Some("192.0.2.1")
        }),
        ("src ip 2001:db8::1", 1, |r| {
            s(r, "sourceIPv6Address") == Some("2001:db8::1")
        }),
        ("src port 443", 2, |r| {
            u(r, "sourceTransportPort") == Some(443)
        }),
        ("dst port 443", 1, |r| {
            u(r, "destinationTransportPort") == Some(443)
        }),
        ("port 443", 3, |r| port(r, 443)),
        ("port 53", 2, |r| port(r, 53)),
        ("port in [0]", 2, |r| port(r, 0)),
        ("src net 10.0.0.0/8", 3, |r| {
            in4(r, "sourceIPv4Address", "10.0.0.0", 8)
        }),
        ("dst net 10.0.0.0/8", 2, |r| {
            in4(r, "destinationIPv4Address", "10.0.0.0", 8)
        }),
        ("net 10.0.0.0/8", 4, |r| {
            in4(r, "sourceIPv4Address", "10.0.0.0", 8)
                || in4(r, "destinationIPv4Address", "10.0.0.0", 8)
        }),
        ("net 2001:db8::/32", 2, |r| {
            in6(r, "sourceIPv6Address", "2001:db8::", 32)
                || in6(r, "destinationIPv6Address", "2001:db8::", 32)
        }),
        ("src net 2001:db8::/48", 1, |r| {
            in6(r, "sourceIPv6Address", "2001:db8::", 48)
        }),
        ("sourceIPv4Address in 192.0.2.0/24", 1, |r| {
            in4(r, "sourceIPv4Address", "192.0.2.0", 24)
        }),
        ("destinationIPv4Address in 192.0.2.0/25", 2, |r| {
            in4(r, "destinationIPv4Address", "192.0.2.0", 25)
        }),
        ("sourceIPv4Address in 0.0.0.0/0", 5, |r| {
            r.get("sourceIPv4Address").is_some()
        }),
        ("sourceIPv6Address in fe80::/10", 1, |r| {
            in6(r, "sourceIPv6Address", "fe80::", 10)
        }),
        ("destinationTransportPort in [53, 443, 8080]", 4, |r| {
            matches!(u(r, "destinationTransportPort"), Some(53 | 443 | 8080))
        }),
        ("destinationTransportPort in [53 443]", 3, |r| {
            matches!(u(r, "destinationTransportPort"), Some(53 | 443))
        }),
        ("octetDeltaCount > 1000000", 5, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v > 1_000_000)
        }),
        ("octetDeltaCount > 9223372036854775807", 2, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v > i64::MAX as u64)
        }),
        ("octetDeltaCount >= 9223372036854775807", 3, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v >= i64::MAX as u64)
        }),
        ("octetDeltaCount == 18446744073709551615", 1, |r| {
            u(r, "octetDeltaCount") == Some(u64::MAX)
        }),
        ("octetDeltaCount < 100", 2, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v < 100)
        }),
        ("octetDeltaCount <= 120 and octetDeltaCount != 84", 2, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v <= 120 && v != 84)
        }),
        ("octetDeltaCount = 4294967295", 1, |r| {
            u(r, "octetDeltaCount") == Some(4294967295)
        }),
        ("flowStartSeconds >= 2024-05-01T00:00:00Z", 4, |r| {
            t(r, "flowStartSeconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:00Z")
        }),
        ("flowStartSeconds >= 1714521600", 4, |r| {
            t(r, "flowStartSeconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:00Z")
        }),
        ("flowStartMilliseconds > 2024-05-01T00:00:00Z", 3, |r| {
            t(r, "flowStartMilliseconds").is_some_and(|x| x.as_str() > "2024-05-01T00:00:00.000Z")
        }),
        (
            "flowStartMilliseconds < 2024-05-01T02:00:00+02:00",
            1,
            |r| {
                t(r, "flowStartMilliseconds")
                    .is_some_and(|x| x.as_str() < "2024-05-01T00:00:00.000Z")
            },
        ),
        ("flowStartMilliseconds >= 1714521600000", 4, |r| {
            t(r, "flowStartMilliseconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:00.000Z")
        }),
        ("flowStartMicroseconds > 2024-05-01T00:00:00.1Z", 3, |r| {
            t(r, "flowStartMicroseconds")
                .is_some_and(|x| x.as_str() > "2024-05-01T00:00:00.100000Z")
        }),
        (
            "flowStartMicroseconds == 2024-05-01T00:00:00.100001Z",
            1,
            |r| t(r, "flowStartMicroseconds").as_deref() == Some("2024-05-01T00:00:00.100001Z"),
        ),
        (
            "flowStartNanoseconds < 2024-05-01T00:00:00.100000001Z",
            2,
            |r| {
                t(r, "flowStartNanoseconds")
                    .is_some_and(|x| x.as_str() < "2024-05-01T00:00:00.100000001Z")
            },
        ),
        (
            "flowStartNanoseconds == 2024-05-01T00:00:00.100000001Z",
            1,
            |r| t(r, "flowStartNanoseconds").as_deref() == Some("2024-05-01T00:00:00.100000001Z"),
        ),
        ("flowEndMilliseconds >= 2024-05-01T00:00:19Z", 2, |r| {
            t(r, "flowEndMilliseconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:19.000Z")
        }),
        ("applicationName == \"http\"", 1, |r| {
            s(r, "applicationName") == Some("http")
        }),
        ("applicationName == dns", 1, |r| {
            s(r, "applicationName") == Some("dns")
        }),
        ("applicationName ~ \"^ht\"", 2, |r| {
            s(r, "applicationName").is_some_and(|a| a.starts_with("ht"))
        }),
        ("applicationName ~ \"(?i)^http\"", 3, |r| {
            s(r, "applicationName").is_some_and(|a| a.to_lowercase().starts_with("http"))
        }),
        ("applicationName == \"\"", 1, |r| {
            s(r, "applicationName") == Some("")
        }),
        ("exists(applicationName)", 5, |r| {
            r.get("applicationName").is_some()
        }),
        ("exists(sourceIPv6Address)", 3, |r| {
            r.get("sourceIPv6Address").is_some()
        }),
        ("not exists(sourceIPv6Address)", 5, |r| {
            r.get("sourceIPv6Address").is_none()
        }),
        ("sourceIPv6Address == 2001:db8::1", 1, |r| {
            s(r, "sourceIPv6Address") == Some("2001:db8::1")
        }),
        ("sourceIPv6Address != 2001:db8::1", 2, |r| {
            s(r, "sourceIPv6Address").is_some_and(|a| a != "2001:db8::1")
        }),
        ("not sourceIPv6Address == 2001:db8::1", 7, |r| {
            s(r, "sourceIPv6Address") != Some("2001:db8::1")
        }),
        ("sourceMacAddress == 02:00:5e:10:00:03", 1, |r| {
            s(r, "sourceMacAddress") == Some("02:00:5e:10:00:03")
        }),
        ("sourceMacAddress > 02:00:5e:10:00:03", 2, |r| {
            s(r, "sourceMacAddress").is_some_and(|m| m > "02:00:5e:10:00:03")
        }),
        ("tcpControlBits == 18", 1, |r| {
            u(r, "tcpControlBits") == Some(18)
        }),
        (
            "(proto tcp and port 443) || (proto udp && port 53)",
            5,
            |r| {
                let p = u(r, "protocolIdentifier");
                (p == Some(6) && port(r, 443)) || (p == Some(17) && port(r, 53))
            },
        ),
        ("!(proto tcp) and !proto udp", 2, |r| {
            !matches!(u(r, "protocolIdentifier"), Some(6 | 17))
        }),
        (
            "packetDeltaCount > 5 and not src net 172.16.0.0/12",
            2,
            |r| {
                u(r, "packetDeltaCount").is_some_and(|p| p > 5)
                    && !in4(r, "sourceIPv4Address", "172.16.0.0", 12)
            },
        ),
        ("exportedFlowRecordTotalCount == 3", 0, |r| {
            r.get("@scope").is_none() && u(r, "exportedFlowRecordTotalCount") == Some(3)
        }),
        ("en0:id7 == 443 OR en0:id11 == 443", 3, |r| port(r, 443)),
        // nfdump shorthands (issue 8).
        ("port 53-80", 2, |r| port_in(r, 53, 80)),
        ("port in [53..80, 443]", 5, |r| {
            port_in(r, 53, 80) || port(r, 443)
        }),
        ("port in [53 .. 80]", 2, |r| port_in(r, 53, 80)),
        ("src port 0-1023", 4, |r| {
            u(r, "sourceTransportPort").is_some_and(|p| p <= 1023)
        }),
        ("dst port > 1023", 3, |r| {
            u(r, "destinationTransportPort").is_some_and(|p| p > 1023)
        }),
        ("src port < 1024", 4, |r| {
            u(r, "sourceTransportPort").is_some_and(|p| p < 1024)
        }),
        ("port >= 50000", 2, |r| {
            u(r, "sourceTransportPort").is_some_and(|p| p >= 50000)
                || u(r, "destinationTransportPort").is_some_and(|p| p >= 50000)
        }),
        ("ip in [10.0.0.1, 2001:db8::1]", 3, |r| {
            [
                "sourceIPv4Address",
                "destinationIPv4Address",
                "sourceIPv6Address",
                "destinationIPv6Address",
            ]
            .iter()
            .any(|k| matches!(s(r, k), Some("10.0.0.1" | "2001:db8::1")))
        }),
        ("src ip in [10.0.0.1, 192.0.2.0/24]", 2, |r| {
            s(r, "sourceIPv4Address") == Some("10.0.0.1")
                || in4(r, "sourceIPv4Address", "192.0.2.0", 24)
        }),
        ("dst host in [10.0.0.1 10.0.0.2]", 2, |r| {
            matches!(
                s(r, "destinationIPv4Address"),
                Some("10.0.0.1" | "10.0.0.2")
            )
        }),
        ("net in [10.0.0.0/8, fe80::/10]", 6, |r| {
            in4(r, "sourceIPv4Address", "10.0.0.0", 8)
                || in4(r, "destinationIPv4Address", "10.0.0.0", 8)
                || in6(r, "sourceIPv6Address", "fe80::", 10)
                || in6(r, "destinationIPv6Address", "fe80::", 10)
        }),
        ("bytes > 1M", 5, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v > 1_000_000)
        }),
        ("bytes > 1G", 4, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v > 1_000_000_000)
        }),
        ("bytes 84", 1, |r| u(r, "octetDeltaCount") == Some(84)),
        ("octetDeltaCount <= 4k", 3, |r| {
            u(r, "octetDeltaCount").is_some_and(|v| v <= 4000)
        }),
        ("packets >= 1k", 1, |r| {
            u(r, "packetDeltaCount").is_some_and(|v| v >= 1000)
        }),
        ("flags S", 2, |r| flags(r, 0x02)),
        ("flags SA", 1, |r| flags(r, 0x12)),
        ("flags as", 1, |r| flags(r, 0x12)),
        ("flags A and not flags S", 1, |r| {
            flags(r, 0x10) && !flags(r, 0x02)
        }),
        ("tcpControlBits & 0x02", 2, |r| {
            u(r, "tcpControlBits").is_some_and(|v| v & 2 != 0)
        }),
        ("tcpControlBits & 0x18 == 0x18", 1, |r| flags(r, 0x18)),
        ("tcpControlBits & 18 == 2", 1, |r| {
            u(r, "tcpControlBits").is_some_and(|v| v & 18 == 2)
        }),
        // Time literals without a zone are UTC (issue 8).
        ("flowStartSeconds >= 2024-05-01", 4, |r| {
            t(r, "flowStartSeconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:00Z")
        }),
        ("flowStartMilliseconds >= 2024-05-01T00:00:01", 2, |r| {
            t(r, "flowStartMilliseconds").is_some_and(|x| x.as_str() >= "2024-05-01T00:00:01.000Z")
        }),
        (
            "flowStartMilliseconds < \"2024-05-01 00:00:00.5\"",
            3,
            |r| {
                t(r, "flowStartMilliseconds")
                    .is_some_and(|x| x.as_str() < "2024-05-01T00:00:00.500Z")
            },
        ),
        ("flowStartMilliseconds < 2024-05-01 00:00:00.5", 3, |r| {
            t(r, "flowStartMilliseconds").is_some_and(|x| x.as_str() < "2024-05-01T00:00:00.500Z")
        }),
        (
            "flowStartSeconds in [2024-05-01, 2024-05-01 12:00:00]",
            3,
            |r| {
                matches!(
                    s(r, "flowStartSeconds"),
                    Some("2024-05-01T00:00:00Z" | "2024-05-01T12:00:00Z")
                )
            },
        ),
    ]
}

fn port_in(r: &Value, lo: u64, hi: u64) -> bool {
    [
        u(r, "sourceTransportPort"),
        u(r, "destinationTransportPort"),
    ]
    .iter()
    .any(|p| p.is_some_and(|p| (lo..=hi).contains(&p)))
}

/// All of `mask`'s TCP flags are set.
fn flags(r: &Value, mask: u64) -> bool {
    u(r, "tcpControlBits").is_some_and(|v| v & mask == mask)
}

fn fixture(w: &Workdir) -> PathBuf {
    let src = testdata("filter/fixture.jsonl");
    let out = w.path("fixture.ipfix");
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .ok();
    out
}

fn data_records(w: &Workdir, f: &str) -> Vec<Value> {
    w.run(&["cat", "-f", "json", f])
        .ok()
        .out()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r.get("@scope").is_none())
        .collect()
}

#[test]
fn expressions_count_what_they_should() {
    let w = Workdir::new("filter-table");
    let fx = fixture(&w);
    let f = fx.to_str().unwrap();
    let recs = data_records(&w, f);
    assert_eq!(recs.len(), 8);
    let cases = cases();
    assert!(cases.len() >= 40);
    for (expr, want, pred) in cases {
        let independent = recs.iter().filter(|r| pred(r)).count() as u64;
        assert_eq!(
            independent, want,
            "{expr}: the table disagrees with the predicate"
        );
        let got: u64 = w
            .run(&["filter", "--count", expr, f])
            .ok()
            .out()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(got, want, "{expr}");
        let inv: u64 = w
            .run(&["filter", "--count", "--invert", expr, f])
            .ok()
            .out()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(got + inv, recs.len() as u64, "{expr}: invert");
        // The kept records are exactly those the predicate selects, in order.
        let kept: Vec<Value> = w
            .run(&["filter", "-f", "json", expr, f])
            .ok()
            .out()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let want_recs: Vec<&Value> = recs.iter().filter(|r| pred(r)).collect();
        assert_eq!(kept.iter().collect::<Vec<_>>(), want_recs, "{expr}");
    }
}

#[test]
fn malformed_expressions_are_usage_errors() {
    let w = Workdir::new("filter-bad");
    let fx = fixture(&w);
    for (expr, col, msg) in [
        ("octetDeltaCont > 5", 1, "unknown IE name"),
        ("protocolIdentifier == tcp", 23, "not an unsigned integer"),
        (
            "sourceIPv4Address in [10.0.0.1, 2001:db8::1]",
            33,
            "not an IPv4 address",
        ),
        ("(proto tcp", 11, "expected ')'"),
        ("proto tcp port 80", 11, "unexpected \"port\""),
        ("applicationName ~ \"[\"", 19, "bad regular expression"),
        (
            "flowStartMilliseconds > 2024-13-01T00:00:00Z",
            25,
            "not an RFC 3339 time",
        ),
        ("subTemplateList == 1", 20, "structured data"),
        (
            "sourceIPv4Adress == 10.0.0.1",
            1,
            "unknown IE name \"sourceIPv4Adress\"; did you mean sourceIPv4Address?",
        ),
        (
            "exists(reverseOctetDeltaCout)",
            8,
            "did you mean reverseOctetDeltaCount?",
        ),
        ("prot tcp", 1, "did you mean proto?"),
        (
            "flowStartMilliseconds > 1714522200",
            25,
            "flowStartMilliseconds is in milliseconds; did you mean 1714522200000 \
             (2024-05-01T00:10:00.000Z, reading 1714522200 as seconds)?",
        ),
        (
            "flowStartSeconds > 1714522200000",
            20,
            "flowStartSeconds is in seconds; did you mean 1714522200 ",
        ),
        (
            "flowStartNanoseconds < 1714522200",
            24,
            "is in nanoseconds; did you mean 1714522200000000000 ",
        ),
        (
            "flowStartSeconds > 2024-05-01T25:00",
            20,
            "not an RFC 3339 time",
        ),
        ("port 80-53", 6, "port range \"80-53\" is empty"),
        ("port 1-70000", 6, "out of range"),
        ("port in [53 ..]", 16, "a range needs a port after '..'"),
        ("dst port > x", 12, "not an unsigned integer"),
        ("ip in [10.0.0.1, foo]", 18, "\"foo\" is not an IP address"),
        ("ip in []", 9, "empty list"),
        ("flags SQ", 7, "not a set of TCP flags"),
        ("bytes > 1Q", 9, "not an unsigned integer"),
        ("bytes > 99999999999999T", 9, "not an unsigned integer"),
        ("applicationName & 2", 17, "& tests bits of unsigned IEs"),
        ("tcpControlBits & 0xZZ", 18, "not a hex number"),
        ("proto tcp & port 80", 11, "a single '&'"),
        ("(proto tcp & port 80)", 12, "a single '&'"),
    ] {
        let r = w
            .run(&["filter", "--count", expr, fx.to_str().unwrap()])
            .code(2);
        assert!(
            r.stderr.contains(&format!("column {col}: ")) && r.stderr.contains(msg),
            "{expr}: {}",
            r.stderr
        );
        let caret = r.stderr.lines().last().unwrap();
        assert_eq!(
            caret.find('^'),
            Some(col + 1),
            "{expr}: caret under column {col}:\n{}",
            r.stderr
        );
    }
    // Binary output to a terminal is refused; to a pipe it is written.
    let r = w.run(&["filter", "proto tcp", fx.to_str().unwrap()]).ok();
    assert_eq!(&r.stdout[..2], &[0, 10]);
}

#[test]
fn ipfix_output_holds_exactly_the_matches() {
    let w = Workdir::new("filter-ipfix");
    let fx = fixture(&w);
    let samples = [
        fx.to_string_lossy().into_owned(),
        testdata("samples/ipfixcol2-example_flows.ipfix")
            .to_string_lossy()
            .into_owned(),
        testdata("samples/logstash-yaf-biflow-concat.ipfix")
            .to_string_lossy()
            .into_owned(),
        testdata("samples/ipfixcol-03-odid0-a.ipfix")
            .to_string_lossy()
            .into_owned(),
    ];
    for f in &samples {
        let all = data_records(&w, f);
        for expr in [
            "proto tcp",
            "port 53 or port 443",
            "not exists(sourceIPv6Address)",
            "octetDeltaCount > 500",
            "exists(subTemplateMultiList)",
        ] {
            w.run(&["filter", expr, f, "-o", "out.ipfix"]).ok();
            let kept = data_records(&w, w.path("out.ipfix").to_str().unwrap());
            let via_json: Vec<Value> = w
                .run(&["filter", "-f", "json", expr, f])
                .ok()
                .out()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(kept, via_json, "{f}: {expr}");
            let n: usize = w
                .run(&["filter", "--count", expr, f])
                .ok()
                .out()
                .trim()
                .parse()
                .unwrap();
            assert_eq!(kept.len(), n);
            // Options records come along; the output is clean.
            let st = w
                .run(&["cat", "--stats", "-f", "json", "out.ipfix"])
                .ok()
                .out();
            let st: Value = serde_json::from_str(st.trim()).unwrap();
            assert_eq!(
                (st["errors"].as_u64(), st["warnings"].as_u64()),
                (Some(0), Some(0)),
                "{f}: {expr}"
            );
            w.run(&["filter", "--invert", expr, f, "-o", "rest.ipfix"])
                .ok();
            let rest = data_records(&w, w.path("rest.ipfix").to_str().unwrap());
            assert_eq!(kept.len() + rest.len(), all.len(), "{f}: {expr}");
            if let Some(dump) = ipfixdump(w.path("out.ipfix")) {
                assert!(
                    dump.0.is_empty(),
                    "{f}: {expr}: ipfixDump warned: {}",
                    dump.0
                );
                assert_eq!(dump.1, n, "{f}: {expr}: ipfixDump record count");
            }
        }
    }
}

/// ipfixDump's stderr and its number of top-level data records without scope fields (nested
/// list records and options records left out), or None when it is not installed (a failure
/// under CI=true).
fn ipfixdump(p: PathBuf) -> Option<(String, usize)> {
    let Ok(out) = std::process::Command::new("ipfixDump")
        .arg("-d")
        .arg("-i")
        .arg(&p)
        .output()
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("ipfixDump not installed, and CI=true requires every peer");
        }
        println!("SKIP interop: ipfixDump not installed");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let n = text
        .split("\n--- data record")
        .skip(1)
        .filter(|b| !b.contains("(S)"))
        .count();
    Some((String::from_utf8_lossy(&out.stderr).into_owned(), n))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// `filter E` and `filter --invert E` together hold every record exactly once.
    #[test]
    fn filter_and_invert_partition_the_records(e in expr_strategy()) {
        let w = Workdir::new(&format!("filter-prop-{}", e.len()));
        let f = testdata("samples/ipfixcol2-example_flows.ipfix").to_string_lossy().into_owned();
        let all: Vec<String> = w.run(&["cat", "-f", "json", &f]).ok().out().lines().map(String::from).collect();
        w.run(&["filter", &e, &f, "-o", "a.ipfix"]).ok();
        w.run(&["filter", "--invert", &e, &f, "-o", "b.ipfix"]).ok();
        let mut got: Vec<String> = Vec::new();
        for o in ["a.ipfix", "b.ipfix"] {
            got.extend(w.run(&["cat", "-f", "json", o]).ok().out().lines().map(String::from));
        }
        let mut all_sorted = all.clone();
        all_sorted.sort();
        got.sort();
        prop_assert_eq!(got, all_sorted, "{}", e);
    }
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["tcp", "udp", "icmp", "1", "58"])
            .prop_map(|p| format!("proto {p}")),
        (0u16..1024).prop_map(|p| format!("port {p}")),
        (0u16..65535).prop_map(|p| format!("dst port {p}")),
        (0u8..=255, 0u32..=32).prop_map(|(a, l)| format!("src net {a}.0.0.0/{l}")),
        (0u64..100_000).prop_map(|v| format!("octetDeltaCount > {v}")),
        (0u64..100).prop_map(|v| format!("packetDeltaCount <= {v}")),
        prop::sample::select(vec![
            "exists(sourceIPv6Address)",
            "exists(icmpTypeCodeIPv4)",
            "exists(flowStartMilliseconds)"
        ])
        .prop_map(String::from),
        (0u32..7200).prop_map(|s| format!(
            "flowStartMilliseconds >= 2015-08-03T12:{:02}:{:02}Z",
            s / 60 % 60,
            s % 60
        )),
    ]
}

fn expr_strategy() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not {a}")),
        ]
    })
}

#[test]
fn closed_pipe_and_full_disk() {
    let w = Workdir::new("filter-pipe");
    let p = common::big_input(&w);
    for args in [
        vec!["filter", "-f", "json", "proto udp"],
        vec!["filter", "--force", "proto udp"],
        vec!["convert", "--to", "json"],
        vec!["convert", "--to", "ipfix"],
    ] {
        let mut a = args.clone();
        a.push(p.to_str().unwrap());
        common::assert_quiet_on_closed_pipe(&w, &a);
        if std::path::Path::new("/dev/full").exists() {
            let o = w
                .command(&a)
                .stdout(std::fs::File::create("/dev/full").unwrap())
                .output()
                .unwrap();
            let e = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{a:?}: {e}");
            assert_eq!(e.lines().count(), 1, "{a:?}: {e}");
            assert!(e.to_lowercase().contains("no space"), "{a:?}: {e}");
        }
    }
}

/// CSV without -F needs a first pass for its columns: stdin is spooled for it, so a pipe
/// gives the same CSV as the file.
#[test]
fn csv_from_stdin_equals_csv_from_file() {
    let w = Workdir::new("filter-csv-stdin");
    let f = testdata("samples/ipfixcol2-example_flows.ipfix");
    let bytes = std::fs::read(&f).unwrap();
    let f = f.to_string_lossy().into_owned();
    for expr in ["proto tcp", "not proto tcp"] {
        let from_file = w.run(&["filter", "-f", "csv", expr, &f]).ok();
        let from_stdin = w.run_stdin(&["filter", "-f", "csv", expr], &bytes).ok();
        assert!(from_file.out().lines().count() > 1, "{expr}: no records");
        assert_eq!(from_file.out(), from_stdin.out(), "{expr}");
        assert!(from_stdin.stderr.is_empty(), "{}", from_stdin.stderr);
    }
}

#[test]
fn unknown_field_names_are_usage_errors_with_a_suggestion() {
    let w = Workdir::new("filter-fields");
    let fx = fixture(&w);
    let f = fx.to_str().unwrap();
    let want = "ipfixkit: --fields: unknown IE name \"sourceIPv4Adress\"; did you mean \
                sourceIPv4Address? (for a name only a file defines, by RFC 5610, add \
                --allow-unknown-fields or write en<PEN>:id<ID>)\n";
    for args in [
        vec!["cat", "-F", "sourceIPv4Adress", f],
        vec!["cat", "-f", "csv", "-F", "@domain,sourceIPv4Adress", f],
        vec![
            "filter",
            "-f",
            "json",
            "-F",
            "sourceIPv4Adress",
            "proto tcp",
            f,
        ],
        vec![
            "convert",
            "--to",
            "csv",
            "-F",
            "sourceIPv4Adress,octetDeltaCount",
            f,
        ],
    ] {
        let r = w.run(&args).code(2);
        assert_eq!(r.stderr, want, "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}");
    }
    // Reverse names are suggested too; nothing close: no suggestion.
    let r = w.run(&["cat", "-F", "reverseOctetDeltaCout", f]).code(2);
    assert!(
        r.stderr.contains("did you mean reverseOctetDeltaCount?"),
        "{}",
        r.stderr
    );
    let r = w.run(&["cat", "-F", "qqqqqqqqqqqq", f]).code(2);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    // Allowed: with the flag (a name a file may teach by RFC 5610), and by number.
    let r = w
        .run(&[
            "cat",
            "-q",
            "--allow-unknown-fields",
            "-F",
            "sourceIPv4Adress",
            f,
        ])
        .ok();
    assert_eq!(r.stderr, "");
    for fields in ["en0:id8", "0/8", "sourceIPv4Address", "@domain,en0:id8#1"] {
        let r = w.run(&["cat", "-f", "csv", "-F", fields, f]).ok();
        assert!(r.out().contains("10.0.0.1"), "{fields}: {}", r.out());
    }
    let r = w
        .run(&[
            "filter",
            "-f",
            "csv",
            "--allow-unknown-fields",
            "-F",
            "x,octetDeltaCount",
            "proto udp",
            f,
        ])
        .ok();
    assert_eq!(r.out().lines().next(), Some("x,octetDeltaCount"));
    w.run(&[
        "convert",
        "--to",
        "json",
        "--allow-unknown-fields",
        "-F",
        "x",
        f,
    ])
    .ok();
}

#[test]
fn a_file_name_where_the_expression_belongs_says_to_quote_it() {
    let w = Workdir::new("filter-quote");
    let fx = fixture(&w);
    let f = fx.to_str().unwrap();
    // An existing file, or a name that looks like one.
    for expr in [f, "a.ipfix", "flows.ipfix.gz", "x.zst"] {
        let r = w.run(&["filter", expr]).code(2);
        assert!(
            r.stderr.starts_with("ipfixkit: filter: ")
                && r.stderr
                    .contains("the first argument is the expression; quote it")
                && r.stderr.lines().count() == 1,
            "{expr}: {}",
            r.stderr
        );
    }
    // An unquoted expression: the words that are not files make it whole.
    let r = w.run(&["filter", "proto", "tcp", f]).code(2);
    assert_eq!(
        r.stderr,
        format!(
            "ipfixkit: filter: the first argument is the expression; quote it: \
             ipfixkit filter 'proto tcp' {f}\n"
        )
    );
    let r = w.run(&["filter", "dst", "port", "53", f]).code(2);
    assert!(
        r.stderr
            .contains("quote it: ipfixkit filter 'dst port 53' "),
        "{}",
        r.stderr
    );
    // An ordinary mistake keeps the ordinary message.
    let r = w.run(&["filter", "proto", f]).code(2);
    assert!(
        r.stderr.contains("column 6: expected a value at the end"),
        "{}",
        r.stderr
    );
}

//! Unit tests of the filter language: parsing, compiling per template, evaluating.

use super::*;
use crate::ipfix::VARLEN;
use crate::ipfix::template::resolve_with;

fn model() -> std::sync::Arc<InfoModel> {
    InfoModel::builtin()
}

#[test]
fn errors_point_at_columns() {
    let m = model();
    let cases = [
        (
            "octetDeltaCont > 5",
            1,
            "unknown IE name \"octetDeltaCont\"",
        ),
        (
            "octetDeltaCount > abc",
            19,
            "octetDeltaCount: \"abc\" is not an unsigned integer",
        ),
        (
            "sourceIPv4Address == 10.0.0.300",
            22,
            "is not an IPv4 address",
        ),
        ("sourceIPv4Address in 10.0.0.0/33", 22, "is not a prefix"),
        ("sourceIPv4Address in 2001:db8::/32", 22, "does not fit"),
        (
            "octetDeltaCount in 10.0.0.0/8",
            20,
            "needs an address field",
        ),
        ("(protocolIdentifier == 6", 25, "expected ')'"),
        ("protocolIdentifier == 6 tcp", 25, "unexpected \"tcp\""),
        ("protocolIdentifier", 19, "expected an operator"),
        ("protocolIdentifier == 300", 23, "out of range"),
        ("octetDeltaCount ~ \"x\"", 17, "~ matches strings"),
        ("applicationName ~ \"(\"", 19, "bad regular expression"),
        ("proto foo", 7, "unknown protocol"),
        ("src ip 1.2.3", 8, "is not an IP address"),
        (
            "flowStartMilliseconds > yesterday",
            25,
            "is not an RFC 3339 time",
        ),
        ("", 1, "empty expression"),
        ("exists(nope)", 8, "unknown IE name"),
        ("applicationName == \"open", 20, "unterminated string"),
        // Found by fuzzing: a lone | or & used to loop forever in the lexer.
        ("aprlic|iao|| !e6its(x)", 7, "a single '|'"),
        ("proto tcp & port 80", 11, "a single '&'"),
    ];
    for (expr, col, msg) in cases {
        let e = Filter::parse(expr, &m).expect_err(expr);
        assert_eq!(e.column, col, "{expr}: {e}");
        assert!(e.message.contains(msg), "{expr}: {e}");
    }
}

#[test]
fn evaluation_on_fixed_and_varlen_templates() {
    let m = model();
    // sourceIPv4Address, destinationTransportPort, octetDeltaCount[8], applicationName varlen
    let t = resolve_with(
        &m,
        256,
        0,
        &[(0, 8, 4), (0, 11, 2), (0, 1, 8), (0, 96, VARLEN)],
    );
    let mut rec = vec![10, 1, 2, 3, 0x01, 0xbb];
    rec.extend_from_slice(&u64::MAX.to_be_bytes());
    rec.extend_from_slice(&[4, b'h', b't', b't', b'p']);
    let mut s = Scratch::default();
    let check = |e: &str| {
        Filter::parse(e, &m)
            .unwrap()
            .compile(&t)
            .matches(&t, &rec, &mut Scratch::default())
    };
    assert!(check("sourceIPv4Address in 10.0.0.0/8"));
    assert!(!check("sourceIPv4Address in 10.2.0.0/16"));
    assert!(check("destinationTransportPort in [53, 443, 8080]"));
    assert!(
        check("octetDeltaCount > 9223372036854775807"),
        "u64 above i64::MAX"
    );
    assert!(check("octetDeltaCount == 18446744073709551615"));
    assert!(check("applicationName ~ \"^ht\""));
    assert!(check("applicationName == http && port 443"));
    assert!(!check("exists(sourceIPv6Address)"));
    assert!(!check("sourceIPv6Address == ::1"), "missing field: false");
    assert!(check("not sourceIPv6Address == ::1"));
    assert!(
        !check("sourceIPv6Address != ::1"),
        "missing field: false even for !="
    );
    assert!(check("src ip 10.1.2.3 or dst ip 10.1.2.3"));
    assert!(check("ip 10.1.2.3 and !(proto udp)"));
    let c = Filter::parse("proto tcp", &m).unwrap().compile(&t);
    assert_eq!(c.constant(), Some(false));
    let _ = c.matches(&t, &rec, &mut s);
}

#[test]
fn unknown_names_get_the_closest_known_name() {
    let m = model();
    for (expr, hint) in [
        ("sourceIPv4Adress == 10.0.0.1", Some("sourceIPv4Address")),
        ("reverseOctetDeltaCout > 1", Some("reverseOctetDeltaCount")),
        (
            "exists(destinationipv6address)",
            Some("destinationIPv6Address"),
        ),
        ("prot tcp", Some("proto")),
        ("flgs S", Some("flags")),
        ("zzzzzzzzzzzz == 1", None),
    ] {
        let e = Filter::parse(expr, &m).expect_err(expr);
        assert!(e.message.starts_with("unknown IE name"), "{expr}: {e}");
        match hint {
            Some(h) => assert!(
                e.message.contains(&format!("; did you mean {h}? ")),
                "{expr}: {e}"
            ),
            None => assert!(!e.message.contains("did you mean"), "{expr}: {e}"),
        }
    }
}

#[test]
fn time_literals_without_a_zone_are_utc() {
    let m = model();
    let k = |e: &str| match Filter::parse(e, &m).unwrap().expr {
        Expr::Cmp(_, _, k) => k,
        other => panic!("{e}: {other:?}"),
    };
    let midnight = k("flowStartMilliseconds >= 2024-05-01T00:00:00Z");
    assert_eq!(k("flowStartMilliseconds >= 2024-05-01"), midnight);
    assert_eq!(k("flowStartMilliseconds >= 2024-05-01T00:00:00"), midnight);
    assert_eq!(
        k("flowStartMilliseconds >= \"2024-05-01 00:00:00\""),
        midnight
    );
    assert_eq!(k("flowStartMilliseconds >= 2024-05-01 00:00:00"), midnight);
    assert_eq!(k("flowStartMilliseconds >= 1714521600000"), midnight);
    let ten = k("flowStartSeconds < 2024-05-01T00:10:00Z");
    assert_eq!(k("flowStartSeconds < 2024-05-01T00:10:00"), ten);
    assert_eq!(k("flowStartSeconds < '2024-05-01 00:10:00'"), ten);
    assert_eq!(k("flowStartSeconds < 2024-05-01T02:10:00+02:00"), ten);
    assert_eq!(k("flowStartSeconds < 1714522200"), ten);
    let e = Filter::parse("flowStartSeconds > 2024-02-30", &m).unwrap_err();
    assert!(
        e.message
            .contains("\"2024-02-30\" is not an RFC 3339 time (nor a date"),
        "{e}"
    );
    let e = Filter::parse("flowStartSeconds > '2024-05-01 24:00:00'", &m).unwrap_err();
    assert!(e.message.contains("\"2024-05-01 24:00:00\" is not"), "{e}");
    // Small integers stay what they were: epoch values in the IE's unit.
    assert_eq!(k("flowStartMilliseconds > 0"), Const::Ns(0));
    assert_eq!(k("flowStartSeconds > 5"), Const::Ns(5_000_000_000));
}

#[test]
fn an_integer_in_the_wrong_unit_is_refused_with_the_right_one() {
    let m = model();
    for (expr, msg) in [
        (
            "flowStartMilliseconds > 1714522200",
            "flowStartMilliseconds is in milliseconds; did you mean 1714522200000 \
             (2024-05-01T00:10:00.000Z, reading 1714522200 as seconds)?",
        ),
        (
            "flowEndSeconds < 1714522200123",
            "flowEndSeconds is in seconds; did you mean 1714522200 \
             (2024-05-01T00:10:00.123Z, reading 1714522200123 as milliseconds)?",
        ),
        (
            "flowStartMicroseconds == 1714522200000",
            "flowStartMicroseconds is in microseconds; did you mean 1714522200000000 ",
        ),
        (
            "flowStartNanoseconds in [1714522200]",
            "flowStartNanoseconds is in nanoseconds; did you mean 1714522200000000000 ",
        ),
        (
            "flowStartMilliseconds > 1714522200000000000",
            "did you mean 1714522200000 (2024-05-01T00:10:00.000Z, reading \
             1714522200000000000 as nanoseconds)?",
        ),
    ] {
        let e = Filter::parse(expr, &m).expect_err(expr);
        assert!(e.message.contains(msg), "{expr}: {e}");
    }
}

#[test]
fn shorthands_bits_and_scaled_numbers_evaluate() {
    let m = model();
    // src port, dst port, tcpControlBits[1], octetDeltaCount[8], packetDeltaCount[4]
    let t = resolve_with(
        &m,
        256,
        0,
        &[(0, 7, 2), (0, 11, 2), (0, 6, 1), (0, 1, 8), (0, 2, 4)],
    );
    let mut rec = vec![0x9c, 0x40, 0, 53, 0x12];
    rec.extend_from_slice(&2_500_000u64.to_be_bytes());
    rec.extend_from_slice(&1500u32.to_be_bytes());
    let check = |e: &str| {
        Filter::parse(e, &m)
            .unwrap_or_else(|x| panic!("{e}: {x}"))
            .compile(&t)
            .matches(&t, &rec, &mut Scratch::default())
    };
    for (e, want) in [
        ("port 53-80", true),
        ("port 54-80", false),
        ("dst port in [1..52, 53]", true),
        ("dst port in [1 .. 52]", false),
        ("src port > 1023", true),
        ("dst port > 1023", false),
        ("port != 53", true),
        ("flags S", true),
        ("flags SA", true),
        ("flags SAF", false),
        ("flags X", false),
        ("tcpControlBits & 0x02", true),
        ("tcpControlBits & 0x01", false),
        ("tcpControlBits & 0x13 == 0x12", true),
        ("tcpControlBits & 0x13 > 0x12", false),
        ("bytes > 2M", true),
        ("bytes > 3m", false),
        ("bytes == 2500k", true),
        ("packets >= 1k", true),
        ("packets < 1K", false),
        ("octetDeltaCount < 1G", true),
    ] {
        assert_eq!(check(e), want, "{e}");
    }
    // A bit test on a field the record does not have: false, and true negated.
    assert!(!check("ingressInterface & 1 or exists(ingressInterface)"));
    assert!(check("!(ingressInterface & 1)"));
}

#[test]
fn depth_is_limited_and_runs_and_chains_stay_flat() {
    let m = model();
    let deep = format!(
        "{}port 53{}",
        "(".repeat(parse::MAX_DEPTH + 1),
        ")".repeat(parse::MAX_DEPTH + 1)
    );
    let e = Filter::parse(&deep, &m).unwrap_err();
    assert_eq!(e.column, parse::MAX_DEPTH + 1, "{e}");
    assert!(e.message.contains("nested too deeply"), "{e}");
    let t = resolve_with(&m, 256, 0, &[(0, 7, 2), (0, 11, 2), (0, 4, 1)]);
    let rec = [0, 53, 1, 187, 17];
    // As deep as allowed: compile, evaluate and drop on a thread with a quarter of the 2 MiB
    // stack a std or rayon thread gets (debug build; release frames are smaller).
    let allowed = format!(
        "{}port 53{}",
        "!(".repeat(parse::MAX_DEPTH),
        ")".repeat(parse::MAX_DEPTH)
    );
    let t2 = t.clone();
    let f = Filter::parse(&allowed, &m).unwrap();
    let ok = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let c = f.compile(&t2);
            let r = c.matches(&t2, &rec, &mut Scratch::default());
            drop((f, c));
            r
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(ok, "an even number of negations");
    // 200,001 negations fold to one; 100,000-term chains are flat lists.
    let f = Filter::parse(&format!("{}port 53", "!".repeat(200_001)), &m).unwrap();
    assert!(!f.compile(&t).matches(&t, &rec, &mut Scratch::default()));
    let or: Vec<String> = (0..100_000)
        .map(|i| format!("port {}", 1000 + i % 60_000))
        .collect();
    let f = Filter::parse(&or.join(" or "), &m).unwrap();
    assert!(matches!(&f.expr, Expr::Or(v) if v.len() == 100_000));
    assert!(!f.compile(&t).matches(&t, &rec, &mut Scratch::default()));
    let and = vec!["not proto tcp"; 100_000].join(" && ");
    let f = Filter::parse(&and, &m).unwrap();
    assert!(f.compile(&t).matches(&t, &rec, &mut Scratch::default()));
}

#[test]
fn long_names_are_cut_in_messages() {
    let m = model();
    let name = "x".repeat(100_000);
    let e = Filter::parse(&format!("{name} == 1"), &m).unwrap_err();
    assert!(e.message.len() < 200, "{}", e.message.len());
    assert!(
        e.message.contains(&format!("\"{}...\"", "x".repeat(40))),
        "{e}"
    );
    let e = Filter::parse(&format!("port {}", "9".repeat(100_000)), &m).unwrap_err();
    assert!(e.message.len() < 200, "{}", e.message.len());
}

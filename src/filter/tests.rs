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

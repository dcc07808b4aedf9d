//! The IPFIX shape of flows metered from packets: the templates `pcap2ipfix` exports and
//! `gen --packets` writes its ground truth in (one shape, so the two compare field by field).
//!
//! IPv4 and IPv6, each with and without mplsTopLabelStackSection (for flows whose first
//! packet had an MPLS label). Fields: flowStart/End in the `--time-precision` (milliseconds
//! 152/153, microseconds 154/155, nanoseconds 156/157), the addresses, sourceTransportPort,
//! destinationTransportPort, protocolIdentifier, octetDeltaCount and packetDeltaCount (8
//! octets), tcpControlBits (2), ipClassOfService, vlanId (the outer tag) and
//! dot1qCustomerVlanId (the inner), icmpTypeCodeIPv4/IPv6, flowEndReason, ipVersion; with
//! `mac`, sourceMacAddress and destinationMacAddress; with `biflow`, the RFC 5103 reverse
//! times, octets, packets, TCP flags and class of service (PEN 29305).

use crate::ipfix::template::FieldSpec;
use crate::ipfix::writer::TemplateDef;

const REVERSE_PEN: u32 = 29305;
/// The first template ID: IPv4, then IPv6, IPv4 with MPLS, IPv6 with MPLS.
pub const FLOW_TID: u16 = 256;

/// The time IEs flows carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Precision {
    /// flowStart/EndMilliseconds.
    #[default]
    Ms,
    /// flowStart/EndMicroseconds (NTP format).
    Us,
    /// flowStart/EndNanoseconds (NTP format).
    Ns,
}

/// What the records hold besides the flow keys and counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    pub precision: Precision,
    pub mac: bool,
    pub biflow: bool,
}

/// The template of flows of IPv6 (`v6`) or IPv4, with or without an MPLS label.
pub fn template(shape: Shape, v6: bool, mpls: bool) -> TemplateDef {
    let (start, end) = match shape.precision {
        Precision::Ms => (152, 153),
        Precision::Us => (154, 155),
        Precision::Ns => (156, 157),
    };
    let (src, dst, addr_len, icmp) = if v6 {
        (27, 28, 16, 139)
    } else {
        (8, 12, 4, 32)
    };
    let mut f = vec![
        FieldSpec::iana(start, 8),
        FieldSpec::iana(end, 8),
        FieldSpec::iana(src, addr_len),
        FieldSpec::iana(dst, addr_len),
        FieldSpec::iana(7, 2),
        FieldSpec::iana(11, 2),
        FieldSpec::iana(4, 1),
        FieldSpec::iana(1, 8),
        FieldSpec::iana(2, 8),
        FieldSpec::iana(6, 2),
        FieldSpec::iana(5, 1),
        FieldSpec::iana(58, 2),
        FieldSpec::iana(245, 2),
        FieldSpec::iana(icmp, 2),
        FieldSpec::iana(136, 1),
        FieldSpec::iana(60, 1),
    ];
    if mpls {
        f.push(FieldSpec::iana(70, 3));
    }
    if shape.mac {
        f.push(FieldSpec::iana(56, 6));
        f.push(FieldSpec::iana(80, 6));
    }
    if shape.biflow {
        let r = |id, len| FieldSpec {
            pen: REVERSE_PEN,
            id,
            len,
        };
        f.extend([r(start, 8), r(end, 8), r(1, 8), r(2, 8), r(6, 2), r(5, 1)]);
    }
    TemplateDef {
        id: FLOW_TID + v6 as u16 + 2 * mpls as u16,
        scope_count: 0,
        fields: f,
    }
}

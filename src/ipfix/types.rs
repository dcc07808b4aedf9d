//! Abstract data types, data type semantics and units (RFC 7012 §3; IANA sub-registries).
//!
//! The numeric values are the registry values that RFC 5610 type records carry
//! (informationElementDataType 339, informationElementSemantics 344, informationElementUnits 345).

/// An IPFIX abstract data type (RFC 7012 §3.1, RFC 6313, RFC 9740 for `unsigned256`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum DataType {
    OctetArray = 0,
    Unsigned8 = 1,
    Unsigned16 = 2,
    Unsigned32 = 3,
    Unsigned64 = 4,
    Signed8 = 5,
    Signed16 = 6,
    Signed32 = 7,
    Signed64 = 8,
    Float32 = 9,
    Float64 = 10,
    Boolean = 11,
    MacAddress = 12,
    String = 13,
    DateTimeSeconds = 14,
    DateTimeMilliseconds = 15,
    DateTimeMicroseconds = 16,
    DateTimeNanoseconds = 17,
    Ipv4Address = 18,
    Ipv6Address = 19,
    BasicList = 20,
    SubTemplateList = 21,
    SubTemplateMultiList = 22,
    Unsigned256 = 23,
}

/// Field length 65535 in a template means "variable length" (RFC 7011 §7).
pub const VARLEN: u16 = 65535;

impl DataType {
    pub const ALL: [DataType; 24] = [
        DataType::OctetArray,
        DataType::Unsigned8,
        DataType::Unsigned16,
        DataType::Unsigned32,
        DataType::Unsigned64,
        DataType::Signed8,
        DataType::Signed16,
        DataType::Signed32,
        DataType::Signed64,
        DataType::Float32,
        DataType::Float64,
        DataType::Boolean,
        DataType::MacAddress,
        DataType::String,
        DataType::DateTimeSeconds,
        DataType::DateTimeMilliseconds,
        DataType::DateTimeMicroseconds,
        DataType::DateTimeNanoseconds,
        DataType::Ipv4Address,
        DataType::Ipv6Address,
        DataType::BasicList,
        DataType::SubTemplateList,
        DataType::SubTemplateMultiList,
        DataType::Unsigned256,
    ];

    /// The type for a registry value, as found in an RFC 5610 type record.
    pub fn from_u8(v: u8) -> Option<DataType> {
        DataType::ALL.get(v as usize).copied()
    }

    /// The registry name (`unsigned64`, `ipv4Address`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DataType::OctetArray => "octetArray",
            DataType::Unsigned8 => "unsigned8",
            DataType::Unsigned16 => "unsigned16",
            DataType::Unsigned32 => "unsigned32",
            DataType::Unsigned64 => "unsigned64",
            DataType::Signed8 => "signed8",
            DataType::Signed16 => "signed16",
            DataType::Signed32 => "signed32",
            DataType::Signed64 => "signed64",
            DataType::Float32 => "float32",
            DataType::Float64 => "float64",
            DataType::Boolean => "boolean",
            DataType::MacAddress => "macAddress",
            DataType::String => "string",
            DataType::DateTimeSeconds => "dateTimeSeconds",
            DataType::DateTimeMilliseconds => "dateTimeMilliseconds",
            DataType::DateTimeMicroseconds => "dateTimeMicroseconds",
            DataType::DateTimeNanoseconds => "dateTimeNanoseconds",
            DataType::Ipv4Address => "ipv4Address",
            DataType::Ipv6Address => "ipv6Address",
            DataType::BasicList => "basicList",
            DataType::SubTemplateList => "subTemplateList",
            DataType::SubTemplateMultiList => "subTemplateMultiList",
            DataType::Unsigned256 => "unsigned256",
        }
    }

    /// Parses a registry name, case-insensitively.
    pub fn from_name(s: &str) -> Option<DataType> {
        DataType::ALL
            .iter()
            .copied()
            .find(|t| t.name().eq_ignore_ascii_case(s))
    }

    /// The natural (full) encoded size, or `None` for types of any length.
    pub fn natural_len(self) -> Option<u16> {
        Some(match self {
            DataType::Unsigned8 | DataType::Signed8 | DataType::Boolean => 1,
            DataType::Unsigned16 | DataType::Signed16 => 2,
            DataType::Unsigned32
            | DataType::Signed32
            | DataType::Float32
            | DataType::DateTimeSeconds
            | DataType::Ipv4Address => 4,
            DataType::Unsigned64
            | DataType::Signed64
            | DataType::Float64
            | DataType::DateTimeMilliseconds
            | DataType::DateTimeMicroseconds
            | DataType::DateTimeNanoseconds => 8,
            DataType::MacAddress => 6,
            DataType::Ipv6Address => 16,
            DataType::Unsigned256 => 32,
            DataType::OctetArray
            | DataType::String
            | DataType::BasicList
            | DataType::SubTemplateList
            | DataType::SubTemplateMultiList => return None,
        })
    }

    /// Whether a template may declare this type with field length `len`
    /// (reduced-size rules of RFC 7011 §6.2; 65535 is variable length).
    pub fn length_ok(self, len: u16) -> bool {
        match self {
            DataType::OctetArray
            | DataType::String
            | DataType::BasicList
            | DataType::SubTemplateList
            | DataType::SubTemplateMultiList => true,
            DataType::Unsigned16 | DataType::Signed16 => (1..=2).contains(&len),
            DataType::Unsigned32 | DataType::Signed32 => (1..=4).contains(&len),
            DataType::Unsigned64 | DataType::Signed64 => (1..=8).contains(&len),
            DataType::Unsigned256 => (1..=32).contains(&len),
            DataType::Float64 => len == 8 || len == 4,
            other => other.natural_len() == Some(len),
        }
    }

    pub fn is_list(self) -> bool {
        matches!(
            self,
            DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList
        )
    }

    pub fn is_unsigned(self) -> bool {
        matches!(
            self,
            DataType::Unsigned8
                | DataType::Unsigned16
                | DataType::Unsigned32
                | DataType::Unsigned64
        )
    }

    pub fn is_signed(self) -> bool {
        matches!(
            self,
            DataType::Signed8 | DataType::Signed16 | DataType::Signed32 | DataType::Signed64
        )
    }
}

/// Data type semantics (RFC 7012 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Semantics {
    Default = 0,
    Quantity = 1,
    TotalCounter = 2,
    DeltaCounter = 3,
    Identifier = 4,
    Flags = 5,
    List = 6,
    SnmpCounter = 7,
    SnmpGauge = 8,
}

impl Semantics {
    pub fn from_u8(v: u8) -> Option<Semantics> {
        use Semantics::*;
        [
            Default,
            Quantity,
            TotalCounter,
            DeltaCounter,
            Identifier,
            Flags,
            List,
            SnmpCounter,
            SnmpGauge,
        ]
        .get(v as usize)
        .copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            Semantics::Default => "default",
            Semantics::Quantity => "quantity",
            Semantics::TotalCounter => "totalCounter",
            Semantics::DeltaCounter => "deltaCounter",
            Semantics::Identifier => "identifier",
            Semantics::Flags => "flags",
            Semantics::List => "list",
            Semantics::SnmpCounter => "snmpCounter",
            Semantics::SnmpGauge => "snmpGauge",
        }
    }

    /// RFC 5610 §3.10: which semantics make sense for a type.
    pub fn valid_for(self, t: DataType) -> bool {
        match self {
            Semantics::Default => true,
            Semantics::List => t.is_list(),
            Semantics::Flags => t.is_unsigned(),
            Semantics::Identifier => t.is_unsigned() || t.is_signed(),
            _ => {
                t.is_unsigned()
                    || t.is_signed()
                    || matches!(
                        t,
                        DataType::Float32 | DataType::Float64 | DataType::Unsigned256
                    )
            }
        }
    }
}

/// Units (IANA "IPFIX Information Element Units").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Units {
    None = 0,
    Bits = 1,
    Octets = 2,
    Packets = 3,
    Flows = 4,
    Seconds = 5,
    Milliseconds = 6,
    Microseconds = 7,
    Nanoseconds = 8,
    FourOctetWords = 9,
    Messages = 10,
    Hops = 11,
    Entries = 12,
    Frames = 13,
    Ports = 14,
    Inferred = 15,
}

impl Units {
    pub fn from_u16(v: u16) -> Option<Units> {
        use Units::*;
        [
            None,
            Bits,
            Octets,
            Packets,
            Flows,
            Seconds,
            Milliseconds,
            Microseconds,
            Nanoseconds,
            FourOctetWords,
            Messages,
            Hops,
            Entries,
            Frames,
            Ports,
            Inferred,
        ]
        .get(v as usize)
        .copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            Units::None => "none",
            Units::Bits => "bits",
            Units::Octets => "octets",
            Units::Packets => "packets",
            Units::Flows => "flows",
            Units::Seconds => "seconds",
            Units::Milliseconds => "milliseconds",
            Units::Microseconds => "microseconds",
            Units::Nanoseconds => "nanoseconds",
            Units::FourOctetWords => "4-octet words",
            Units::Messages => "messages",
            Units::Hops => "hops",
            Units::Entries => "entries",
            Units::Frames => "frames",
            Units::Ports => "ports",
            Units::Inferred => "inferred",
        }
    }
}

/// Structured data semantic byte (RFC 6313 §4.4; IANA "IPFIX Structured Data Types Semantics").
pub fn list_semantic_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "noneOf",
        1 => "exactlyOneOf",
        2 => "oneOrMoreOf",
        3 => "allOf",
        4 => "ordered",
        0xFF => "undefined",
        _ => return None,
    })
}

/// Inverse of [`list_semantic_name`]; also accepts a decimal number.
pub fn list_semantic_from_name(s: &str) -> Option<u8> {
    (0u8..=4)
        .chain(std::iter::once(0xFF))
        .find(|v| list_semantic_name(*v) == Some(s))
        .or_else(|| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_values_match_registry() {
        for (i, t) in DataType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
            assert_eq!(DataType::from_u8(i as u8), Some(*t));
            assert_eq!(DataType::from_name(t.name()), Some(*t));
        }
        assert_eq!(DataType::from_u8(24), None);
    }

    #[test]
    fn reduced_size_rules() {
        assert!(DataType::Unsigned64.length_ok(3));
        assert!(!DataType::Unsigned64.length_ok(9));
        assert!(!DataType::Ipv4Address.length_ok(3));
        assert!(!DataType::DateTimeMilliseconds.length_ok(4));
        assert!(DataType::Float64.length_ok(4));
        assert!(!DataType::Float32.length_ok(2));
        assert!(DataType::String.length_ok(VARLEN));
        assert!(!DataType::Unsigned32.length_ok(VARLEN));
    }

    #[test]
    fn semantics_validity() {
        assert!(Semantics::Flags.valid_for(DataType::Unsigned16));
        assert!(!Semantics::Flags.valid_for(DataType::Float64));
        assert!(!Semantics::Identifier.valid_for(DataType::Float32));
        assert!(!Semantics::Quantity.valid_for(DataType::String));
        assert_eq!(list_semantic_from_name("allOf"), Some(3));
        assert_eq!(list_semantic_from_name("undefined"), Some(255));
    }
}

//! Generates the built-in Information Element table from the registry CSVs in `data/`.
//!
//! `data/ipfix-ie-compact.csv` is IANA's IPFIX IE registry (one row per named IE) and
//! `data/cert-pen6871-compact.csv` the CERT/NetSA enterprise registry (PEN 6871) that YAF
//! writes; their origin is recorded in `data/README.md`. RFC 5103 reverse elements are derived
//! here: PEN 29305 with the forward ID for IANA elements, ID | 0x4000 for reversible CERT ones.
//! The CSVs are plain (no quoted commas), so a split on ',' is exact for these files.
//!
//! Vendor dictionaries (`data/vendor-*.csv`, see [`VENDORS`]) are tables written for this
//! project from public vendor documentation, provenance in each file's `#` header and in
//! `data/README.md`. Their names carry the vendor's prefix, and the build fails when a vendor
//! name is not a valid IE name (a letter, then letters and digits), lacks its prefix, or equals
//! any other built-in name, so a vendor name can never shadow an IANA or CERT one. No reverse
//! (RFC 5103) forms are derived for them: none of these vendors documents a reverse convention,
//! and an `ID | 0x4000` guess could name a real forward IE.

use std::fmt::Write as _;
use std::path::Path;

/// IANA IEs that RFC 5103 §6.1 says must not be reversed.
const NON_REVERSIBLE: &[u16] = &[
    137, 145, 148, 149, 210, 239, // commonPropertiesId .. biflowDirection
    130, 131, 143, 144, 217, 211, 212, 213, 214, 215, 216, // process/exporter configuration
    40, 41, 42, 163, 164, 165, 166, 167, 168, // process statistics
];

/// The vendor tables: file, the PEN every row must have, the prefix every name must have.
const VENDORS: &[(&str, u32, &str)] = &[
    ("data/vendor-cisco-pen9.csv", 9, "cisco"),
    ("data/vendor-juniper-pen2636.csv", 2636, "juniper"),
    ("data/vendor-netscaler-pen5951.csv", 5951, "netscaler"),
    ("data/vendor-vmware-pen6876.csv", 6876, "vmware"),
    ("data/vendor-ntop-pen35632.csv", 35632, "ntop"),
];

fn valid_ie_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic()) && c.all(|x| x.is_ascii_alphanumeric())
}

fn main() {
    println!("cargo:rerun-if-changed=data/ipfix-ie-compact.csv");
    println!("cargo:rerun-if-changed=data/cert-pen6871-compact.csv");
    for (path, _, _) in VENDORS {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let iana = std::fs::read_to_string("data/ipfix-ie-compact.csv").expect("read IANA csv");
    let cert = std::fs::read_to_string("data/cert-pen6871-compact.csv").expect("read CERT csv");

    let mut rows: Vec<(u32, u16, String, String, String, String)> = Vec::new();
    for line in iana.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() < 6 || c[2].is_empty() || c[3].is_empty() {
            continue;
        }
        let id: u16 = c[1].parse().expect("IANA id");
        let (name, ty, sem, units) = (c[2], c[3], c[4], c[5]);
        rows.push((0, id, name.into(), ty.into(), sem.into(), units.into()));
        if !NON_REVERSIBLE.contains(&id) {
            rows.push((
                29305,
                id,
                reverse_name(name),
                ty.into(),
                sem.into(),
                units.into(),
            ));
        }
    }
    for line in cert.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() < 9 || c[2].is_empty() || c[3].is_empty() {
            continue;
        }
        let id: u16 = c[1].parse().expect("CERT id");
        let (name, ty, sem, units) = (c[2], c[3], c[4], c[5]);
        rows.push((6871, id, name.into(), ty.into(), sem.into(), units.into()));
        if c[7] == "true" {
            rows.push((
                6871,
                id | 0x4000,
                reverse_name(name),
                ty.into(),
                sem.into(),
                units.into(),
            ));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));
    rows.dedup_by_key(|r| (r.0, r.1));

    let mut names: std::collections::HashSet<String> = rows.iter().map(|r| r.2.clone()).collect();
    let mut keys: std::collections::HashSet<(u32, u16)> = rows.iter().map(|r| (r.0, r.1)).collect();
    for (path, pen, prefix) in VENDORS {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        assert_eq!(
            lines.next(),
            Some("pen,id,name,data_type,semantics,units"),
            "{path}: header"
        );
        for line in lines {
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), 6, "{path}: {line:?} needs 6 columns");
            let row_pen: u32 = c[0].parse().expect("vendor pen");
            let id: u16 = c[1].parse().expect("vendor id");
            let (name, ty, sem, units) = (c[2], c[3], c[4], c[5]);
            assert_eq!(row_pen, *pen, "{path}: {line:?} has the wrong PEN");
            assert!(
                (1..=0x7FFF).contains(&id),
                "{path}: {line:?}: id out of range"
            );
            assert!(
                valid_ie_name(name),
                "{path}: {name:?} is not a valid IE name"
            );
            let after = name.strip_prefix(prefix).unwrap_or("");
            assert!(
                after.starts_with(|x: char| x.is_ascii_uppercase() || x.is_ascii_digit()),
                "{path}: {name:?} must start with {prefix:?} and a capital"
            );
            assert!(
                names.insert(name.to_string()),
                "{path}: name {name:?} is taken"
            );
            assert!(keys.insert((row_pen, id)), "{path}: {row_pen}/{id} twice");
            rows.push((
                row_pen,
                id,
                name.into(),
                ty.into(),
                sem.into(),
                units.into(),
            ));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));

    let mut out = String::from(
        "// @generated by build.rs from data/*.csv: do not edit.\n\
         pub(crate) static BUILTIN: &[(u32, u16, &str, DataType, Semantics, Units)] = &[\n",
    );
    for (pen, id, name, ty, sem, units) in &rows {
        writeln!(
            out,
            "    ({pen}, {id}, {name:?}, DataType::{}, Semantics::{}, Units::{}),",
            variant(ty),
            variant(if sem.is_empty() { "default" } else { sem }),
            units_variant(units)
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("ie_table.rs");
    std::fs::write(dest, out).expect("write ie_table.rs");
}

fn reverse_name(name: &str) -> String {
    let mut c = name.chars();
    let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or_default();
    format!("reverse{first}{}", c.as_str())
}

/// `unsigned64` -> `Unsigned64`, `deltaCounter` -> `DeltaCounter`.
fn variant(s: &str) -> String {
    let mut c = s.chars();
    let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or_default();
    format!("{first}{}", c.as_str())
}

fn units_variant(u: &str) -> &'static str {
    match u {
        "" | "none" => "None",
        "bits" => "Bits",
        "octets" => "Octets",
        "packets" => "Packets",
        "flows" => "Flows",
        "seconds" => "Seconds",
        "milliseconds" => "Milliseconds",
        "microseconds" => "Microseconds",
        "nanoseconds" => "Nanoseconds",
        "4-octet words" => "FourOctetWords",
        "messages" => "Messages",
        "hops" => "Hops",
        "entries" => "Entries",
        "frames" => "Frames",
        "ports" => "Ports",
        "inferred" => "Inferred",
        other => panic!("unknown unit {other:?} in registry CSV"),
    }
}

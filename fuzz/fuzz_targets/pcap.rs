//! Arbitrary bytes as a capture file through the whole metering path of `pcap2ipfix`:
//! `ByteSource::from_bytes` (so compressed captures are decompressed too), the capture reader
//! (`meter::capture`: pcap in either byte order and timestamp resolution, pcapng sections,
//! interfaces and blocks), the packet parser, the flow cache and the exporter
//! (`meter::run::meter`).
//!
//! The first input octet picks the options (the rest is the file): bit 0 biflows, bit 1 MAC
//! addresses, bits 2-3 the time precision, bits 4-5 the idle and active timeouts (down to 1
//! µs and 3 µs, so they end flows between the packets of a small input), bits 6-7 the cache
//! size (1, 4, 64 or 65536 flows: the small ones make lack-of-resources ends).
//!
//! Findings: a panic, a timeout, memory over `-rss_limit_mb`; counters that disagree (every
//! frame is metered or skipped for one reason, every flow begun ends for one reason and is
//! written); IPFIX written that does not decode without an error, whose flow records are not
//! the flows written, or whose packet counts (both directions) do not add up to the packets
//! metered.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::{ReadOpts, decode_with};
use ipfixkit::ipfix::session::{Flow, MessageCtx, RecordRef, Session, Visitor};
use ipfixkit::ipfix::{DecodeError, InfoModel, Severity, Template};
use ipfixkit::meter::Opts;
use ipfixkit::meter::export::{FLOW_TID, Precision, Shape};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// Counts the flow records of the meter's output and their packets.
#[derive(Default)]
struct Check {
    records: u64,
    packets: u64,
    errors: Vec<String>,
}

fn field(t: &Template, pen: u32, id: u16, record: &[u8]) -> Option<u64> {
    let i = t.fields.iter().position(|f| f.pen == pen && f.id == id)?;
    let at = t.offset(i)?;
    let b = record.get(at..at + 8)?;
    Some(u64::from_be_bytes(b.try_into().ok()?))
}

impl Visitor for Check {
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        let t = r.template;
        if (FLOW_TID..FLOW_TID + 4).contains(&t.id) {
            self.records += 1;
            let fwd = field(t, 0, 2, r.data);
            assert!(
                fwd.is_some_and(|n| n > 0),
                "a flow record with no packets: {fwd:?}"
            );
            self.packets += fwd.unwrap_or(0) + field(t, 29305, 2, r.data).unwrap_or(0);
        }
        Flow::Continue
    }

    fn template(&mut self, _m: &MessageCtx, _t: &Arc<Template>, _o: u64, _c: bool) -> Flow {
        Flow::Continue
    }

    fn problem(&mut self, e: &DecodeError) -> Flow {
        if e.severity() == Severity::Error {
            self.errors.push(e.to_string());
        }
        Flow::Continue
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let biflow = mode & 1 != 0;
    let precision = match mode >> 2 & 3 {
        0 => Precision::Ms,
        1 => Precision::Us,
        _ => Precision::Ns,
    };
    let (idle_ns, active_ns) = match mode >> 4 & 3 {
        0 => (1_000, 3_000),
        1 => (1_000_000, 5_000_000),
        2 => (15_000_000_000, 1_800_000_000_000),
        _ => (0, i64::MAX),
    };
    let max_flows = [1, 4, 64, 65_536][(mode >> 6) as usize];
    let opts = Opts {
        idle_ns,
        active_ns,
        max_flows,
        biflow,
    };
    let shape = Shape {
        precision,
        mac: mode & 2 != 0,
        biflow,
    };
    let src = ByteSource::from_bytes(file.to_vec());
    let mut out = Vec::new();
    let (stats, written, _error) =
        ipfixkit::meter::run::meter(src, "fuzz", opts, shape, 65535, &mut out, &|_| {});

    assert_eq!(stats.packets, stats.metered + stats.skipped(), "{stats:?}");
    let ended: u64 = stats.ended.iter().sum();
    assert_eq!(ended, written, "flows ended vs written: {stats:?}");
    assert_eq!(stats.ended[0], 0, "a flow ended with reason 0: {stats:?}");
    assert_eq!(stats.evicted, stats.ended[5], "{stats:?}");

    // The flows written are well-formed IPFIX and account for every packet metered.
    let mut check = Check::default();
    let mut session = Session::new(InfoModel::builtin());
    let mut src = ByteSource::from_bytes(out);
    decode_with(&mut src, &mut session, &mut check, &ReadOpts::default());
    assert!(
        check.errors.is_empty(),
        "the flows do not decode: {:?}",
        check.errors
    );
    assert_eq!(check.records, written, "flow records vs flows written");
    assert_eq!(
        check.packets, stats.metered,
        "packets in the flows vs metered"
    );
});

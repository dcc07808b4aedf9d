//! Arbitrary bytes through the whole read path: framing and resynchronisation
//! (`decode_with`, at the `--max-resync` floor, and once with `--strict`), the session (templates, withdrawals, RFC 5610 type records), and
//! every record rendered by the JSON, text and CSV printers, structured data included.
//!
//! The input must never panic, hang or allocate out of proportion: libFuzzer's
//! `-timeout` and `-rss_limit_mb` turn the last two into findings. One consistency check: the
//! records reported as having damaged structured data are exactly those printed with `@error`.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::{ReadOpts, decode_with};
use ipfixkit::ipfix::session::{Flow, MessageCtx, RecordRef, Session, Visitor};
use ipfixkit::ipfix::{DecodeError, ErrorKind, InfoModel, Template};
use ipfixkit::output::csv::CsvPrinter;
use ipfixkit::output::json::JsonPrinter;
use ipfixkit::output::render::field_keys;
use ipfixkit::output::text::TextPrinter;
use ipfixkit::output::{Column, Drive, Meta, PrintOptions, Printer};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// First pass for CSV, as `cat` does it: the union of every template's field keys.
struct Keys(Vec<String>);

impl Visitor for Keys {
    fn template(&mut self, _m: &MessageCtx, t: &Arc<Template>, _o: u64, _c: bool) -> Flow {
        for k in field_keys(t) {
            if !self.0.contains(&k) {
                self.0.push(k);
            }
        }
        Flow::Continue
    }
    fn record(&mut self, _r: &RecordRef<'_>) -> Flow {
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        // Display is part of the path a user sees; it must not panic either.
        let _ = e.to_string();
        Flow::Continue
    }
}

/// The --max-resync floor (one maximal message) for every pass: with the default (64 MiB) a
/// 133-octet bzip2 of zeros costs each pass 64 MiB of decompression and search, by design,
/// which the five passes of one input turn into a `-timeout` finding (the first run after
/// the bound came in reported testdata/malformed/resync-limit.ipfix so).
const FLOOR: ReadOpts = ReadOpts {
    max_resync: 0,
    strict: false,
    cancel: None,
};

/// Decodes into `printer`; returns how many records were reported as having damaged lists.
fn run(data: &[u8], printer: &mut dyn Printer, model: &Arc<InfoModel>) -> usize {
    let mut src = ByteSource::from_bytes(data.to_vec());
    let mut session = Session::new(model.clone());
    let mut damaged = 0;
    let mut on_problem = |e: &DecodeError| {
        if matches!(e.kind, ErrorKind::ListDamage { .. }) {
            damaged += 1;
        }
        Flow::Continue
    };
    let mut drive = Drive::new(printer, &mut on_problem, None);
    decode_with(&mut src, &mut session, &mut drive, &FLOOR);
    drop(drive);
    let _ = printer.finish(&session);
    damaged
}

fuzz_target!(|data: &[u8]| {
    let model = InfoModel::builtin();

    let mut keys = Keys(Vec::new());
    let mut src = ByteSource::from_bytes(data.to_vec());
    let mut session = Session::new(model.clone());
    decode_with(&mut src, &mut session, &mut keys, &FLOOR);

    // --strict and the --max-resync floor: the reader stops without searching on.
    let strict = ReadOpts {
        strict: true,
        ..FLOOR
    };
    let mut src = ByteSource::from_bytes(data.to_vec());
    let mut session = Session::new(model.clone());
    decode_with(&mut src, &mut session, &mut Keys(Vec::new()), &strict);

    let mut out = Vec::new();
    let mut json = JsonPrinter::new(&mut out, PrintOptions::default());
    let damaged = run(data, &mut json, &model);
    drop(json);
    // The session's list check and the printers' rendering walk lists the same way: a record
    // is reported as damaged exactly when its JSON carries an `{"@error": ...}` value (a string
    // holding that text is escaped, so it cannot match).
    let mark = b"{\"@error\":";
    let shown = out
        .split(|&b| b == b'\n')
        .filter(|l| l.windows(mark.len()).any(|w| w == mark))
        .count();
    assert_eq!(damaged, shown, "ListDamage reports vs records with @error");

    let mut out = Vec::new();
    let mut text = TextPrinter::new(&mut out, PrintOptions::default());
    run(data, &mut text, &model);
    drop(text);

    let mut columns: Vec<Column> = [Meta::ExportTime, Meta::Domain, Meta::Template]
        .into_iter()
        .map(Column::Meta)
        .collect();
    columns.extend(keys.0.iter().filter_map(|k| Column::parse(k).ok()));
    let opts = PrintOptions {
        header: true,
        ..PrintOptions::default()
    };
    let mut out = Vec::new();
    let mut csv = CsvPrinter::new(&mut out, columns, opts);
    run(data, &mut csv, &model);
});

//! Arbitrary text as a filter expression: parsing and type checking must never panic, and an
//! expression that parses must compile against any template and evaluate on any record bytes.
//! Input: the expression, a NUL, then bytes used as the record.
//!
//! The expression is also tried wrapped in deep nesting (parentheses up to past the parser's
//! depth limit, long runs of `!` and `not`, long `or` chains of itself), so deep trees are
//! compiled and evaluated too. `filter_expr.dict` lists the language's words for `-dict=`.

#![no_main]

use ipfixkit::filter::{Filter, Scratch, parse::MAX_DEPTH};
use ipfixkit::ipfix::template::resolve_with;
use ipfixkit::ipfix::{InfoModel, VARLEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (expr, record) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let expr = String::from_utf8_lossy(expr);
    let model = InfoModel::builtin();
    // A fixed and a variable-length template with the IEs the shorthands use.
    let fixed = resolve_with(&model, 256, 0, &[(0, 8, 4), (0, 12, 4), (0, 7, 2), (0, 11, 2), (0, 4, 1), (0, 1, 4), (0, 152, 8), (0, 6, 1), (0, 2, 8)]);
    let varlen = resolve_with(&model, 257, 0, &[(0, 27, 16), (0, 96, VARLEN), (0, 1, 8), (0, 291, VARLEN), (0, 56, 6), (0, 6, 2), (0, 150, 4)]);
    let run = |text: &str| {
        let Ok(f) = Filter::parse(text, &model) else { return };
        let mut s = Scratch::default();
        for t in [&fixed, &varlen] {
            let c = f.compile(t);
            let n = t.fixed_len.unwrap_or(record.len()).min(record.len());
            let _ = c.matches(t, &record[..n], &mut s);
        }
    };
    run(&expr);
    // The first record byte picks a deep wrapping (kept small so most runs stay fast).
    let Some(&k) = record.first() else { return };
    let n = (k as usize) % 8;
    let deep = match n {
        0 => format!("{}{expr}{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH)),
        1 => format!("{}{expr}{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1)),
        2 => format!("{}{expr}", "!".repeat(2001)),
        3 => format!("{}{expr}", "not ".repeat(2000)),
        4 => format!("{}{expr}{}", "!(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH)),
        5 => vec![&*expr; 500].join(" or "),
        6 => vec![&*expr; 500].join(" && "),
        _ => return,
    };
    run(&deep);
});

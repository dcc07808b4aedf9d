//! What to tell a user whose filter expression does not parse: the error under an excerpt of
//! the expression with a caret, or, when the "expression" is a file name or was not quoted,
//! how to write the command instead.

use super::{Filter, FilterError};
use crate::ipfix::InfoModel;

/// The message for an expression that does not parse. When the expression is a file name
/// (`filter a.ipfix`) or the expression was not quoted (`filter proto tcp a.ipfix` reads `proto`
/// as the expression), it says so; otherwise it shows the error under an excerpt of the
/// expression (a long one is cut around the column) with a caret.
pub fn explain(expr: &str, files: &[String], model: &InfoModel, e: &FilterError) -> String {
    const QUOTE: &str = "the first argument is the expression; quote it";
    let fileish = [".ipfix", ".gz", ".zst", ".bz2", ".xz", ".ipf"]
        .iter()
        .any(|x| expr.ends_with(x))
        || std::path::Path::new(expr).is_file();
    if fileish && expr.len() < 4096 {
        return format!(
            "filter: {expr:?} is a file name, but {QUOTE}: ipfixkit filter 'proto tcp' {expr}"
        );
    }
    // The leading arguments that are not files, joined to the expression, may parse.
    let words: Vec<&str> = files
        .iter()
        .take(16)
        .take_while(|f| *f != "-" && !std::path::Path::new(f.as_str()).exists())
        .map(String::as_str)
        .collect();
    for k in 1..=words.len() {
        let joined = format!("{expr} {}", words[..k].join(" "));
        if Filter::parse(&joined, model).is_ok() {
            let rest = files[k..].join(" ");
            return format!("filter: {QUOTE}: ipfixkit filter '{joined}' {rest}");
        }
    }
    let chars: Vec<char> = expr.chars().collect();
    let at = e.column.saturating_sub(1).min(chars.len());
    let (from, to) = if chars.len() <= 76 {
        (0, chars.len())
    } else {
        let from = at.saturating_sub(35);
        (from, (from + 70).min(chars.len()))
    };
    let head = if from > 0 { "..." } else { "" };
    let tail = if to < chars.len() { "..." } else { "" };
    let shown: String = chars[from..to].iter().collect();
    let pad = " ".repeat(head.len() + at - from);
    format!("filter expression: {e}\n  {head}{shown}{tail}\n  {pad}^")
}

//! The one progress bar helper: bytes done of total, on stderr. By default it is drawn only
//! when stderr is a terminal and the records do not go to that same terminal; `--progress`
//! draws it whatever stderr is (a log then gets the bar's redraws), `--no-progress` never.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// When to draw a progress bar (`--progress` / `--no-progress` / neither).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Auto,
    Always,
    Never,
}

/// A progress bar over `total` bytes. `records_on_terminal`: the command's output goes to
/// stdout and stdout is a terminal (a bar would be drawn over the records).
pub fn bytes_bar(total: u64, when: When, records_on_terminal: bool) -> ProgressBar {
    let target = match when {
        When::Never => return ProgressBar::hidden(),
        When::Auto if !std::io::stderr().is_terminal() || records_on_terminal => {
            return ProgressBar::hidden();
        }
        When::Auto => ProgressDrawTarget::stderr(),
        // indicatif hides a `Term` target that is not a terminal; a `TermLike` one is drawn.
        When::Always => ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 4),
    };
    let pb = ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
    ) {
        pb.set_style(style);
    }
    pb
}

/// The size on disk of the inputs that are files (stdin and pipes count 0).
pub fn total_size<S: AsRef<str>>(paths: &[S]) -> u64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p.as_ref()).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

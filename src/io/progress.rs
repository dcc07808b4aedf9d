//! The one progress bar helper: bytes done of total, drawn on stderr only when it is a
//! terminal (and not with `--no-progress`), never in pipelines or CI logs.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar over `total` bytes, hidden unless `enabled` and stderr is a terminal.
pub fn bytes_bar(total: u64, enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
    ) {
        pb.set_style(style);
    }
    pb
}

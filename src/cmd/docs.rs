//! Hidden `docs`: man pages and shell completions from the clap definitions, so they never
//! drift from `--help` (a test regenerates them and compares with `man/` and `completions/`).

use super::{Cli, Error};
use clap::CommandFactory;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to write.
    #[arg(value_enum)]
    pub what: What,
    /// Directory to write into.
    pub dir: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum What {
    Man,
    Completions,
}

pub fn run(args: &Args) -> Result<(), Error> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Error::Failed(format!("{}: {e}", args.dir.display())))?;
    match args.what {
        What::Man => write_man(&args.dir),
        What::Completions => write_completions(&args.dir),
    }
    .map_err(|e| Error::Failed(format!("{}: {e}", args.dir.display())))
}

/// Writes `ipfixkit.1` and `ipfixkit-<sub>.1` for each visible subcommand. Each page is
/// clap_mangen's sections with the command's examples added as a verbatim block (`.nf`), so
/// man does not fill them into a paragraph; the synopsis names the command as it is typed,
/// `ipfixkit cat`.
pub fn write_man(dir: &Path) -> std::io::Result<()> {
    let cmd = Cli::command();
    std::fs::write(
        dir.join("ipfixkit.1"),
        man_page(cmd.clone(), super::examples(""))?,
    )?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let file: &'static str = Box::leak(format!("ipfixkit-{}", sub.get_name()).into_boxed_str());
        let typed: &'static str =
            Box::leak(format!("ipfixkit {}", sub.get_name()).into_boxed_str());
        let version: &'static str =
            Box::leak(cmd.get_version().unwrap_or("").to_string().into_boxed_str());
        let examples = super::examples(sub.get_name());
        let page = sub
            .clone()
            .name(file)
            .display_name(file)
            .bin_name(typed)
            .version(version);
        std::fs::write(dir.join(format!("{file}.1")), man_page(page, examples)?)?;
    }
    Ok(())
}

fn man_page(cmd: clap::Command, examples: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd);
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    man.render_subcommands_section(&mut buf)?;
    if !examples.is_empty() {
        let body = examples.strip_prefix("Examples:\n").unwrap_or(examples);
        buf.extend_from_slice(b".SH EXAMPLES\n.nf\n");
        for line in body.lines() {
            buf.extend_from_slice(roff_line(line).as_bytes());
            buf.push(b'\n');
        }
        buf.extend_from_slice(b".fi\n");
    }
    man.render_extra_section(&mut buf)?;
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// A line of text for roff: backslashes and hyphens escaped, a leading control character
/// neutralised.
fn roff_line(line: &str) -> String {
    let mut s = String::with_capacity(line.len() + 8);
    if line.starts_with('.') || line.starts_with('\'') {
        s.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => s.push_str("\\e"),
            '-' => s.push_str("\\-"),
            '\'' => s.push_str("\\(aq"),
            _ => s.push(c),
        }
    }
    s
}

pub fn write_completions(dir: &Path) -> std::io::Result<()> {
    use clap_complete::Shell;
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut cmd = Cli::command();
        clap_complete::generate_to(shell, &mut cmd, "ipfixkit", dir)?;
    }
    Ok(())
}

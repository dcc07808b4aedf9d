//! Hidden `generate`: man pages and shell completions from the clap definitions, so they never
//! drift from `--help` (a test regenerates them and compares with `man/` and `completions/`).

use super::{Cli, Failure};
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

pub fn run(args: &Args) -> Result<(), Failure> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Failure::failed(format!("{}: {e}", args.dir.display())))?;
    match args.what {
        What::Man => write_man(&args.dir),
        What::Completions => write_completions(&args.dir),
    }
    .map_err(|e| Failure::failed(format!("{}: {e}", args.dir.display())))
}

/// Writes `ipfixkit.1` and `ipfixkit-<sub>.1` for each visible subcommand.
pub fn write_man(dir: &Path) -> std::io::Result<()> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    std::fs::write(dir.join("ipfixkit.1"), buf)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name: &'static str = Box::leak(format!("ipfixkit-{}", sub.get_name()).into_boxed_str());
        let version: &'static str =
            Box::leak(cmd.get_version().unwrap_or("").to_string().into_boxed_str());
        let sub = sub.clone().name(name).display_name(name).version(version);
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub).render(&mut buf)?;
        std::fs::write(dir.join(format!("{name}.1")), buf)?;
    }
    Ok(())
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

//! The `ipfixkit` binary: parse the command line, dispatch, map failures to exit codes
//! (0 ok, 1 some input or output failed, 2 usage). A broken pipe ends quietly with 0.

use clap::Parser;
use ipfixkit::cmd::{self, Cli, Command, Failure};

fn main() {
    let cli = Cli::parse();
    // Interrupted runs remove their temporaries and exit 130/143/129.
    if let Err(e) = ipfixkit::io::temp::remove_on_signals() {
        eprintln!("ipfixkit: warning: cannot handle signals: {e}");
    }
    let result: Result<(), Failure> = match &cli.command {
        Command::Cat(a) => cmd::cat::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Filter(a) => cmd::filter::run(a),
        Command::Docs(a) => cmd::docs::run(a),
    };
    if let Err(f) = result {
        if let Some(m) = f.message {
            let m = if m.starts_with("ipfixkit:") {
                m
            } else {
                format!("ipfixkit: {m}")
            };
            eprintln!("{m}");
        }
        std::process::exit(f.code);
    }
}

//! The `ipfixkit` binary: parse the command line, dispatch, map failures to exit codes
//! (0 ok, 1 some input or output failed, 2 usage). A broken pipe ends quietly with 0.

use clap::Parser;
use ipfixkit::cmd::{self, Cli, Command};

fn main() {
    let cli = Cli::parse();
    // Interrupted runs remove their temporaries and exit 130/143/129.
    if let Err(e) = ipfixkit::io::temp::remove_on_signals() {
        eprintln!("ipfixkit: warning: cannot handle signals: {e}");
    }
    let result = match &cli.command {
        Command::Cat(a) => cmd::cat::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Filter(a) => cmd::filter::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Gen(a) => cmd::generate::run(a),
        Command::Pcap2ipfix(a) => cmd::pcap2ipfix::run(a),
        Command::Docs(a) => cmd::docs::run(a),
    };
    if let Err(e) = result {
        if let Some(m) = e.message() {
            eprintln!("{m}");
        }
        std::process::exit(e.code());
    }
}

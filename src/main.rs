//! Entry point: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 findings at/above the threshold or unparsable files, 2 usage or
//! configuration errors).
use std::process::ExitCode;

use clap::Parser;
use soclint::app;
use soclint::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Check(args) => app::check(args),
        Command::Rules(args) => app::list_rules(args),
        Command::Explain { rule_id, rules } => app::explain(rule_id, rules),
        Command::Test(args) => app::test(args),
        Command::Report(args) => soclint::evidence::command::report(args),
        Command::Baseline(args) => app::baseline(args),
        Command::Criteria { rules, format } => app::list_criteria(rules, *format),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(app::Fatal(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(app::EXIT_USAGE)
        }
    }
}

// The scan allocates many small nodes on every thread; mimalloc's per-thread
// heaps make that markedly cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

//! The subcommands, one file each, between parsed arguments ([`crate::cli`])
//! and an exit code. Shared plumbing lives below them: config, rules and the
//! scan in [`crate::project`], report writing in [`output`].
pub mod baseline;
pub mod check;
pub mod completions;
pub mod criteria;
pub mod explain;
pub mod fix;
pub mod init;
pub mod lsp;
pub mod output;
pub mod report;
pub mod report_targets;
pub mod rules;
pub mod test;
pub mod verify_manifest;

use miette::Report;

use crate::cli::{Cli, Command, LimitArgs, RuleSourceArgs};
use crate::project::{RuleOverrides, ScanOverrides};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// A failure that ends the run with exit code 2, rendered by miette.
pub struct Fatal(pub Report);

impl<E: miette::Diagnostic + Send + Sync + 'static> From<Box<E>> for Fatal {
    fn from(e: Box<E>) -> Self {
        Fatal(Report::new_boxed(e))
    }
}

/// A [`crate::project::Error`] (already a report) ends the run the same way.
impl From<Report> for Fatal {
    fn from(report: Report) -> Self {
        Fatal(report)
    }
}

pub(crate) fn fatal(msg: impl Into<String>) -> Fatal {
    Fatal(miette::miette!("{}", msg.into()))
}

/// Runs the subcommand `cli` names; the exit code, or the failure that ends
/// the run with [`EXIT_USAGE`].
pub fn run(cli: &Cli) -> Result<u8, Fatal> {
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain {
            rule_id,
            rules,
            framework,
        } => explain::run(rule_id, rules, framework),
        Command::Test(args) => test::run(args),
        Command::Report(args) => report::run(args),
        Command::VerifyManifest(args) => verify_manifest::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Init(args) => init::run(args),
        Command::Criteria {
            rules,
            format,
            framework,
        } => criteria::run(rules, *format, *framework),
        Command::Completions { shell } => completions::completions(*shell),
        Command::Man { subcommand } => completions::man(subcommand.as_deref()),
        Command::Lsp => lsp::run(),
    }
}

impl From<&RuleSourceArgs> for RuleOverrides {
    fn from(args: &RuleSourceArgs) -> Self {
        RuleOverrides {
            config: args.config.clone(),
            no_config: args.no_config,
            rules: args.rules.clone(),
            no_builtin: args.no_builtin,
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        }
    }
}

/// The threads and limits flags; Terraform variables are `check`'s alone.
impl From<&LimitArgs> for ScanOverrides {
    fn from(limits: &LimitArgs) -> Self {
        ScanOverrides {
            threads: limits.threads,
            max_file_size: limits.max_file_size,
            max_depth: limits.max_depth,
            max_nodes: limits.max_nodes,
            max_alias_nodes: limits.max_alias_nodes,
            ..ScanOverrides::default()
        }
    }
}

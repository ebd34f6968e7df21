//! Command-line types (clap derive) only; `main.rs` wires them to the library.
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "soclint",
    version,
    about = "Check infrastructure-as-code and policy documents against SOC 2 controls"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for violations.
    Check(CheckArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Everything about one rule.
    Explain {
        /// A rule id, e.g. AWS-S3-001.
        rule_id: String,
        #[command(flatten)]
        rules: RuleSourceArgs,
    },
    /// Run rules against their fixtures (`<target>/<RULE-ID>/{fail,pass}/`).
    Test(TestArgs),
    /// Record today's findings in `.soclint-baseline.json` (by fingerprint), so
    /// `check --baseline` reports only new ones.
    Baseline(BaselineArgs),
    /// The Trust Services Criteria and how many active rules cover each.
    Criteria {
        #[command(flatten)]
        rules: RuleSourceArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Compact,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[derive(Debug, Clone, clap::Args, Default)]
pub struct RuleSourceArgs {
    /// A soclint.toml to use instead of the one in the scanned root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A directory (or file) of extra TOML rules; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Only these rules: ids, id prefixes or criteria (CC6, CC6.1); repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules: ids, id prefixes or criteria; repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Report format: human (default), compact, json, sarif, github, junit,
    /// markdown; `FORMAT:FILE` writes it to FILE. Repeatable.
    #[arg(long, value_name = "FORMAT[:FILE]")]
    pub format: Vec<String>,
    /// Where a report goes: `FILE` (the last --format without a file) or
    /// `FORMAT=FILE`. Repeatable. At most one report goes to standard output.
    #[arg(long, short, value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Also list suppressed findings (JSON and SARIF always carry them).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report only findings not in this baseline file, and list its entries that no longer occur.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Scan only files changed since the merge base with REF (git), keeping
    /// each Terraform file's module as context.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// With --changed-since: report only findings on changed lines.
    #[arg(long, requires = "changed_since")]
    pub changed_lines_only: bool,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Files larger than this many bytes are skipped with a notice.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Deepest nesting accepted in a document.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BaselineArgs {
    /// The directory to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Where to write it (default: `.soclint-baseline.json` in the scanned directory).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RulesArgs {
    /// Only rules mapped to this criterion or family (CC6.1, CC6).
    #[arg(long)]
    pub criteria: Option<String>,
    /// Only rules for this target (terraform, kubernetes, …).
    #[arg(long)]
    pub target: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// Fixture directories laid out as `<target>/<RULE-ID>/{fail,pass}/`.
    #[arg(default_value = "fixtures")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Treat a rule without fixtures as a failure.
    #[arg(long)]
    pub require_fixtures: bool,
}

//! Command-line types (clap derive) only; [`crate::commands`] runs them.
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::frameworks::Framework;

#[derive(Debug, Parser)]
#[command(
    name = "soclint",
    version = crate::version::SHORT,
    long_version = crate::version::LONG,
    about = "Check infrastructure-as-code and policy documents against SOC 2 controls"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// parsed once per run: the size of the largest variant (`check`'s many
// flags) costs nothing worth a box
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for violations.
    Check(CheckArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Everything about one rule; for a criterion (CC6.1), the rules that
    /// test it; for a Checkov id (CKV_AWS_20), the rules that cover it.
    Explain {
        /// A rule id (AWS-S3-001), a criterion (CC6.1) or a Checkov id (CKV_AWS_20).
        rule_id: String,
        #[command(flatten)]
        rules: RuleSourceArgs,
        /// Show the mappings into these frameworks only (default: every framework).
        #[arg(long, value_enum, value_delimiter = ',')]
        framework: Vec<Framework>,
    },
    /// Run rules against their fixtures (`<target>/<RULE-ID>/{fail,pass}/`).
    Test(TestArgs),
    /// Scan and write the SOC 2 evidence report (per-criterion results, findings,
    /// exceptions, coverage and, with a history file, status over time).
    Report(ReportArgs),
    /// Re-hash every file an evidence manifest lists (`report --manifest`)
    /// and name each one changed, missing or refused; reads only inside
    /// --root and the manifest's directory, writes nothing.
    VerifyManifest(VerifyManifestArgs),
    /// Record today's findings in `.soclint-baseline.json` (by fingerprint), so
    /// `check --baseline` reports only new ones.
    Baseline(BaselineArgs),
    /// Inspect the repository (what it holds, its CI, where it keeps its
    /// policies, other scanners' skip comments) and write a commented
    /// soclint.toml; with --baseline, accept today's findings too. Running it
    /// again changes nothing.
    Init(InitArgs),
    /// The Trust Services Criteria and how many active rules cover each.
    Criteria {
        #[command(flatten)]
        rules: RuleSourceArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// List this framework's controls instead of the Trust Services Criteria.
        #[arg(long, value_enum, default_value_t = Framework::Tsc)]
        framework: Framework,
    },
    /// Print a shell completion script
    /// (`soclint completions bash > ~/.local/share/bash-completion/completions/soclint`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of soclint, or of one subcommand
    /// (`soclint man > soclint.1`, `soclint man check > soclint-check.1`).
    Man {
        /// A subcommand (check, rules, ...); none: soclint itself.
        subcommand: Option<String>,
    },
    /// Run the language server on standard input and output, for editors:
    /// diagnostics for open files as `check` reports them.
    Lsp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Compact,
    Json,
    Sarif,
    Github,
    /// GitLab's code quality report (`artifacts:reports:codequality`).
    Gitlab,
    Junit,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    Severity,
    Path,
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
    /// The evidence model and every rule's population (each evaluation with its verdict).
    Json,
    /// The populations only, one row per evaluation, for a spreadsheet.
    Csv,
    /// NIST OSCAL 1.2 assessment results (JSON): an observation per rule with
    /// its population, a finding per control and per criterion in scope.
    OscalAr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// Which Kustomize kustomizations `check` builds and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KustomizeRoots {
    /// Those no other kustomization includes (what is deployed).
    Overlays,
    /// Those other kustomizations include, and those that include none.
    Bases,
    /// Every kustomization (components are applied, never built alone).
    Both,
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
    /// A soclint.toml to use instead of the nearest one at or above the
    /// scanned path (up to the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use no soclint.toml from the scanned tree (defaults, or --config):
    /// a pull request's own soclint.toml then changes nothing.
    #[arg(long)]
    pub no_config: bool,
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
    /// Report format: human (default), compact, json, sarif, github, gitlab,
    /// junit, markdown; `FORMAT:FILE` writes it to FILE. Repeatable.
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
    /// What a file that did not parse or was not scanned does to the run:
    /// `error`, `warn` or `ignore` for every kind, or `KIND=ACTION`
    /// (`too-large=warn`, `symlink=error`, `parse-error=ignore`); repeatable,
    /// after `on-unscanned` in soclint.toml.
    #[arg(long, value_name = "[KIND=]ACTION")]
    pub on_unscanned: Vec<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// A Terraform variables file applied to every root module (repeatable; after
    /// `terraform.tfvars` and `*.auto.tfvars`).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A Terraform variable for every root module, `name=value` (repeatable; last wins).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Helm values file for every chart (repeatable; later files win, as
    /// `helm template -f`).
    #[arg(long = "helm-values", value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,
    /// A Helm value for every chart, `key=value` (repeatable, as `helm --set`:
    /// `a.b=c`, `list[0]=x`, comma-separated pairs).
    #[arg(long = "helm-set", value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
    /// CloudFormation parameter values for every template: the JSON file
    /// `aws cloudformation deploy` takes (`{"Parameters": {"K": "V"}}` or
    /// `["K=V"]`), or `create-stack`'s `[{"ParameterKey", "ParameterValue"}]`
    /// (repeatable; later files win; inside the scanned directory).
    #[arg(long = "cfn-parameters", value_name = "FILE")]
    pub cfn_parameters: Vec<PathBuf>,
    /// Which Kustomize kustomizations are built and checked: `overlays`
    /// (those no other includes), `bases` (those included, and those that
    /// include none) or `both`. The files a checked build reads (manifests,
    /// patches) are checked in it, not on their own.
    #[arg(long = "kustomize-roots", value_enum, default_value = "overlays")]
    pub kustomize_roots: KustomizeRoots,
    /// Check a Terraform plan (`terraform show -json` output) instead of, or
    /// along with, the source; findings map back to the source when present.
    #[arg(long, value_name = "PLAN_JSON")]
    pub plan: Option<PathBuf>,
    /// More detail in the summary: each value that stayed unknown (where, why)
    /// with the rule evaluations it skipped, and the skips per rule (also in
    /// `--format json`, as `unknowns` and `summary.skipped_on_unknown`).
    #[arg(long, short)]
    pub verbose: bool,
    /// The order of findings in the human report: by severity (most severe
    /// first, then by path), by path, or by rule id.
    #[arg(long, value_enum, default_value_t = SortKey::Severity)]
    pub sort: SortKey,
    /// End the human report with a table of findings per rule.
    #[arg(long)]
    pub statistics: bool,
    /// In the human report, only the findings that fail the run, and the summary.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Exit 0 even when findings fail the run (configuration errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Colour in the human report: `auto` (on a terminal, unless NO_COLOR
    /// is set; FORCE_COLOR turns it on off a terminal), `always`, `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Also show each finding's controls in these frameworks (text reports
    /// and JSON), and add them as SARIF taxonomies; repeatable or
    /// comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub framework: Vec<Framework>,
    /// Apply the fixes rules define where they are unambiguous (a literal
    /// written at the key the fix sets, or an absent Terraform attribute),
    /// each checked by scanning the fixed text first; then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Print the fixes `--fix` would apply as a unified diff and change
    /// nothing (exit 1 when there is one).
    #[arg(long)]
    pub diff: bool,
}

impl CheckArgs {
    /// Whether paths were given (not just the default `.`).
    pub fn paths_given(&self) -> bool {
        !(self.paths.len() == 1 && self.paths[0] == std::path::Path::new("."))
    }
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
pub struct InitArgs {
    /// A directory of the repository (its root is found as git finds it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Also write today's findings to `.soclint-baseline.json` and name it
    /// in soclint.toml (`baseline = ...`), so `check` reports only new ones.
    #[arg(long)]
    pub baseline: bool,
    /// Also write a starter control matrix, `controls.toml` (one control per
    /// rule family, to edit), beside soclint.toml; never over an existing one.
    #[arg(long)]
    pub controls: bool,
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
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// With `--format markdown`: write the reference (README.md and one page
    /// per target) into this directory instead of printing it.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Only the rules mapped to this framework, with their controls in it.
    #[arg(long, value_enum)]
    pub framework: Option<Framework>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    /// The rule reference: an index and one page per target.
    Markdown,
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

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The repository (directory) to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Report format: html (default), markdown, json, csv, oscal-ar; `FORMAT:FILE`
    /// writes it to FILE. Repeatable, one scan for all:
    /// `--format html:evidence.html --format csv:population.csv` writes a
    /// summary page that links to the complete population beside it.
    #[arg(long, value_name = "FORMAT[:FILE]")]
    pub format: Vec<String>,
    /// Write the report (the --format without a file) to this file instead
    /// of standard output (file links in the report are made relative to it).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Append one JSON line for this run (time, commit, per-criterion
    /// pass/fail counts, rule-set hash) to FILE.
    #[arg(long, value_name = "FILE")]
    pub append_history: Option<PathBuf>,
    /// Add a history section from FILE (lines written by --append-history).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// A Type II review period, `FROM..TO` (dates, both included), judged from
    /// the --history runs: per control (or criterion), whether its checks
    /// ran at its frequency with no failing stretch longer than its grace,
    /// and the findings open during the period.
    #[arg(long, value_name = "FROM..TO", requires = "history")]
    pub period: Option<String>,
    /// Join these JSON evidence reports (files, or directories of `*.json`),
    /// one per repository, into an organisation report instead of scanning
    /// (`--format html`, `json` or `markdown`).
    #[arg(long, value_name = "REPORT", num_args = 1..)]
    pub merge: Vec<PathBuf>,
    /// The organisation's control matrix (default: `controls` in soclint.toml).
    #[arg(long, value_name = "FILE")]
    pub controls: Option<PathBuf>,
    /// Also read the results against this framework's controls.
    #[arg(long, value_enum)]
    pub framework: Option<Framework>,
    /// Write a JSON manifest with the SHA-256 of every file scanned, the rule
    /// set, the config and control matrix, and the reports written to files
    /// (`--output`, `--format FORMAT:FILE`), for `soclint verify-manifest`.
    #[arg(long, value_name = "FILE", conflicts_with = "merge")]
    pub manifest: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyManifestArgs {
    /// The manifest `soclint report --manifest` wrote.
    pub manifest: PathBuf,
    /// The scanned directory the manifest's inputs, rule files and config are
    /// relative to (reports are relative to the manifest's directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// Threads and the limits that keep hostile input bounded (every scanning command).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LimitArgs {
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Files larger than this many bytes are skipped with a notice.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Deepest nesting accepted in a document.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Most nodes one file may expand to (YAML aliases included).
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<usize>,
    /// Most nodes YAML aliases may copy in one file (billion-laughs budget).
    #[arg(long, value_name = "N")]
    pub max_alias_nodes: Option<usize>,
}

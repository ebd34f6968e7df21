//! `soclint baseline`: record today's findings so `check --baseline` reports
//! only new ones.
use super::output::write_output;
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::BaselineArgs;
use crate::filter;
use crate::output_file::Guard;
use crate::project::{configured_baseline, scan_directory, RuleOverrides, ScanOverrides};

/// `soclint baseline`: today's active findings (after suppressions and
/// waivers), and the files that did not parse or were not scanned.
pub fn run(args: &BaselineArgs) -> Result<u8, Fatal> {
    if !args.path.is_dir() {
        return Err(fatal(format!("{} is not a directory", args.path.display())));
    }
    let flags = ScanOverrides {
        threads: args.threads,
        ..ScanOverrides::default()
    };
    let prepared = scan_directory(&args.path, &RuleOverrides::from(&args.rules), &flags, false)?;
    let result = &prepared.result;
    // `-o FILE`, else the baseline soclint.toml names, else the default name
    let configured = configured_baseline(
        &prepared.config,
        prepared.config_path.as_deref(),
        args.rules.config.is_none(),
    )?;
    let out = args
        .output
        .clone()
        .or(configured)
        .unwrap_or_else(|| args.path.join(filter::baseline::FILE_NAME));
    let guard = Guard::new([args.path.as_path()]);
    let gaps = filter::baseline::gaps(result);
    let gap_count = gaps.len();
    write_output(
        Some(&out),
        &filter::baseline::render(&result.findings, gaps),
        &guard,
    )?;
    let plural = crate::wording::plural;
    eprintln!(
        "wrote {} and {} not scanned to {}",
        plural(result.findings.len(), "finding", "findings"),
        plural(gap_count, "file", "files"),
        out.display()
    );
    Ok(EXIT_OK)
}

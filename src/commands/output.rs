//! Writing reports: render a scan result in a format and send it to a file or
//! standard output. Command-line only (ruff's `printer.rs`); the formats
//! themselves live in [`crate::report`].
use std::io::Write;
use std::path::Path;

use super::{fatal, Fatal};
use crate::cli::{ColorChoice, OutputFormat, SortKey};
use crate::finding::ScanResult;
use crate::output_file::{self, Guard};
use crate::report;
use crate::rules::Severity;

/// How the human report looks: the `check` flags that shape it.
pub struct HumanOptions {
    pub verbose: bool,
    pub sort: SortKey,
    pub statistics: bool,
    pub quiet: bool,
    pub color: ColorChoice,
    pub fail_at: Option<Severity>,
}

/// Whether the human report is coloured: `--color always|never` decides;
/// with `auto`, a non-empty `NO_COLOR` turns colour off, then a
/// `FORCE_COLOR` other than empty, `0` or `false` turns it on (for CI logs
/// that render colour), else it is on for a terminal.
pub fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto => match set("FORCE_COLOR") {
            Some(v) => v != "0" && v != "false",
            None => to_terminal,
        },
    }
}

/// One report as text, for the formats that are built whole.
pub fn render(
    result: &ScanResult,
    format: OutputFormat,
    to_terminal: bool,
    human: &HumanOptions,
    ctx: &report::Context,
) -> String {
    match format {
        OutputFormat::Human => {
            let width = if to_terminal { terminal_width() } else { 100 };
            report::human::render(
                result,
                &report::human::Style {
                    color: use_color(human.color, to_terminal),
                    width,
                    verbose: human.verbose,
                    sort: match human.sort {
                        SortKey::Severity => report::human::Sort::Severity,
                        SortKey::Path => report::human::Sort::Path,
                        SortKey::Rule => report::human::Sort::Rule,
                    },
                    statistics: human.statistics,
                    quiet: human.quiet,
                    fail_at: human.fail_at,
                },
                ctx,
            )
        }
        OutputFormat::Compact => report::compact::render(result, ctx),
        OutputFormat::Json => report::json::render(result),
        OutputFormat::Sarif => report::sarif::render(result),
        OutputFormat::Github => report::github::render(result, ctx),
        OutputFormat::Gitlab => report::gitlab::render(result),
        OutputFormat::Junit => report::junit::render(result, ctx),
        OutputFormat::Markdown => report::markdown::render(result, ctx),
    }
}

/// `COLUMNS` when set (the human report wraps to it), else 100.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Writes a report to `path` (whole, never through a link the repository
/// planted: [`output_file`]), or to standard output.
pub fn write_output(path: Option<&Path>, text: &str, guard: &Guard) -> Result<(), Fatal> {
    match path {
        Some(p) => output_file::replace_with_text(p, guard, text).map_err(|e| cannot_write(p, e)),
        None => {
            print(text);
            Ok(())
        }
    }
}

/// Writes text to standard output.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`soclint check | head`) is not an error worth a message
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Like [`write_output`], for a report that writes itself piece by piece
/// (and buffers its own writes).
pub fn stream_output(
    path: Option<&Path>,
    guard: &Guard,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Fatal> {
    match path {
        Some(p) => output_file::replace(p, guard, write).map_err(|e| cannot_write(p, e)),
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`soclint check | head`) is not an error worth a message
            let _ = write(&mut out).and_then(|()| out.flush());
            Ok(())
        }
    }
}

/// The error for an output file that could not be written (the path is the
/// operator's own, from the command line, shown with terminal escapes made
/// visible all the same).
pub fn cannot_write(path: &Path, e: std::io::Error) -> Fatal {
    let message = format!("cannot write {}: {e}", path.display());
    fatal(crate::escape::terminal(&message))
}

//! Reporters: each is a pure function of the (sorted, filtered) scan result.
pub mod compact;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
mod pretty;
pub mod sarif;
mod snippet;

use crate::finding::{Finding, ScanResult, Suppression, SuppressionKind};
use crate::rules::Severity;
use crate::unscanned::{Reason, Skipped, Status};

/// What the caller decides for every reporter.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// List suppressed findings too (JSON and SARIF always carry them).
    pub show_suppressed: bool,
    /// `https://github.com/OWNER/REPO/blob/SHA/` when running in GitHub Actions,
    /// for links to findings in the Markdown summary.
    pub link_base: Option<String>,
    /// Frameworks whose controls text reports show beside the criteria.
    pub frameworks: Vec<crate::frameworks::Framework>,
    /// The findings `check --fix` would fix (the human report marks them).
    pub fixable: Fixable,
}

/// The findings of one result that `check --fix` would fix (a safe fix, not
/// a suggestion, built on the file's text), known by where they are in the
/// result: valid while its findings are not moved. Computed by the caller
/// (it reads the files) only for the formats that show it.
#[derive(Debug, Clone, Default)]
pub struct Fixable(Vec<usize>);

impl Fixable {
    /// Of `result`'s findings, those at `indices`.
    pub fn new(result: &ScanResult, indices: impl IntoIterator<Item = usize>) -> Fixable {
        let mut at: Vec<usize> = indices
            .into_iter()
            .filter_map(|i| result.findings.get(i))
            .map(|f| std::ptr::from_ref(f) as usize)
            .collect();
        at.sort_unstable();
        at.dedup();
        Fixable(at)
    }

    pub fn contains(&self, f: &Finding) -> bool {
        !self.0.is_empty()
            && self
                .0
                .binary_search(&(std::ptr::from_ref(f) as usize))
                .is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// ` [ISO 27001 A.8.11,A.8.24]` for each framework asked for (`[ISO 27001 -]`
/// where the rule is unmapped), in the order given.
pub fn framework_tags(rule: &crate::rules::RuleMeta, ctx: &Context) -> String {
    let mut out = String::new();
    for fw in &ctx.frameworks {
        let controls = crate::frameworks::controls(&rule.id, &rule.criteria, *fw);
        let list = if controls.is_empty() {
            "-".to_string()
        } else {
            controls.join(",")
        };
        out.push_str(&format!(" [{} {list}]", fw.short()));
    }
    out
}

/// The blob URL prefix from the GitHub Actions environment, if any.
pub fn github_link_base() -> Option<String> {
    let server = std::env::var("GITHUB_SERVER_URL").ok()?;
    let repo = std::env::var("GITHUB_REPOSITORY").ok()?;
    let sha = std::env::var("GITHUB_SHA").ok()?;
    Some(format!("{server}/{repo}/blob/{sha}/"))
}

/// Plain text for one criterion list: `CC6.1 · CC6.7`.
pub fn criteria_list(criteria: &[&str]) -> String {
    criteria.join(" · ")
}

/// SARIF / GitHub level of a severity: critical and high are errors, medium
/// and low warnings, info a note.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// `inSource: reason (until 2027-01-31)` for text reports.
pub fn describe_suppression(s: &Suppression) -> String {
    let mut out = format!(
        "{} at {}: {}",
        match s.kind {
            SuppressionKind::InSource => "comment",
            SuppressionKind::External => "waiver",
        },
        s.location,
        s.justification
    );
    if let Some(e) = &s.expires {
        out.push_str(&format!(" (until {e})"));
    }
    if let Some(o) = &s.owner {
        out.push_str(&format!(" owner {o}"));
    }
    if let Some(t) = &s.ticket {
        out.push_str(&format!(" ticket {t}"));
    }
    out
}

/// The findings a text report lists: active ones, then suppressed ones when asked.
pub fn listed<'a>(
    result: &'a crate::finding::ScanResult,
    ctx: &Context,
) -> impl Iterator<Item = &'a Finding> {
    let show = ctx.show_suppressed;
    result
        .findings
        .iter()
        .chain(result.suppressed.iter().filter(move |_| show))
}

/// Skipped files of one status and reason, as text reports group them.
pub struct SkipGroup<'a> {
    /// The gap fails the run (else it warns).
    pub error: bool,
    pub reason: Reason,
    pub files: Vec<&'a Skipped>,
}

/// The skipped files text reports list (those that fail the run, then those
/// that warn), grouped by reason, each group sorted by path.
pub fn skip_groups(result: &ScanResult) -> Vec<SkipGroup<'_>> {
    let mut groups: Vec<SkipGroup> = Vec::new();
    for error in [true, false] {
        for reason in Reason::ALL {
            let files: Vec<&Skipped> = result
                .skipped
                .iter()
                .filter(|s| s.reason == reason && (s.status == Status::Error) == error)
                .filter(|s| s.status.listed())
                .collect();
            if !files.is_empty() {
                groups.push(SkipGroup {
                    error,
                    reason,
                    files,
                });
            }
        }
    }
    groups
}

/// One line of a group of skipped files.
pub enum SkipLine<'a> {
    File(&'a Skipped),
    /// Several files of one directory, with their detail when they share it.
    Directory {
        dir: &'a str,
        files: usize,
        detail: Option<&'a str>,
    },
    /// Files beyond the lines shown.
    More(usize),
}

/// Lines a group is shown in: a directory with more than [`DIRECTORY_AT`]
/// files of the group is one line, and at most [`GROUP_LINES`] lines are
/// shown (the JSON and SARIF reports list every file).
pub const DIRECTORY_AT: usize = 3;
pub const GROUP_LINES: usize = 10;

pub fn skip_lines<'a>(files: &[&'a Skipped]) -> Vec<SkipLine<'a>> {
    let dir_of = |s: &'a Skipped| -> &'a str {
        let path = s.path.strip_suffix('/').unwrap_or(&s.path);
        path.rsplit_once('/').map_or("", |(d, _)| d)
    };
    let mut per_dir: std::collections::HashMap<&str, Vec<&Skipped>> = Default::default();
    for s in files {
        per_dir.entry(dir_of(s)).or_default().push(s);
    }
    let mut lines = Vec::new();
    let mut done: std::collections::HashSet<&str> = Default::default();
    let mut shown_files = 0;
    for s in files {
        if lines.len() == GROUP_LINES {
            break;
        }
        let dir = dir_of(s);
        let in_dir = &per_dir[dir];
        if in_dir.len() > DIRECTORY_AT && !dir.is_empty() {
            if done.insert(dir) {
                let first = &in_dir[0].detail;
                let same = in_dir.iter().all(|o| &o.detail == first);
                lines.push(SkipLine::Directory {
                    dir,
                    files: in_dir.len(),
                    detail: same.then_some(first.as_str()),
                });
                shown_files += in_dir.len();
            }
        } else {
            lines.push(SkipLine::File(s));
            shown_files += 1;
        }
    }
    if shown_files < files.len() {
        lines.push(SkipLine::More(files.len() - shown_files));
    }
    lines
}

/// `1 file` / `3 files`.
pub fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

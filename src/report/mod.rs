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

use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::rules::Severity;

/// What the caller decides for every reporter.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// List suppressed findings too (JSON and SARIF always carry them).
    pub show_suppressed: bool,
    /// `https://github.com/OWNER/REPO/blob/SHA/` when running in GitHub Actions,
    /// for links to findings in the Markdown summary.
    pub link_base: Option<String>,
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

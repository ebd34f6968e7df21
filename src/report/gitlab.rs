//! GitLab's code quality report (`artifacts:reports:codequality`): a JSON
//! array of issues with the fields GitLab reads, a subset of the Code Climate
//! issue format (<https://docs.gitlab.com/ci/testing/code_quality/>):
//! `description`, `check_name`, `fingerprint`, `severity` (`info`, `minor`,
//! `major`, `critical`, `blocker`) and `location.path` with
//! `location.lines.begin`. The merge request widget compares the issues of
//! the source and target branches by fingerprint, so each issue carries the
//! finding's fingerprint: stable when lines move, and unique (the filter
//! stage numbers repeats: `…-2`).
//!
//! The format has no place for a summary, so what soclint did not check is
//! listed as issues too: a file that could not be parsed (`parse-error`) and
//! a file passed over (`not-scanned`), `major` when the gap fails the run,
//! else `info`. Suppressed findings
//! are accepted exceptions and are left out. Paths are relative to the
//! scanned root: run soclint from the repository's root on `.` (the default)
//! for GitLab to link them.
use serde::Serialize;

use crate::escape::terminal;
use crate::finding::{fingerprint, ScanResult};
use crate::rules::Severity;
use crate::unscanned::Status;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
}

/// soclint's five severities onto GitLab's five, in order.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

/// A gap that fails the run is `major`, one that warns `info`.
fn gap_severity(status: &Status) -> &'static str {
    if *status == Status::Error {
        "major"
    } else {
        "info"
    }
}

/// GitLab wants paths "not prefixed with ./" (several roots give `./a/b.tf`).
fn repository_path(path: &str) -> String {
    path.strip_prefix("./").unwrap_or(path).to_string()
}

pub fn render(result: &ScanResult) -> String {
    let mut issues = Vec::with_capacity(result.findings.len() + result.errors.len());
    for f in &result.findings {
        let l = &f.location;
        issues.push(Issue {
            description: format!(
                "{} [{}] {}",
                f.rule.id,
                f.rule.criteria.join(", "),
                terminal(&f.message())
            ),
            check_name: f.rule.id.to_string(),
            fingerprint: f.fingerprint.to_string(),
            severity: severity(f.rule.severity),
            location: Location {
                path: repository_path(&f.path),
                lines: Lines {
                    begin: l.start_line.max(1) as usize,
                    end: (l.end_line > l.start_line).then_some(l.end_line as usize),
                },
            },
        });
    }
    for e in result.errors.iter().filter(|e| e.status.listed()) {
        issues.push(Issue {
            description: format!("file could not be parsed: {}", terminal(&e.message)),
            check_name: "parse-error".to_string(),
            fingerprint: fingerprint("parse-error", &e.path, "", &e.message),
            severity: gap_severity(&e.status),
            location: Location {
                path: repository_path(&e.path),
                lines: Lines {
                    begin: e.line.max(1),
                    end: None,
                },
            },
        });
    }
    for s in result.skipped.iter().filter(|s| s.status.listed()) {
        issues.push(Issue {
            description: format!("not scanned ({}): {}", s.reason.what(), terminal(&s.detail)),
            check_name: "not-scanned".to_string(),
            fingerprint: fingerprint("not-scanned", &s.path, s.reason.id(), ""),
            severity: gap_severity(&s.status),
            location: Location {
                path: repository_path(&s.path),
                lines: Lines {
                    begin: 1,
                    end: None,
                },
            },
        });
    }
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_keep_their_order() {
        let ours = [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ];
        let theirs: Vec<&str> = ours.into_iter().map(severity).collect();
        assert_eq!(theirs, ["info", "minor", "major", "critical", "blocker"]);
    }

    #[test]
    fn paths_lose_a_leading_dot_slash() {
        assert_eq!(repository_path("./infra/main.tf"), "infra/main.tf");
        assert_eq!(repository_path("infra/main.tf"), "infra/main.tf");
        assert_eq!(repository_path(".github/x.yml"), ".github/x.yml");
    }
}

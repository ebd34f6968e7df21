//! What a scan did not check, and the policy for it: the files (and
//! directories) passed over with their reason, and whether each gap fails
//! the run, warns, or is accepted.
//!
//! A skipped file is recorded by the lowest stage that passes it over:
//! discovery (a link, a device, a name that is not UTF-8, a format soclint
//! does not read, a walk error), parsing (over the size limit, templated
//! YAML, unreadable), rendering (a chart template that could not be
//! rendered) or Terraform evaluation (a directory no root evaluated). They
//! travel in [`crate::finding::ScanResult::skipped`] beside the parse errors,
//! and the filter stage gives each gap (parse errors included) a [`Status`]
//! from the [`Policy`], the waivers and the baseline. Every report lists
//! them. This module imports nothing of the crate, so every stage can use it.

/// Why a file was not scanned. Each has a stable id (`too-large`), used in
/// JSON, SARIF, the baseline, waivers and `--on-unscanned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Over `--max-file-size`.
    TooLarge,
    /// YAML with template markup (`{{ … }}`) that cannot be parsed as it is.
    Templated,
    /// A template its renderer could not render.
    Unrendered,
    /// A format that holds infrastructure code but that soclint does not
    /// read (OpenTofu, Bicep, Terragrunt, Kustomize overlays, …).
    Unsupported,
    /// A symbolic link that is not followed.
    Symlink,
    /// A FIFO, socket or device.
    NotRegularFile,
    /// Could not be read (permissions, I/O).
    Unreadable,
    /// The path is longer than the system accepts.
    PathTooLong,
    /// Left out by an ignore file (`.gitignore`, `.ignore`) when git could
    /// not say whether it is tracked.
    Ignored,
    /// Its name is not valid UTF-8: it could not be reported, suppressed or
    /// baselined by name.
    NonUtf8Name,
    /// A Terraform directory that no root module evaluated.
    NotEvaluated,
    /// A rule's test case (`<target>/<RULE-ID>/{fail,pass}/`): input made
    /// to break or pass a rule, not the repository's infrastructure.
    RuleFixture,
    /// A `.tf` (`.tf.json`) file beside a `.tofu` (`.tofu.json`) file of
    /// the same name: OpenTofu loads that one instead, and so does soclint.
    Overridden,
    /// An asset the AWS CDK staged in its cloud assembly (`cdk.out/asset.<hash>`):
    /// a copy of the app's code or Docker build context, checked where the
    /// repository keeps it, not as a second copy.
    CdkAsset,
}

impl Reason {
    pub const ALL: [Reason; 14] = [
        Reason::TooLarge,
        Reason::Templated,
        Reason::Unrendered,
        Reason::Unsupported,
        Reason::Symlink,
        Reason::NotRegularFile,
        Reason::Unreadable,
        Reason::PathTooLong,
        Reason::Ignored,
        Reason::NonUtf8Name,
        Reason::NotEvaluated,
        Reason::RuleFixture,
        Reason::Overridden,
        Reason::CdkAsset,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Reason::TooLarge => "too-large",
            Reason::Templated => "templated",
            Reason::Unrendered => "unrendered",
            Reason::Unsupported => "unsupported",
            Reason::Symlink => "symlink",
            Reason::NotRegularFile => "not-regular-file",
            Reason::Unreadable => "unreadable",
            Reason::PathTooLong => "path-too-long",
            Reason::Ignored => "ignored",
            Reason::NonUtf8Name => "non-utf8-name",
            Reason::NotEvaluated => "not-evaluated",
            Reason::RuleFixture => "rule-fixture",
            Reason::Overridden => "overridden",
            Reason::CdkAsset => "cdk-asset",
        }
    }

    pub fn from_id(id: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.id() == id)
    }

    /// What the reports say of one file skipped for this reason.
    pub fn what(self) -> &'static str {
        match self {
            Reason::TooLarge => "over the size limit",
            Reason::Templated => "templated YAML",
            Reason::Unrendered => "could not be rendered",
            Reason::Unsupported => "a format soclint does not read",
            Reason::Symlink => "a symbolic link",
            Reason::NotRegularFile => "not a regular file",
            Reason::Unreadable => "unreadable",
            Reason::PathTooLong => "path too long",
            Reason::Ignored => "left out by an ignore file",
            Reason::NonUtf8Name => "name not UTF-8",
            Reason::NotEvaluated => "not evaluated",
            Reason::RuleFixture => "a rule's test case",
            Reason::Overridden => "replaced by an OpenTofu file",
            Reason::CdkAsset => "an AWS CDK asset",
        }
    }

    /// What the reports say of a group of files skipped for this reason.
    pub fn heading(self) -> &'static str {
        match self {
            Reason::TooLarge => "over the size limit (--max-file-size)",
            Reason::Templated => "templated YAML, not parsed",
            Reason::Unrendered => "templates that could not be rendered",
            Reason::Unsupported => "formats soclint does not read",
            Reason::Symlink => "symbolic links, not followed",
            Reason::NotRegularFile => "not regular files (FIFO, socket, device)",
            Reason::Unreadable => "unreadable",
            Reason::PathTooLong => "paths too long",
            Reason::Ignored => "left out by an ignore file",
            Reason::NonUtf8Name => "names that are not UTF-8",
            Reason::NotEvaluated => "Terraform directories no root module evaluated",
            Reason::RuleFixture => "rule fixtures (test cases of rules, not infrastructure)",
            Reason::Overridden => {
                "Terraform files OpenTofu replaces with the .tofu file of the same name"
            }
            Reason::CdkAsset => "AWS CDK assets (staged copies of the app's code, not its source)",
        }
    }
}

/// A file (or directory) the scan passed over.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// Relative to the scanned root, forward slashes; a directory ends with
    /// `/`. A name that is not UTF-8 shows each invalid byte as `\xNN`.
    pub path: String,
    pub reason: Reason,
    /// Why, for a person: "6291456 bytes; the limit is 5242880".
    pub detail: String,
    /// Set by the filter stage.
    pub status: Status,
}

impl Skipped {
    pub fn new(path: impl Into<String>, reason: Reason, detail: impl Into<String>) -> Skipped {
        Skipped {
            path: path.into(),
            reason,
            detail: detail.into(),
            status: Status::Warning,
        }
    }

    pub fn gap(&self) -> Gap {
        Gap::Skipped(self.reason)
    }
}

/// What a coverage gap is: a file that did not parse, or one skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    ParseError,
    Skipped(Reason),
}

impl Gap {
    pub fn id(self) -> &'static str {
        match self {
            Gap::ParseError => "parse-error",
            Gap::Skipped(r) => r.id(),
        }
    }

    pub fn from_id(id: &str) -> Option<Gap> {
        if id == "parse-error" {
            Some(Gap::ParseError)
        } else {
            Reason::from_id(id).map(Gap::Skipped)
        }
    }
}

/// What a gap does to the run, once the filter stage has decided.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Status {
    /// Fails the run (exit code 1, unless `--fail-on never`).
    Error,
    /// Reported; the run does not fail for it.
    #[default]
    Warning,
    /// `--on-unscanned …=ignore`: counted, listed only in JSON and SARIF.
    Ignored,
    /// Accepted by a waiver in soclint.toml.
    Waived { location: String, reason: String },
    /// Listed in the baseline.
    Baselined,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Error => "error",
            Status::Warning => "warning",
            Status::Ignored => "ignored",
            Status::Waived { .. } => "waived",
            Status::Baselined => "baselined",
        }
    }

    /// Whether text reports list it (errors and warnings).
    pub fn listed(&self) -> bool {
        matches!(self, Status::Error | Status::Warning)
    }
}

/// `--on-unscanned` and `on-unscanned`: what a gap does to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Error,
    Warn,
    Ignore,
}

impl Action {
    pub fn from_name(s: &str) -> Option<Action> {
        match s {
            "error" => Some(Action::Error),
            "warn" => Some(Action::Warn),
            "ignore" => Some(Action::Ignore),
            _ => None,
        }
    }

    pub fn status(self) -> Status {
        match self {
            Action::Error => Status::Error,
            Action::Warn => Status::Warning,
            Action::Ignore => Status::Ignored,
        }
    }
}

/// The action for each kind of gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    parse_error: Action,
    skipped: [Action; Reason::ALL.len()],
}

impl Default for Policy {
    /// A file that did not parse, an IaC file over the size limit and a file
    /// whose name is not UTF-8 (it cannot be named in a report, yet Terraform
    /// loads it) fail the run; every other gap warns.
    fn default() -> Self {
        let mut p = Policy {
            parse_error: Action::Error,
            skipped: [Action::Warn; Reason::ALL.len()],
        };
        p.set(Gap::Skipped(Reason::TooLarge), Action::Error);
        p.set(Gap::Skipped(Reason::NonUtf8Name), Action::Error);
        // deliberately broken test input is no gap in the repository's evidence
        p.set(Gap::Skipped(Reason::RuleFixture), Action::Ignore);
        // a staged copy of code the repository holds elsewhere
        p.set(Gap::Skipped(Reason::CdkAsset), Action::Ignore);
        p
    }
}

impl Policy {
    pub fn action(&self, gap: Gap) -> Action {
        match gap {
            Gap::ParseError => self.parse_error,
            Gap::Skipped(r) => self.skipped[r as usize],
        }
    }

    pub fn set(&mut self, gap: Gap, action: Action) {
        match gap {
            Gap::ParseError => self.parse_error = action,
            Gap::Skipped(r) => self.skipped[r as usize] = action,
        }
    }

    /// One setting: `ACTION` (every gap) or `GAP=ACTION` (`too-large=warn`).
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        let (gap, action) = match spec.split_once('=') {
            Some((g, a)) => (Some(g.trim()), a.trim()),
            None => (None, spec.trim()),
        };
        let action = Action::from_name(action).ok_or_else(|| {
            format!(
                "`{action}` is not an action for unscanned files (expected error, warn or ignore)"
            )
        })?;
        match gap {
            None => {
                self.parse_error = action;
                self.skipped = [action; Reason::ALL.len()];
            }
            Some(id) => {
                let gap = Gap::from_id(id).ok_or_else(|| {
                    format!(
                        "`{id}` is not a kind of unscanned file (expected parse-error, {})",
                        Reason::ALL.map(Reason::id).join(", ")
                    )
                })?;
                self.set(gap, action);
            }
        }
        Ok(())
    }
}

/// A path for reports from a name that may not be UTF-8: valid text as it
/// is, each invalid byte as `\xNN`, so two such names never look the same.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::from_id(r.id()), Some(r));
            assert_eq!(Gap::from_id(r.id()), Some(Gap::Skipped(r)));
            assert_eq!(Reason::ALL[r as usize], r);
        }
        assert_eq!(Gap::from_id("parse-error"), Some(Gap::ParseError));
        assert_eq!(Gap::from_id("nope"), None);
    }

    #[test]
    fn policy_defaults_and_settings() {
        let mut p = Policy::default();
        assert_eq!(p.action(Gap::ParseError), Action::Error);
        assert_eq!(p.action(Gap::Skipped(Reason::TooLarge)), Action::Error);
        assert_eq!(p.action(Gap::Skipped(Reason::NonUtf8Name)), Action::Error);
        assert_eq!(p.action(Gap::Skipped(Reason::Symlink)), Action::Warn);
        p.apply("ignore").unwrap();
        assert_eq!(p.action(Gap::ParseError), Action::Ignore);
        p.apply("symlink=error").unwrap();
        assert_eq!(p.action(Gap::Skipped(Reason::Symlink)), Action::Error);
        assert_eq!(p.action(Gap::Skipped(Reason::Templated)), Action::Ignore);
        assert!(p
            .apply("symlinks=error")
            .unwrap_err()
            .contains("not a kind"));
        assert!(p.apply("fail").unwrap_err().contains("not an action"));
    }

    #[test]
    fn invalid_bytes_are_shown_distinctly() {
        assert_eq!(display_bytes(b"a\xfe.tf"), "a\\xFE.tf");
        assert_eq!(display_bytes(b"a\xff.tf"), "a\\xFF.tf");
        assert_eq!(display_bytes("ü.tf".as_bytes()), "ü.tf");
    }
}

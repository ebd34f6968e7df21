//! The one type every reporter renders, and what else a scan produced.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::document::Span;
use crate::rules::{RuleMeta, Severity};
use crate::unscanned::{Skipped, Status};

/// 1-based line and column (columns count characters) of a span's ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Location {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Arc<RuleMeta>,
    /// Relative to the scanned root, forward slashes.
    pub path: String,
    /// Byte span in the file; `None` for a finding about a file as a whole (one
    /// that is missing, or should not exist).
    pub span: Option<Span>,
    /// Filled from `span` once, after evaluation.
    pub location: Location,
    /// Address of the resource (`aws_s3_bucket.logs`).
    pub resource: String,
    pub message: String,
    /// The short text under the underline: the rule's `label`; empty means the
    /// message serves.
    pub label: String,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// The other places the finding involves, each with its [`Role`]: where
    /// a value set elsewhere lands (the primary is then where it was set),
    /// the `module` blocks that led to a module's resource (outermost first),
    /// the rendered place of a Helm template finding.
    pub related: Vec<Site>,
    /// Stable identity across edits that move the finding (see
    /// [`fingerprint`]), taken at the landing site when there is one.
    pub fingerprint: String,
    /// Set by the filter stage when an inline comment or a waiver accepts it.
    /// Boxed: rare, and large next to the rest of a finding.
    pub suppression: Option<Box<Suppression>>,
}

/// A place a finding involves besides its primary location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// As [`Finding::path`]; empty when the place is not a file of the scan
    /// (a `--var` on the command line), and then `note` says what it is.
    pub path: String,
    pub span: Option<Span>,
    /// Filled from `span` once, after evaluation (all zero without one).
    pub location: Location,
    pub role: Role,
    /// What the place is to the finding, for a person: "`acl` in
    /// terraform.tfvars, used by `aws_s3_bucket_acl.b`", "module called here".
    pub note: String,
}

/// What a [`Site`] is to its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Where the rule met the value: the attribute of the resource, when the
    /// value was set elsewhere (the finding's primary location is then where
    /// it was set: a module argument, a variables file, a default, a local,
    /// a parameter's default).
    Landing,
    /// Where the value was set when that is not a place in the scan (the
    /// command line, a variables file outside it): the primary stays at the
    /// landing.
    SetAt,
    /// A `module` block that called the module the finding is in.
    ModuleCall,
    /// Where the finding is in a rendered template (the finding itself is at
    /// the source of the offending bytes: a values line or a template line).
    Rendered,
    /// A place that only matters for matching (suppression comments,
    /// changed lines), never shown.
    Hidden,
}

impl Role {
    /// The name in JSON and SARIF.
    pub fn name(self) -> &'static str {
        match self {
            Role::Landing => "landing",
            Role::SetAt => "set-at",
            Role::ModuleCall => "module-call",
            Role::Rendered => "rendered",
            Role::Hidden => "hidden",
        }
    }
}

/// Why a finding is not reported as active: an accepted exception.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    /// `inSource` (a comment in the file) or `external` (a waiver in soclint.toml).
    pub kind: SuppressionKind,
    pub justification: String,
    /// Where it is written: `path:line`.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    InSource,
    External,
}

/// An inline `soclint:ignore` comment found while the file's text was at hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Directive {
    pub path: String,
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column where `soclint:ignore` starts.
    pub column: usize,
    /// Whether code precedes the comment on its line (it then covers that line only).
    pub trailing: bool,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD` as written.
    pub until: Option<String>,
    /// Who accepted the risk (`owner=`).
    pub owner: Option<String>,
    /// The ticket that records the acceptance (`ticket=`).
    pub ticket: Option<String>,
    /// Set when the comment could not be read (bad date, no rule id).
    pub problem: Option<String>,
}

/// A stable hash of what a finding is about, not where it sits: rule id, path,
/// resource address and the offending text with whitespace collapsed.
/// Inserting lines above a finding leaves it unchanged; the same resource in
/// another file gets another one. 32 hex digits: SHA-256 truncated to 128
/// bits, so a pull request cannot craft a resource whose fingerprint is that
/// of a finding someone baselined or dismissed.
pub fn fingerprint(rule_id: &str, path: &str, resource: &str, text: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    feed_parts(rule_id, path, resource, text, |b| h.update(b));
    hex(&h.finalize()[..16])
}

/// The fingerprint soclint computed before SHA-256 (two 64-bit FNV-1a
/// halves over the same parts), which version 1 baselines hold: computed
/// only to match such a baseline's entries.
pub fn legacy_fingerprint(rule_id: &str, path: &str, resource: &str, text: &str) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    feed_parts(rule_id, path, resource, text, |bytes| {
        for &byte in bytes {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    });
    format!("{a:016x}{b:016x}")
}

/// The fingerprint of `f`, about `text` in `path` (its own, or where its
/// value lands when it points where the value was set); with `legacy`, also
/// records (fingerprint, legacy fingerprint) there, to match a version 1
/// baseline.
pub fn fingerprint_of(
    f: &Finding,
    path: &str,
    text: &str,
    legacy: Option<&mut Vec<(String, String)>>,
) -> String {
    let new = fingerprint(&f.rule.id, path, &f.resource, text);
    if let Some(pairs) = legacy {
        let old = legacy_fingerprint(&f.rule.id, path, &f.resource, text);
        pairs.push((new.clone(), old));
    }
    new
}

/// What a fingerprint hashes, in order: each part and a zero byte, then the
/// text with whitespace runs collapsed to one space (hashed as it is read,
/// no normalised copy) and a zero byte.
fn feed_parts(rule_id: &str, path: &str, resource: &str, text: &str, mut feed: impl FnMut(&[u8])) {
    for part in [rule_id, path, resource] {
        feed(part.as_bytes());
        feed(&[0]);
    }
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            feed(b" ");
        }
        feed(word.as_bytes());
    }
    feed(&[0]);
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
    /// Every place of the finding in a file, the primary first: (path,
    /// location). Suppression comments and changed lines count at any.
    pub fn places(&self) -> impl Iterator<Item = (&str, &Location)> {
        std::iter::once((self.path.as_str(), &self.location)).chain(
            self.related
                .iter()
                .filter(|s| !s.path.is_empty() && s.span.is_some())
                .map(|s| (s.path.as_str(), &s.location)),
        )
    }
    /// Report order, and identity: two findings with equal keys are one.
    /// The related places are part of it, so the same module resource
    /// reached through two call chains (two example directories calling one
    /// module under one name) is two findings.
    pub fn sort_key(&self) -> (&str, Location, &str, &str, &[Site]) {
        (
            &self.path,
            self.location,
            &self.rule.id,
            &self.resource,
            &self.related,
        )
    }
}

/// Findings in report order (a stable sort by [`Finding::sort_key`]). A
/// finding is ~240 bytes and a sort moves each item about log n times, so
/// the sort runs on indices and each finding then moves once.
pub fn sort_findings(findings: &mut [Finding]) {
    crate::parallel::sort_moving_once(findings, |a, b| a.sort_key().cmp(&b.sort_key()));
}

/// One finding for each place and resource, however many renderings reached
/// it: a base a team's several kustomizations build unchanged (an overlay
/// and the test kustomizations beside it) gave the same finding at the same
/// base line once per kustomization. Findings equal but for their rendered
/// sites become the first of them (in report order) with every rendered
/// site; findings of different resources (an overlay that sets its own
/// namespace or name prefix) stay apart, each with its own waivers.
pub fn merge_renderings(findings: &mut Vec<Finding>) {
    type Key = (String, Location, String, String, String, Vec<Site>);
    let rendered = |f: &Finding| f.related.iter().any(|s| s.role == Role::Rendered);
    // in place: most scans render nothing, and a second vector of every
    // finding (~25 MB at a million lines) was the peak of the scan
    if !findings.iter().any(rendered) {
        return;
    }
    let mut first: BTreeMap<Key, usize> = BTreeMap::new();
    let mut merged = vec![false; findings.len()];
    for j in 0..findings.len() {
        let f = &findings[j];
        if !rendered(f) {
            continue;
        }
        let key = (
            f.path.clone(),
            f.location,
            f.rule.id.clone(),
            f.resource.clone(),
            f.message.clone(),
            f.related
                .iter()
                .filter(|s| s.role != Role::Rendered)
                .cloned()
                .collect(),
        );
        match first.get(&key) {
            Some(&i) => {
                merged[j] = true;
                let sites = std::mem::take(&mut findings[j].related);
                let kept = &mut findings[i];
                for site in sites.into_iter().filter(|s| s.role == Role::Rendered) {
                    if !kept.related.contains(&site) {
                        // after the rendered sites already there, in report order
                        let at = kept
                            .related
                            .iter()
                            .rposition(|s| s.role == Role::Rendered)
                            .map_or(0, |p| p + 1);
                        kept.related.insert(at, site);
                    }
                }
            }
            None => {
                first.insert(key, j);
            }
        }
    }
    let mut j = 0;
    findings.retain(|_| {
        j += 1;
        !merged[j - 1]
    });
}

/// A secret shown safely: the first four characters of a long value, the rest
/// (and any short value) as `*`, one per character.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = if n >= 16 { 4 } else { 0 };
    secret
        .chars()
        .take(keep)
        .chain(std::iter::repeat_n('*', n - keep))
        .collect()
}

/// `text` with every span masked, byte for byte, so offsets stay valid.
pub fn mask_spans(text: &str, spans: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for s in spans {
        let (start, end) = (s.start.min(bytes.len()), s.end.min(bytes.len()));
        let keep = text
            .get(start..end)
            .map(|v| {
                if v.chars().count() >= 16 {
                    v.chars().take(4).map(char::len_utf8).sum()
                } else {
                    0
                }
            })
            .unwrap_or(0);
        for b in &mut bytes[start + keep..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // masking whole UTF-8 sequences byte by byte leaves valid UTF-8, except a
    // sequence cut by a span edge; those bytes become `?`
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both hash the same parts, whitespace runs collapsed; the legacy
    /// value is what the previous release wrote into baselines (pinned), the
    /// new one the first 16 bytes of SHA-256 over the same bytes.
    #[test]
    fn fingerprints_new_and_legacy() {
        let spread = "acl  =\n \"x\"";
        let legacy = legacy_fingerprint("AWS-S3-001", "main.tf", "aws_s3_bucket.b", spread);
        assert_eq!(legacy, "b459e31dfdd85a866e658def1e6290cc");
        let new = fingerprint("AWS-S3-001", "main.tf", "aws_s3_bucket.b", spread);
        assert_eq!(new, "bed946dbc2617a07130a9883fc5899f7");
        assert_eq!(
            new,
            fingerprint("AWS-S3-001", "main.tf", "aws_s3_bucket.b", "acl = \"x\"")
        );
    }

    #[test]
    fn masks_keep_length_and_a_prefix_of_long_values() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA****************");
        assert_eq!(mask("hunter2"), "*******");
        let text = "a: AKIAIOSFODNN7EXAMPLE\nb: pw\n";
        assert_eq!(
            mask_spans(text, &[Span::new(3, 23), Span::new(27, 29)]),
            "a: AKIA****************\nb: **\n"
        );
    }
}

/// A file that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileError {
    pub path: String,
    pub span: Option<Span>,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Set by the filter stage (`--on-unscanned`, waivers, baseline).
    pub status: Status,
}

/// Something the scan met that concerns no one file's coverage: a
/// Terraform evaluation note, an ignore file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    pub path: String,
    pub message: String,
}

/// How often a rule passed, failed and was skipped (value unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleStats {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// One evaluation of a rule on a resource that did not fail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evaluation {
    /// Index of the rule in the scan's rule set.
    pub rule: u32,
    /// Relative to the scanned root; empty for the repository as a whole.
    pub path: Arc<str>,
    /// 1-based line of the resource (or of the item a `for_each` rule
    /// looked at); 0 when there is no file.
    pub line: u32,
    pub resource: Arc<str>,
    /// The value the rule needed was not known statically.
    pub skipped: bool,
}

/// One evaluation skipped because a value the rule needs is not known
/// statically (recorded for `check -v`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnknownUse {
    /// Index of the rule in the scan's rule set.
    pub rule: u32,
    /// Where the value is written (relative to the scanned root).
    pub path: Arc<str>,
    /// 1-based; 0 when there is no file.
    pub line: u32,
    pub column: u32,
    /// The expression as written (`var.kms_key_id`, `!Ref KeyArn`).
    pub expression: String,
    pub resource: Arc<str>,
}

/// A value that stayed unknown and the rule evaluations it skipped: what
/// `check -v` lists (one per place and expression).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownValue {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub expression: String,
    /// Why soclint cannot know it (from the expression's form).
    pub reason: String,
    /// How many resources (module instances) met it.
    pub resources: usize,
    /// Rule id → evaluations skipped.
    pub skipped: BTreeMap<String, usize>,
}

/// An entry of a baseline file that no finding matched any more.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    pub resource: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ScanResult {
    /// Active findings (after the filter stage: not suppressed, not in the baseline).
    pub findings: Vec<Finding>,
    /// Findings an inline suppression or a waiver accepted (each has `suppression`).
    pub suppressed: Vec<Finding>,
    /// Findings left out because the baseline lists them.
    pub baselined: usize,
    /// Baseline entries no finding matched.
    pub fixed: Vec<BaselineEntry>,
    /// Inline suppression comments met while scanning.
    pub directives: Vec<Directive>,
    pub errors: Vec<FileError>,
    /// Files passed over, with their reason (sorted by path).
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
    pub files_scanned: usize,
    /// Files scanned by kind (`terraform`, `kubernetes`, …).
    pub kinds: BTreeMap<&'static str, usize>,
    pub lines_scanned: usize,
    pub rules_active: usize,
    pub resources: usize,
    /// Per rule id, in id order.
    pub stats: BTreeMap<String, RuleStats>,
    /// Every evaluation that passed or was skipped, sorted by rule index
    /// (into the scan's rule set), path, line and resource; filled only when
    /// the scan was asked to record them (the evidence report's populations,
    /// whose failing members are the findings).
    pub population: Vec<Evaluation>,
    /// Every file discovery found (relative to its root, `/`-separated,
    /// sorted): what an evidence manifest hashes. Filled only when the scan
    /// was asked to record resources.
    pub discovered: Vec<String>,
    /// Texts of the files that findings or errors point into.
    pub texts: HashMap<String, Arc<str>>,
    /// Per file, the spans of every secret a secret rule found, whether its
    /// finding was then reported, suppressed or baselined: what a report
    /// that shows the file's text masks.
    pub masks: HashMap<String, Vec<Span>>,
    /// Fingerprint → the fingerprint a version 1 baseline holds for the
    /// same finding (before `-2` suffixes): filled only when such a
    /// baseline is to be matched.
    pub legacy_fingerprints: HashMap<String, String>,
    pub elapsed: Duration,
    /// Terraform attributes that stayed unknown after evaluation.
    pub unknown_attributes: usize,
    /// Each unknown value a rule evaluation skipped on, with the rules it
    /// skipped: filled only when the scan was asked to record them (`-v`).
    pub unknowns: Vec<UnknownValue>,
    /// Module sources that were not evaluated (registry, git…).
    pub remote_modules: Vec<String>,
    /// What the configuration left out (categories, settings, paths), said
    /// in every report's summary.
    pub scope: crate::rules::selection::Summary,
}

impl ScanResult {
    /// Whether a coverage gap (a parse error, a skipped file) fails the run.
    pub fn failing_gaps(&self) -> bool {
        self.errors.iter().any(|e| e.status == Status::Error)
            || self.skipped.iter().any(|s| s.status == Status::Error)
    }
    pub fn count_by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.rule.severity).or_insert(0) += 1;
        }
        m
    }
    pub fn count_by_criterion(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            for c in &f.rule.criteria {
                *m.entry(*c).or_insert(0) += 1;
            }
        }
        m
    }
}

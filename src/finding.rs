//! The one type every reporter renders, and what else a scan produced.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::document::Span;
use crate::rules::{RuleMeta, Severity};
use crate::unscanned::{Skipped, Status};

/// 1-based line and column (columns count characters) of a span's ends.
/// `u32`s: a file is read only up to the size limit (5 MB by default), and
/// every finding and related place holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Location {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    /// From `usize` lines and columns (beyond `u32::MAX`, which no file
    /// under the size limit reaches, they stay at `u32::MAX`).
    pub fn new(start_line: usize, start_column: usize, end_line: usize, end_column: usize) -> Self {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Location {
            start_line: narrow(start_line),
            start_column: narrow(start_column),
            end_line: narrow(end_line),
            end_column: narrow(end_column),
        }
    }
}

/// One rule's failure at one place. Compact, as a scan holds every finding
/// until it reports (a million of them at ten million lines): the path and
/// the resource address are shared with the other findings of the same file
/// and resource, the message and label are the rule's templates filled when
/// a report asks for them, the fingerprint is its 16 bytes.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Arc<RuleMeta>,
    /// Relative to the scanned root, forward slashes. Changed only through
    /// [`Finding::relocate`] (the message may name it).
    pub path: Arc<str>,
    /// Byte span in the file (see [`Finding::span`]), as `u32`s.
    span: Option<[u32; 2]>,
    /// Filled from the span once, after evaluation.
    pub location: Location,
    /// Address of the resource (`aws_s3_bucket.logs`).
    pub resource: Arc<str>,
    /// The message and label when they are not the rule's templates filled
    /// from this finding's own fields (see [`Finding::message`]).
    texts: Option<Box<Texts>>,
    /// The offending value as written (masked for a secret), when there is one.
    pub value: Option<Box<str>>,
    /// The other places the finding involves, each with its [`Role`]: where
    /// a value set elsewhere lands (the primary is then where it was set),
    /// the `module` blocks that led to a module's resource (outermost first),
    /// the rendered place of a Helm template finding.
    pub related: Vec<Site>,
    /// Stable identity across edits that move the finding (see
    /// [`fingerprint`]), taken at the landing site when there is one.
    pub fingerprint: Fingerprint,
    /// Set by the filter stage when an inline comment or a waiver accepts it.
    /// Boxed: rare, and large next to the rest of a finding.
    pub suppression: Option<Box<Suppression>>,
}

/// A span as two `u32`s: a file is read only up to the size limit (5 MB by
/// default; an offset past `u32::MAX` stays there).
fn narrow(span: Span) -> [u32; 2] {
    let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    [narrow(span.start), narrow(span.end)]
}

/// A finding's message and label written out: when the templates cannot be
/// filled from the finding later (they name the resource's type, or the
/// finding moved after they were filled), or the text is not a template's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Texts {
    message: String,
    /// Empty: the message serves.
    label: String,
}

/// What a message or label template may name, in one pass: a value that
/// itself contains `{path}` (text from the scanned file) stays as written.
pub struct Fill<'a> {
    pub resource: &'a str,
    /// The resource's type (`aws_s3_bucket`).
    pub ty: &'a str,
    pub path: &'a str,
    pub value: Option<&'a str>,
}

impl Fill<'_> {
    /// `template` with its placeholders filled.
    pub fn render(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            let filled = [
                ("{resource}", self.resource),
                ("{type}", self.ty),
                ("{file}", self.path),
                ("{path}", self.path),
                ("{value}", self.value.unwrap_or("not set")),
            ]
            .into_iter()
            .find(|(name, _)| tail.starts_with(name));
            match filled {
                Some((name, text)) => {
                    out.push_str(text);
                    rest = &tail[name.len()..];
                }
                None => {
                    out.push('{');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Whether `template`, filled later from a finding's own fields, gives what
/// `fill` gives now: it names no type (a finding does not keep it), and no
/// path the finding shows differently (a finding about the repository as a
/// whole is at `.`, its templates filled with an empty path).
fn fills_alike(template: &str, fill: &Fill, path: &str) -> bool {
    !template.contains("{type}")
        && (fill.path == path || !(template.contains("{file}") || template.contains("{path}")))
}

/// A finding's fingerprint: the first 16 bytes of SHA-256 over what it is
/// about (see [`fingerprint`]), and which of the findings sharing them it is
/// in report order (written `-2`, `-3`… after the first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint {
    hash: [u8; 16],
    nth: u32,
}

impl Fingerprint {
    /// The same finding as the `nth` of those with this hash.
    pub fn nth(self, nth: u32) -> Fingerprint {
        Fingerprint { nth, ..self }
    }
    /// Without its `-N`: what the findings sharing it have in common.
    pub fn first(self) -> Fingerprint {
        self.nth(0)
    }
    /// `-N` when it is not the first of its hash.
    pub fn occurrence(self) -> Option<u32> {
        (self.nth > 1).then_some(self.nth)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 32];
        for (i, b) in self.hash.iter().enumerate() {
            hex[2 * i] = DIGITS[usize::from(b >> 4)];
            hex[2 * i + 1] = DIGITS[usize::from(b & 15)];
        }
        // hex digits are ASCII
        out.write_str(std::str::from_utf8(&hex).unwrap_or_default())?;
        match self.occurrence() {
            Some(n) => write!(out, "-{n}"),
            None => Ok(()),
        }
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A place a finding involves besides its primary location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// As [`Finding::path`]; empty when the place is not a file of the scan
    /// (a `--var` on the command line), and then `note` says what it is.
    pub path: Arc<str>,
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
    fingerprint_hash(rule_id, path, resource, text).to_string()
}

/// [`fingerprint`] as its 16 bytes.
pub fn fingerprint_hash(rule_id: &str, path: &str, resource: &str, text: &str) -> Fingerprint {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    feed_parts(rule_id, path, resource, text, |b| h.update(b));
    let mut hash = [0u8; 16];
    hash.copy_from_slice(&h.finalize()[..16]);
    Fingerprint { hash, nth: 0 }
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
) -> Fingerprint {
    let new = fingerprint_hash(&f.rule.id, path, &f.resource, text);
    if let Some(pairs) = legacy {
        let old = legacy_fingerprint(&f.rule.id, path, &f.resource, text);
        pairs.push((new.to_string(), old));
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

impl Finding {
    /// A finding of `rule` whose message and label are the rule's templates
    /// filled by `fill` (kept as templates when the finding's own fields fill
    /// them alike).
    pub fn from_rule(
        rule: Arc<RuleMeta>,
        path: Arc<str>,
        span: Option<Span>,
        resource: Arc<str>,
        value: Option<Box<str>>,
        fill: &Fill,
    ) -> Finding {
        let label = rule.label.as_deref().unwrap_or_default();
        let texts = (!fills_alike(&rule.message, fill, &path) || !fills_alike(label, fill, &path))
            .then(|| {
                Box::new(Texts {
                    message: fill.render(&rule.message),
                    label: rule
                        .label
                        .as_deref()
                        .map(|l| fill.render(l))
                        .unwrap_or_default(),
                })
            });
        Finding {
            rule,
            path,
            span: span.map(narrow),
            location: Location::default(),
            resource,
            texts,
            value,
            related: Vec::new(),
            fingerprint: Fingerprint::default(),
            suppression: None,
        }
    }
    /// A finding with its own message (not a rule template's).
    pub fn with_message(
        rule: Arc<RuleMeta>,
        path: Arc<str>,
        location: Location,
        resource: Arc<str>,
        message: String,
    ) -> Finding {
        Finding {
            rule,
            path,
            span: None,
            location,
            resource,
            texts: Some(Box::new(Texts {
                message,
                label: String::new(),
            })),
            value: None,
            related: Vec::new(),
            fingerprint: Fingerprint::default(),
            suppression: None,
        }
    }
    /// Byte span in the file; `None` for a finding about a file as a whole
    /// (one that is missing, or should not exist).
    pub fn span(&self) -> Option<Span> {
        self.span
            .map(|[start, end]| Span::new(start as usize, end as usize))
    }
    pub fn set_span(&mut self, span: Option<Span>) {
        self.span = span.map(narrow);
    }
    /// The fields that fill this finding's templates.
    fn fill(&self) -> Fill<'_> {
        Fill {
            resource: &self.resource,
            ty: "",
            path: &self.path,
            value: self.value.as_deref(),
        }
    }
    /// What is wrong, for a person.
    pub fn message(&self) -> std::borrow::Cow<'_, str> {
        match &self.texts {
            Some(t) => std::borrow::Cow::Borrowed(&t.message),
            None => std::borrow::Cow::Owned(self.fill().render(&self.rule.message)),
        }
    }
    /// The short text under the underline, when the rule has its own (else
    /// the message serves).
    pub fn label(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.texts {
            Some(t) => (!t.label.is_empty()).then_some(std::borrow::Cow::Borrowed(&t.label)),
            None => {
                let template = self.rule.label.as_deref()?;
                Some(std::borrow::Cow::Owned(self.fill().render(template)))
            }
        }
    }
    /// Writes the message and label out, so they stay as they are when the
    /// fields that fill them change.
    fn freeze(&mut self) {
        if self.texts.is_none() {
            self.texts = Some(Box::new(Texts {
                message: self.message().into_owned(),
                label: self.label().map(|l| l.into_owned()).unwrap_or_default(),
            }));
        }
    }
    /// Replaces the message (the label stays).
    pub fn set_message(&mut self, message: String) {
        self.freeze();
        if let Some(t) = &mut self.texts {
            t.message = message;
        }
    }
    /// Replaces the rule, the message and label staying as the first rule's.
    pub fn set_rule(&mut self, rule: Arc<RuleMeta>) {
        self.freeze();
        self.rule = rule;
    }
    /// Moves the finding's primary place to `path` (where a value was set,
    /// the source line of a rendered template), its message and label as
    /// they were.
    pub fn relocate(&mut self, path: Arc<str>) -> Arc<str> {
        self.freeze();
        std::mem::replace(&mut self.path, path)
    }
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
    /// Every place of the finding in a file, the primary first: (path,
    /// location). Suppression comments and changed lines count at any.
    pub fn places(&self) -> impl Iterator<Item = (&str, &Location)> {
        std::iter::once((&*self.path, &self.location)).chain(
            self.related
                .iter()
                .filter(|s| !s.path.is_empty() && s.span.is_some())
                .map(|s| (&*s.path, &s.location)),
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
    type Key = (Arc<str>, Location, String, Arc<str>, String, Vec<Site>);
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
            f.message().into_owned(),
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

    fn fill<'a>(path: &'a str, value: Option<&'a str>) -> Fill<'a> {
        Fill {
            resource: "aws_s3_bucket.logs",
            ty: "aws_s3_bucket",
            path,
            value,
        }
    }

    #[test]
    fn message_placeholders_are_filled_once() {
        let msg = |t: &str, v: Option<&str>| fill("infra/s3.tf", v).render(t);
        assert_eq!(
            msg("{type} {resource} in {file} ({path}) is {value}", Some("x")),
            "aws_s3_bucket aws_s3_bucket.logs in infra/s3.tf (infra/s3.tf) is x"
        );
        assert_eq!(msg("{value}", None), "not set");
        // other braces are text, and a value is not searched for placeholders
        assert_eq!(
            msg("${{ github.token }} {unknown} {", Some("{path}")),
            "${{ github.token }} {unknown} {"
        );
        assert_eq!(msg("value `{value}`", Some("{path}")), "value `{path}`");
    }

    fn rule(message: &str, label: Option<&str>) -> Arc<RuleMeta> {
        Arc::new(RuleMeta {
            id: "AWS-S3-001".into(),
            title: String::new(),
            severity: Severity::High,
            criteria: vec!["CC6.1"],
            target: crate::rules::Target::Terraform,
            resources: Vec::new(),
            message: message.into(),
            label: label.map(Into::into),
            secret: false,
            definition: String::new(),
            rationale: String::new(),
            remediation: String::new(),
            references: Vec::new(),
            checkov: Vec::new(),
            examples: Vec::new(),
            requires: Vec::new(),
            origin: String::new(),
            fix: None,
        })
    }

    fn finding(meta: Arc<RuleMeta>, path: &str, fill: &Fill) -> Finding {
        Finding::from_rule(
            meta,
            path.into(),
            None,
            "aws_s3_bucket.logs".into(),
            fill.value.map(Box::from),
            fill,
        )
    }

    /// Templates filled when asked give what they gave when the finding was
    /// made, also after it moves; a template naming the type, and a finding
    /// at `.` whose path was empty, keep the text of the moment.
    #[test]
    fn messages_are_filled_late_and_alike() {
        let at = fill("main.tf", Some("public-read"));
        let meta = rule("{resource} in {file}: acl is {value}", Some("`{value}`"));
        let mut f = finding(meta.clone(), "main.tf", &at);
        assert!(f.texts.is_none());
        assert_eq!(
            f.message(),
            "aws_s3_bucket.logs in main.tf: acl is public-read"
        );
        assert_eq!(f.label().as_deref(), Some("`public-read`"));
        let was = f.relocate("terraform.tfvars".into());
        assert_eq!(&*was, "main.tf");
        assert_eq!(
            f.message(),
            "aws_s3_bucket.logs in main.tf: acl is public-read"
        );
        assert_eq!(f.label().as_deref(), Some("`public-read`"));

        let typed = finding(rule("a {type}", None), "main.tf", &at);
        assert!(typed.texts.is_some());
        assert_eq!(typed.message(), "a aws_s3_bucket");
        assert_eq!(typed.label(), None);

        let whole = fill("", None);
        let repo = finding(rule("missing in {path}", None), ".", &whole);
        assert_eq!(repo.message(), "missing in ");
        let plain = finding(rule("no CODEOWNERS", None), ".", &whole);
        assert!(plain.texts.is_none());
        assert_eq!(plain.message(), "no CODEOWNERS");

        let mut swapped = finding(meta, "main.tf", &at);
        swapped.set_rule(rule("other {resource}", Some("other")));
        assert_eq!(
            swapped.message(),
            "aws_s3_bucket.logs in main.tf: acl is public-read"
        );
        swapped.set_message("new".into());
        assert_eq!(swapped.message(), "new");
        assert_eq!(swapped.label().as_deref(), Some("`public-read`"));
    }

    #[test]
    fn fingerprints_print_as_hex_with_their_occurrence() {
        let f = fingerprint_hash("AWS-S3-001", "main.tf", "aws_s3_bucket.b", "acl = \"x\"");
        assert_eq!(f.to_string(), "bed946dbc2617a07130a9883fc5899f7");
        assert_eq!(f.nth(1).to_string(), "bed946dbc2617a07130a9883fc5899f7");
        assert_eq!(f.nth(3).to_string(), "bed946dbc2617a07130a9883fc5899f7-3");
        assert_eq!(f.nth(3).first(), f);
        assert_eq!(
            serde_json::to_string(&f.nth(2)).unwrap(),
            "\"bed946dbc2617a07130a9883fc5899f7-2\""
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

#[cfg(test)]
mod size {
    /// A scan holds every finding until it reports: what one costs inline
    /// (its strings are shared or filled late, see [`super::Finding`]).
    #[test]
    fn a_finding_stays_compact() {
        let size = std::mem::size_of::<super::Finding>();
        assert!(size <= 144, "Finding grew to {size} bytes");
    }
}

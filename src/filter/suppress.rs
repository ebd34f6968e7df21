//! Inline suppressions: reading `soclint:ignore` comments from a file's text
//! (in the scan, while the text is at hand), and the meta-rules that report a
//! suppression without a reason, one past its date, and one that suppresses nothing.
use std::sync::{Arc, OnceLock};

use crate::discover::FileKind;
use crate::document::{Node, Span, Value};
use crate::finding::{Directive, Finding, Location};
use crate::rules::{RuleMeta, Severity, Target};

pub const MARKER: &str = "soclint:ignore";

pub const INVALID: &str = "SOCLINT-SUPPRESS-001";
pub const EXPIRED: &str = "SOCLINT-SUPPRESS-002";
pub const UNUSED: &str = "SOCLINT-SUPPRESS-003";
/// Every id soclint reports about suppressions and waivers themselves.
pub const META_IDS: [&str; 3] = [INVALID, EXPIRED, UNUSED];

/// The comment openers a kind of file has; JSON has none (use waivers).
fn comment_markers(kind: FileKind, rel: &str) -> &'static [&'static str] {
    let json = rel.ends_with(".json") || rel.ends_with(".template");
    match kind {
        FileKind::Terraform | FileKind::Terragrunt => &["#", "//", "/*"],
        FileKind::TerraformJson | FileKind::Iam | FileKind::Other => &[],
        FileKind::Cloudformation if json => &[],
        // ARM takes JavaScript-style comments in its JSON
        FileKind::Arm => &["//", "/*"],
        FileKind::PolicyDocument => &["<!--", "#"],
        _ => &["#"],
    }
}

/// Every `soclint:ignore` comment in `text`, whose parsed documents are
/// `docs`. A marker whose comment opener lies inside a value the parser read
/// (a quoted string, a heredoc, a block scalar, a Dockerfile instruction's
/// arguments, where `#` is text) is not a comment: it suppresses nothing and
/// is reported as an invalid suppression.
pub fn directives(rel: &str, kind: FileKind, text: &str, docs: &[Node]) -> Vec<Directive> {
    let markers = comment_markers(kind, rel);
    if markers.is_empty() || !text.contains(MARKER) {
        return Vec::new();
    }
    let mut values: Option<Values> = None;
    let mut out = Vec::new();
    let mut line_start = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = line_start;
        line_start += line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..at];
        let Some((opener, marker)) = markers
            .iter()
            .filter_map(|m| Some((before.rfind(m)?, *m)))
            .min_by_key(|&(p, _)| p)
        else {
            continue;
        };
        // an HTML comment is a comment anywhere in Markdown, though the
        // policy's text (a value) holds it
        let html_in_markdown = kind == FileKind::PolicyDocument && marker == "<!--";
        let in_value = !html_in_markdown
            && values
                .get_or_insert_with(|| Values::of(docs))
                .contain(start + opener);
        let trailing = !before[..opener].trim().is_empty();
        let mut d = parse_body(&line[at + MARKER.len()..]);
        if in_value {
            d.problem = Some(
                "it is inside a value (a string, a heredoc, an instruction's arguments), not a comment"
                    .to_string(),
            );
        }
        d.path = rel.to_string();
        d.line = i + 1;
        d.column = before.chars().count() + 1;
        d.trailing = trailing;
        out.push(d);
    }
    out
}

/// Where the values (and keys) of parsed documents lie: their spans sorted
/// by start, with the furthest end reached so far at each.
struct Values {
    spans: Vec<Span>,
    reach: Vec<usize>,
}

impl Values {
    fn of(docs: &[Node]) -> Values {
        fn walk(n: &Node, out: &mut Vec<Span>) {
            match &n.value {
                Value::Map(entries) => {
                    for e in entries {
                        // a key written in the file lies before its value; an
                        // entry the parser made up (a Dockerfile's `instructions`,
                        // `stages`) carries its value's whole span as its key's,
                        // and a comment between two instructions is not in a value
                        if e.key_span.end <= e.value.span.start
                            || e.value.span.end <= e.key_span.start
                        {
                            out.push(e.key_span);
                        }
                        walk(&e.value, out);
                    }
                }
                Value::List(items) => items.iter().for_each(|i| walk(i, out)),
                _ => out.push(n.span),
            }
        }
        let mut spans = Vec::new();
        docs.iter().for_each(|d| walk(d, &mut spans));
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |far, s| {
                *far = s.end.max(*far);
                Some(*far)
            })
            .collect();
        Values { spans, reach }
    }

    /// Whether byte `at` lies inside a value.
    fn contain(&self, at: usize) -> bool {
        let n = self.spans.partition_point(|s| s.start <= at);
        n > 0 && self.reach[n - 1] > at
    }
}

/// What the exceptions policy (`[suppressions]` in soclint.toml) finds
/// missing in an accepted exception, if anything: an owner, a ticket, an end
/// date, or an end date within `max-days` of `today`.
pub fn policy_problem(
    policy: &crate::config::SuppressionPolicy,
    owner: Option<&str>,
    ticket: Option<&str>,
    until: Option<&str>,
    today: i64,
) -> Option<String> {
    let mut missing = Vec::new();
    if policy.require_owner && owner.is_none_or(|o| o.trim().is_empty()) {
        missing.push("an owner (suppressions.require-owner)".to_string());
    }
    if policy.require_ticket && ticket.is_none_or(|t| t.trim().is_empty()) {
        missing.push("a ticket (suppressions.require-ticket)".to_string());
    }
    if let Some(max) = policy.max_days {
        match until.and_then(crate::rules::eval::parse_date) {
            None => missing.push(format!(
                "an end date at most {max} days ahead (suppressions.max-days)"
            )),
            Some(day) if day - today > i64::from(max) => missing.push(format!(
                "an end date at most {max} days ahead (suppressions.max-days), not {}",
                until.unwrap_or_default()
            )),
            Some(_) => {}
        }
    }
    (!missing.is_empty()).then(|| format!("the exceptions policy requires {}", missing.join(", ")))
}

/// `RULE-ID[,RULE-ID] reason="…" until=YYYY-MM-DD owner=… ticket=…`, up to
/// the comment's end.
fn parse_body(body: &str) -> Directive {
    let body = body.trim();
    let body = body
        .strip_suffix("-->")
        .or_else(|| body.strip_suffix("*/"))
        .unwrap_or(body)
        .trim();
    let mut d = Directive {
        path: String::new(),
        line: 0,
        column: 0,
        trailing: false,
        rules: Vec::new(),
        reason: None,
        until: None,
        owner: None,
        ticket: None,
        problem: None,
    };
    let (ids, mut rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    d.rules = ids
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if d.rules.is_empty()
        || d.rules.iter().any(|r| {
            !r.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    {
        d.problem = Some(format!("`{ids}` is not a rule id"));
        return d;
    }
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let Some((key, after)) = rest.split_once('=') else {
            d.problem = Some(format!("unexpected `{rest}`"));
            break;
        };
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => {
                    d.problem = Some(format!("unterminated quote after `{key}=`"));
                    break;
                }
            }
        } else {
            after.split_once(char::is_whitespace).unwrap_or((after, ""))
        };
        match key.trim() {
            "reason" => d.reason = Some(value.trim().to_string()),
            "until" => {
                if crate::rules::eval::parse_date(value).is_none() || value.len() != 10 {
                    d.problem = Some(format!("until=`{value}` is not a YYYY-MM-DD date"));
                }
                d.until = Some(value.to_string());
            }
            "owner" => d.owner = Some(value.trim().to_string()).filter(|v| !v.is_empty()),
            "ticket" => d.ticket = Some(value.trim().to_string()).filter(|v| !v.is_empty()),
            other => {
                d.problem = Some(format!(
                    "unknown key `{other}` (expected reason, until, owner, ticket)"
                ))
            }
        }
        rest = next;
    }
    d
}

/// Whether a comment covers a finding: on the first line of one of its
/// places (where a value was set, where it lands, a module call that led to
/// it), or alone on the line above.
pub fn covers(d: &Directive, f: &Finding) -> bool {
    d.rules.iter().any(|r| r == &f.rule.id)
        && f.places().any(|(path, at)| {
            d.path == path
                && (d.line == at.start_line as usize
                    || (!d.trailing && d.line + 1 == at.start_line as usize))
        })
}

fn meta(
    id: &str,
    title: &str,
    severity: Severity,
    rationale: &str,
    remediation: &str,
) -> Arc<RuleMeta> {
    Arc::new(RuleMeta {
        id: id.into(),
        title: title.into(),
        severity,
        criteria: vec!["CC4.2", "CC5.3"],
        target: Target::Repository,
        resources: Vec::new(),
        message: String::new(),
        label: None,
        secret: false,
        definition: String::new(),
        rationale: rationale.into(),
        remediation: remediation.into(),
        references: vec!["https://example.invalid/soclint#suppressions-and-waivers".into()],
        checkov: Vec::new(),
        examples: Vec::new(),
        requires: Vec::new(),
        origin: "builtin:soclint (suppressions)".into(),
        fix: None,
    })
}

/// The rules about suppressions themselves: invalid (no reason, unreadable),
/// expired, unused.
pub fn meta_rules() -> &'static [Arc<RuleMeta>; 3] {
    static RULES: OnceLock<[Arc<RuleMeta>; 3]> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            meta(
                INVALID,
                "Suppression states a reason and is well-formed",
                Severity::High,
                "An exception an auditor cannot trace to a justification is an undocumented control override.",
                "Write `soclint:ignore RULE-ID reason=\"why this is accepted\" until=YYYY-MM-DD owner=WHO ticket=ID` (or give the waiver a `reason`, and the owner, ticket and end date the `[suppressions]` policy asks for).",
            ),
            meta(
                EXPIRED,
                "Suppression has not expired",
                Severity::Medium,
                "Accepted exceptions are reviewed on a schedule; one past its date no longer suppresses its finding.",
                "Fix the finding, or review the exception and move its date forward.",
            ),
            meta(
                UNUSED,
                "Suppression suppresses a finding",
                Severity::Medium,
                "A stale exception hides nothing today but would silently hide a future regression.",
                "Remove the suppression comment or waiver.",
            ),
        ]
    })
}

pub fn meta_rule(id: &str) -> Option<Arc<RuleMeta>> {
    meta_rules().iter().find(|r| r.id == id).cloned()
}

/// A finding about a suppression at `path:line:column`.
pub fn meta_finding(
    id: &str,
    path: &str,
    line: usize,
    column: usize,
    subject: &str,
    message: String,
) -> Finding {
    let rule = meta_rule(id).unwrap_or_else(|| meta_rules()[0].clone());
    let end_column = column + MARKER.len();
    let fingerprint = crate::finding::fingerprint_hash(id, path, subject, &message);
    let location = Location::new(line, column, line, end_column);
    let mut f = Finding::with_message(rule, path.into(), location, subject.into(), message);
    f.fingerprint = fingerprint;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_comment_syntax() {
        let text = "resource \"a\" \"b\" {\n  # soclint:ignore AWS-S3-001 reason=\"public site\" until=2027-01-31\n  acl = \"x\" // soclint:ignore AWS-S3-002,AWS-S3-003 reason=\"ok\"\n  /* soclint:ignore AWS-S3-004 */\n  name = \"soclint:ignore not a comment\"\n}\n";
        let ds = directives("main.tf", FileKind::Terraform, text, &[]);
        assert_eq!(ds.len(), 3);
        assert_eq!(ds[0].rules, vec!["AWS-S3-001"]);
        assert_eq!(ds[0].reason.as_deref(), Some("public site"));
        assert_eq!(ds[0].until.as_deref(), Some("2027-01-31"));
        assert!(!ds[0].trailing);
        assert_eq!((ds[0].line, ds[0].column), (2, 5));
        assert_eq!(ds[1].rules, vec!["AWS-S3-002", "AWS-S3-003"]);
        assert!(ds[1].trailing);
        assert_eq!(ds[2].reason, None);
        assert_eq!(ds[2].problem, None);
    }

    /// In a Markdown policy an HTML comment is a comment though the body
    /// (a value) holds it; `#` there is a heading, in the body's text.
    #[test]
    fn markdown_takes_html_comments_in_its_body() {
        let text = "---\ntitle: Change Policy\n# soclint:ignore DOC-META-001 reason=\"a\"\n---\n\n# Change Policy\n\n<!-- soclint:ignore DOC-CM-001 reason=\"wiki\" -->\nChanges are made.\n# soclint:ignore DOC-CM-002 reason=\"b\"\n";
        let doc =
            crate::document::markdown::parse_policy(text, &crate::document::Limits::default())
                .expect("parses");
        let ds = directives("p.md", FileKind::PolicyDocument, text, &[doc]);
        let seen: Vec<(usize, &str, bool)> = ds
            .iter()
            .map(|d| (d.line, d.rules[0].as_str(), d.problem.is_none()))
            .collect();
        assert_eq!(
            seen,
            [
                (3, "DOC-META-001", true),
                (8, "DOC-CM-001", true),
                (10, "DOC-CM-002", false)
            ]
        );
    }

    #[test]
    fn json_has_no_comments_and_bad_dates_are_problems() {
        assert!(directives(
            "p.json",
            FileKind::Iam,
            "{\"a\": \"# soclint:ignore X\"}",
            &[]
        )
        .is_empty());
        let ds = directives(
            "d",
            FileKind::Dockerfile,
            "# soclint:ignore DKR-USER-001 reason=\"x\" until=2027-13-45\n",
            &[],
        );
        assert!(ds[0].problem.is_some());
        let ds = directives(
            "d",
            FileKind::Dockerfile,
            "# soclint:ignore reason=\"x\"\n",
            &[],
        );
        assert!(ds[0].problem.is_some());
    }
}

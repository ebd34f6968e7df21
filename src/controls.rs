//! The organisation's control matrix, `controls.toml`: each control's id,
//! title, description, owner, frequency, Trust Services Criteria, the rules
//! that test it automatically (ids, id prefixes or criteria, as `--select`
//! takes them) and the manual evidence soclint lists but cannot check. Errors
//! point into the file, as config and rule errors do.
use std::collections::BTreeMap;
use std::path::Path;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::repo_path::{self, MAX_CONFIG_FILE_SIZE};
use crate::rules::criteria;

pub const FILE_NAME: &str = "controls.toml";

/// How often a control operates, and so how often evidence of it is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    /// On every change and at all times (a guardrail in code, a CI check).
    Continuous,
    /// With each change (a review, an approval).
    PerChange,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    SemiAnnual,
    Annual,
}

impl Frequency {
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Continuous => "continuous",
            Frequency::PerChange => "per change",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::SemiAnnual => "semi-annual",
            Frequency::Annual => "annual",
        }
    }

    /// The longest interval, in days, between two runs that still shows the
    /// control operating at this frequency: a continuous or per-change control
    /// is evidenced by a scan at least daily (CI on the default branch, or a
    /// scheduled job), the others by one scan per period.
    pub fn max_interval_days(self) -> i64 {
        match self {
            Frequency::Continuous | Frequency::PerChange | Frequency::Daily => 1,
            Frequency::Weekly => 7,
            Frequency::Monthly => 31,
            Frequency::Quarterly => 92,
            Frequency::SemiAnnual => 183,
            Frequency::Annual => 366,
        }
    }
}

/// An item of evidence soclint cannot produce: an auditor asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ManualEvidence {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// One control of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub frequency: Frequency,
    pub criteria: Vec<String>,
    /// Rule selectors: ids, id prefixes or criteria.
    pub rules: Vec<String>,
    pub evidence: Vec<ManualEvidence>,
    /// How many days a failing stretch may last before the control counts as
    /// not operating in a review period (default 0).
    pub grace_days: u32,
    /// 1-based line of the control's `[[control]]` header.
    #[serde(skip)]
    pub line: usize,
}

/// The whole matrix, as loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ControlMatrix {
    /// How the file is named in reports.
    pub path: String,
    pub controls: Vec<Control>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    control: Vec<ControlShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ControlShape {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    owner: Spanned<String>,
    frequency: Frequency,
    criteria: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    evidence: Vec<ManualEvidence>,
    #[serde(default)]
    grace_days: u32,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid control matrix {name}: {message}")]
#[diagnostic(code(soclint::controls))]
pub struct ControlsError {
    pub name: String,
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
}

/// Reads a control matrix file: a regular file of at most
/// [`MAX_CONFIG_FILE_SIZE`] bytes, quoted in errors only when it is TOML
/// (as `soclint.toml` is).
pub fn load(path: &Path, shown_as: &str) -> Result<ControlMatrix, Box<ControlsError>> {
    let fail = |message: String| {
        Box::new(ControlsError {
            name: shown_as.to_string(),
            message,
            source_code: NamedSource::new(shown_as, String::new()),
            span: None,
        })
    };
    let (bytes, links) = repo_path::read_regular(path, MAX_CONFIG_FILE_SIZE).map_err(fail)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| fail(format!("not UTF-8 text{}", repo_path::utf8_position(&e))))?;
    let quote = repo_path::may_quote(&text, links);
    parse(shown_as, &text).map_err(|mut e| {
        if !quote {
            let ControlsError {
                name,
                source_code,
                span,
                ..
            } = &mut *e;
            repo_path::position_only(name, source_code, span);
        }
        e
    })
}

/// Whether a rule selector is well-formed: an id, an id prefix or a criterion.
fn selector_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

pub fn parse(name: &str, text: &str) -> Result<ControlMatrix, Box<ControlsError>> {
    let fail = |message: String, span: Option<std::ops::Range<usize>>| {
        Box::new(ControlsError {
            name: name.to_string(),
            message,
            source_code: NamedSource::new(name, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
        })
    };
    let shape: FileShape =
        toml::from_str(text).map_err(|e| fail(e.message().to_string(), e.span()))?;
    let mut headers = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[control]]"))
        .map(|(i, _)| i + 1);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut controls = Vec::new();
    for c in shape.control {
        let id = c.id.get_ref().trim();
        if id.is_empty() || !selector_ok(id) {
            return Err(fail(
                format!("control id `{id}` must be letters, digits, `-`, `_` or `.`"),
                Some(c.id.span()),
            ));
        }
        if seen.insert(id.to_string(), c.id.span().start).is_some() {
            return Err(fail(
                format!("control `{id}` is defined twice"),
                Some(c.id.span()),
            ));
        }
        if c.owner.get_ref().trim().is_empty() {
            return Err(fail(
                format!("control `{id}` names no owner"),
                Some(c.owner.span()),
            ));
        }
        if c.criteria.is_empty() {
            return Err(fail(
                format!("control `{id}` maps to no Trust Services Criterion"),
                Some(c.id.span()),
            ));
        }
        for cr in &c.criteria {
            if criteria::find(cr.get_ref()).is_none() {
                return Err(fail(
                    format!(
                        "`{}` is not a Trust Services Criterion (CC1.1 … P8.1)",
                        cr.get_ref()
                    ),
                    Some(cr.span()),
                ));
            }
        }
        for r in &c.rules {
            if !selector_ok(r.get_ref()) {
                return Err(fail(
                    format!("`{}` is not a rule id, id prefix or criterion", r.get_ref()),
                    Some(r.span()),
                ));
            }
        }
        controls.push(Control {
            id: id.to_string(),
            title: c.title,
            description: c.description,
            owner: c.owner.into_inner(),
            frequency: c.frequency,
            criteria: c.criteria.into_iter().map(Spanned::into_inner).collect(),
            rules: c.rules.into_iter().map(Spanned::into_inner).collect(),
            evidence: c.evidence,
            grace_days: c.grace_days,
            line: headers.next().unwrap_or(1),
        });
    }
    Ok(ControlMatrix {
        path: name.to_string(),
        controls,
    })
}

/// A starter matrix from a rule set: one control per rule family (the id up
/// to its last `-`: `AWS-S3-`, `K8S-RBAC-`), testing the family's rules and
/// citing their criteria, for a team to edit: owners are left unassigned,
/// every control is continuous (the rules run on every scan), and no manual
/// evidence is listed. It reads back with [`parse`].
pub fn starter(rules: &crate::rules::RuleSet) -> String {
    let mut families: BTreeMap<&str, Vec<&crate::rules::RuleMeta>> = BTreeMap::new();
    for r in &rules.rules {
        let id = r.meta.id.as_str();
        let family = id.rfind('-').map_or(id, |i| &id[..=i]);
        families.entry(family).or_default().push(&r.meta);
    }
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::from(
        "# The organisation's controls, for `soclint report` (name this file in\n\
         # soclint.toml: controls = \"controls.toml\"). Written by `soclint init\n\
         # --controls` from the built-in rules, one control per rule family: set each\n\
         # control's owner and frequency, merge or split controls to match how the\n\
         # organisation runs them, and list the evidence soclint cannot check\n\
         # (evidence = [{ name = \"quarterly access review ticket\", frequency = \"quarterly\" }]).\n",
    );
    for (family, metas) in families {
        let mut criteria: Vec<&str> = metas
            .iter()
            .flat_map(|m| m.criteria.iter().copied())
            .collect();
        criteria.sort_by_key(|c| criteria::CRITERIA.iter().position(|x| x.id == *c));
        criteria.dedup();
        if criteria.is_empty() {
            continue;
        }
        let id = family.trim_end_matches('-');
        let title = if metas.len() == 1 {
            metas[0].title.clone()
        } else {
            format!("{id} checks ({})", metas[0].target.name())
        };
        let description: Vec<&str> = metas.iter().map(|m| m.title.as_str()).collect();
        let list = |v: &[&str]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ");
        out.push_str(&format!(
            "\n[[control]]\nid = {}\ntitle = {}\ndescription = {}\nowner = \"unassigned\"\n\
             frequency = \"continuous\"\ncriteria = [{}]\nrules = [{}]\n",
            quote(id),
            quote(&title),
            quote(&description.join("; ")),
            list(&criteria),
            quote(family)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[control]]
id = "AC-01"
title = "Least-privilege access"
owner = "security"
frequency = "continuous"
criteria = ["CC6.1", "CC6.3"]
rules = ["IAM-", "K8S-RBAC"]

[[control.evidence]]
name = "Quarterly access review ticket"
frequency = "quarterly"

[[control]]
id = "HR-01"
title = "Security awareness training"
owner = "people-ops"
frequency = "annual"
criteria = ["CC1.4"]
"#;

    #[test]
    fn reads_controls_with_their_evidence() {
        let m = parse("controls.toml", GOOD).expect("parses");
        assert_eq!(m.controls.len(), 2);
        let ac = &m.controls[0];
        assert_eq!(ac.frequency, Frequency::Continuous);
        assert_eq!(ac.rules, ["IAM-", "K8S-RBAC"]);
        assert_eq!(ac.evidence[0].frequency, Some(Frequency::Quarterly));
        assert_eq!((ac.line, m.controls[1].line), (2, 14));
        assert!(m.controls[1].rules.is_empty());
    }

    fn error_at(text: &str) -> (String, usize) {
        let e = parse("controls.toml", text).expect_err("rejected");
        (e.message.clone(), e.span.map_or(usize::MAX, |s| s.offset()))
    }

    /// The starter reads back, one control per family of the built-in pack,
    /// each citing exactly its rules' criteria.
    #[test]
    fn the_starter_matrix_reads_back() {
        let set = crate::rules::builtin_set();
        let text = starter(&set);
        let m = parse(FILE_NAME, &text).expect("starter parses");
        let s3 = m
            .controls
            .iter()
            .find(|c| c.id == "AWS-S3")
            .expect("AWS-S3");
        assert_eq!(s3.rules, ["AWS-S3-"]);
        assert_eq!(s3.owner, "unassigned");
        assert_eq!(s3.frequency, Frequency::Continuous);
        let mut want: Vec<&str> = set
            .rules
            .iter()
            .filter(|r| r.meta.id.starts_with("AWS-S3-"))
            .flat_map(|r| r.meta.criteria.iter().copied())
            .collect();
        want.sort_by_key(|c| criteria::CRITERIA.iter().position(|x| x.id == *c));
        want.dedup();
        assert_eq!(s3.criteria, want);
        // every rule is tested by exactly one starter control
        for r in &set.rules {
            let n = m
                .controls
                .iter()
                .filter(|c| c.rules.iter().any(|sel| r.meta.selected_by(sel)))
                .count();
            assert_eq!(n, 1, "{}", r.meta.id);
        }
    }

    #[test]
    fn errors_point_into_the_file() {
        let bad = GOOD.replace("\"CC1.4\"", "\"CC9.9\"");
        let (msg, at) = error_at(&bad);
        assert_eq!(
            msg,
            "`CC9.9` is not a Trust Services Criterion (CC1.1 … P8.1)"
        );
        assert_eq!(&bad[at..at + 7], "\"CC9.9\"");
        let twice = GOOD.replace("\"HR-01\"", "\"AC-01\"");
        let (msg, at) = error_at(&twice);
        assert_eq!(msg, "control `AC-01` is defined twice");
        assert_eq!(at, twice.rfind("\"AC-01\"").unwrap());
        let (msg, at) = error_at(&GOOD.replace("\"annual\"", "\"yearly\""));
        assert!(msg.starts_with("unknown variant `yearly`"), "{msg}");
        assert!(at < GOOD.len());
        let (msg, _) = error_at(&GOOD.replace("owner = \"people-ops\"", "owner = \" \""));
        assert_eq!(msg, "control `HR-01` names no owner");
        let (msg, _) = error_at(&GOOD.replace("title = \"Least", "titel = \"Least"));
        assert!(msg.starts_with("unknown field `titel`"), "{msg}");
        let (msg, _) = error_at(&GOOD.replace("\"IAM-\"", "\"IAM *\""));
        assert_eq!(msg, "`IAM *` is not a rule id, id prefix or criterion");
    }
}

//! One observation per rule that gave a verdict (its population as
//! subjects, its failing and accepted findings as relevant evidence), one
//! for the files not scanned, and the inventory item of every resource
//! examined; both written as they are made.
use std::collections::BTreeSet;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use super::{md, one_line, props, Context, Origin, Prop};
use crate::evidence::model::RuleEvidence;
use crate::evidence::population::Verdict;

/// Every resource any rule examined, once, as an inventory item (written as
/// it is made).
pub(super) struct InventoryItems<'c, 'a> {
    pub(super) cx: &'c Context<'a>,
    pub(super) items: BTreeSet<(&'a str, &'a str)>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct InventoryItem {
    uuid: String,
    description: String,
    props: Vec<Prop>,
}

impl Serialize for InventoryItems<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for (path, resource) in &self.items {
            seq.serialize_element(&InventoryItem {
                uuid: self.cx.inventory_uuid(path, resource),
                description: format!("{}: {}", md(path), md(resource)),
                props: props([("path", *path), ("resource", *resource)]),
            })?;
        }
        seq.end()
    }
}

/// One observation per rule that gave a verdict, then one for the files not
/// scanned (written as they are made: a rule's population at a time).
pub(super) struct Observations<'c, 'a> {
    pub(super) cx: &'c Context<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation {
    uuid: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    methods: Vec<&'static str>,
    origins: Vec<Origin>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Subject>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relevant_evidence: Vec<RelevantEvidence>,
    collected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Subject {
    subject_uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
struct RelevantEvidence {
    href: String,
    description: String,
    props: Vec<Prop>,
}

impl Observations<'_, '_> {
    fn rule(&self, r: &RuleEvidence) -> Observation {
        let cx = self.cx;
        let mut subjects = Vec::new();
        let mut evidence = Vec::new();
        let id = cx
            .pop
            .rule_ids
            .iter()
            .copied()
            .find(|x| *x == r.id)
            .unwrap_or_default();
        for item in cx.pop.items(id) {
            let line = item.line.to_string();
            let detail = one_line(&item.detail).map(|d| md(&d));
            if matches!(item.verdict, Verdict::Fail | Verdict::Suppressed) {
                evidence.push(RelevantEvidence {
                    href: cx.href(item.path),
                    description: format!(
                        "{}:{}: {}: {}",
                        md(item.path),
                        line,
                        md(item.resource),
                        detail.clone().unwrap_or_default()
                    ),
                    props: props([("verdict", item.verdict.name())]),
                });
            }
            subjects.push(Subject {
                subject_uuid: cx.inventory_uuid(item.path, item.resource),
                kind: "inventory-item",
                title: format!("{}:{} {}", md(item.path), line, md(item.resource)),
                props: props([("verdict", item.verdict.name())]),
                remarks: detail,
            });
        }
        let counts = format!(
            "{} passed, {} failed, {} skipped, {} suppressed by an accepted exception",
            r.passed, r.failed, r.skipped, r.suppressed
        );
        let criteria = r.criteria.join(" ");
        Observation {
            uuid: cx.observation_uuid(&r.id),
            title: format!("{}: {}", md(&r.id), md(&r.title)),
            description: format!(
                "Automated test of rule {} on every resource it applies to, from the files in the \
                 repository: {} ({}). Each subject is one evaluation with its verdict; failing and \
                 accepted findings are the relevant evidence.",
                md(&r.id),
                crate::wording::plural(r.resources, "resource", "resources"),
                counts
            ),
            props: props([
                ("rule", r.id.as_str()),
                ("severity", r.severity.name()),
                ("criteria", criteria.as_str()),
            ]),
            methods: vec!["TEST"],
            origins: cx.origins(),
            subjects,
            relevant_evidence: evidence,
            collected: cx.ev.header.scan_time.clone(),
            remarks: (r.skipped > 0).then(|| {
                format!(
                    "Skipped evaluations have no verdict: {}.",
                    crate::evidence::population::SKIP_REASON
                )
            }),
        }
    }

    fn not_scanned(&self) -> Observation {
        let cx = self.cx;
        let evidence = cx
            .ev
            .not_scanned
            .iter()
            .map(|n| RelevantEvidence {
                href: cx.href(&n.path),
                description: format!(
                    "{}: {} ({}); {}",
                    md(&n.path),
                    md(&n.what),
                    md(&one_line(&n.detail).unwrap_or_default()),
                    md(&n.status)
                ),
                props: props([("reason", n.kind.as_str()), ("status", n.status.as_str())]),
            })
            .collect();
        Observation {
            uuid: cx.observation_uuid("\0not-scanned"),
            title: "Files not scanned".into(),
            description: format!(
                "{} could not be parsed or were skipped: no rule examined them, so no \
                 observation above covers what they hold.",
                crate::wording::plural(cx.ev.not_scanned.len(), "file", "files")
            ),
            props: Vec::new(),
            methods: vec!["TEST"],
            origins: cx.origins(),
            subjects: Vec::new(),
            relevant_evidence: evidence,
            collected: cx.ev.header.scan_time.clone(),
            remarks: None,
        }
    }
}

impl Serialize for Observations<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for r in self.cx.observed() {
            seq.serialize_element(&self.rule(r))?;
        }
        if !self.cx.ev.not_scanned.is_empty() {
            seq.serialize_element(&self.not_scanned())?;
        }
        seq.end()
    }
}

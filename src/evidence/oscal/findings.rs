//! One finding per control of the matrix and per criterion in scope, and
//! how soclint's statuses become OSCAL objective statuses (the module
//! comment of [`super`] says why).
use std::collections::BTreeSet;

use serde::Serialize;

use super::{md, props, token, uuid_of, Context, Origin, Prop};
use crate::evidence::model::Status;

/// OSCAL's objective status for one of soclint's statuses (see the module
/// comment); `None`: not assessed, no finding.
pub fn objective_status(
    status: Status,
    accepted_exceptions: usize,
) -> Option<(&'static str, &'static str)> {
    match status {
        Status::ExceptionsFound => Some(("not-satisfied", "fail")),
        Status::NoExceptions if accepted_exceptions == 0 => Some(("satisfied", "pass")),
        Status::NoExceptions | Status::NoExceptionsPartial | Status::ManualEvidenceRequired => {
            Some(("not-satisfied", "other"))
        }
        Status::NotInScope => None,
    }
}

fn status_remarks(status: Status, accepted: usize) -> String {
    let mut text = match status {
        Status::NoExceptions if accepted == 0 => {
            "Satisfied as far as automated checks reach, at scan time: the rules gave verdicts, none \
             failed, and they reach every point of focus (for a control: every rule it names, and \
             it lists no manual evidence). Operating effectiveness over a review period needs \
             evidence from outside the repository."
                .to_string()
        }
        Status::NoExceptions => {
            "Not claimed satisfied: no open exception and full automated coverage, but findings \
             are covered by accepted exceptions (risk accepted; see the relevant evidence and the \
             exceptions register)."
                .to_string()
        }
        _ => format!("soclint status: {}. {}", status.label(), status.meaning()),
    };
    if accepted > 0 {
        text.push_str(&format!(
            " Accepted exceptions: {}.",
            crate::wording::plural(accepted, "finding", "findings")
        ));
    }
    text
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct Finding {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    origins: Vec<Origin>,
    target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    title: String,
    status: ObjectiveStatus,
}

#[derive(Serialize)]
struct ObjectiveStatus {
    state: &'static str,
    reason: &'static str,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

/// What a finding is about: a control of the matrix or a criterion.
struct Assessed<'e> {
    kind: &'static str,
    id: &'e str,
    title: String,
    description: String,
    status: Status,
    rules: &'e [String],
    counts: [usize; 4],
    extra_props: Vec<Prop>,
    remarks: Vec<String>,
}

impl Context<'_> {
    fn finding(&self, s: Assessed) -> Option<Finding> {
        let [passed, failed, skipped, suppressed] = s.counts;
        let (state, reason) = objective_status(s.status, suppressed)?;
        let observed: BTreeSet<&str> = self.observed().map(|r| r.id.as_str()).collect();
        let mut props = props([("kind", s.kind), ("status", s.status.id())]);
        props.extend(s.extra_props);
        let mut remarks = vec![format!(
            "Automated checks: {} ({} passed, {} failed, {} skipped, {} suppressed by an accepted exception).",
            crate::wording::plural(s.rules.len(), "rule", "rules"),
            passed, failed, skipped, suppressed
        )];
        remarks.extend(s.remarks);
        Some(Finding {
            uuid: uuid_of(&[&self.doc, "finding", s.kind, s.id]),
            title: s.title.clone(),
            description: s.description,
            props,
            origins: self.origins(),
            target: Target {
                kind: "objective-id",
                target_id: token(s.id),
                title: s.title,
                status: ObjectiveStatus {
                    state,
                    reason,
                    remarks: status_remarks(s.status, suppressed),
                },
            },
            related_observations: s
                .rules
                .iter()
                .filter(|r| observed.contains(r.as_str()))
                .map(|r| RelatedObservation {
                    observation_uuid: self.observation_uuid(r),
                })
                .collect(),
            remarks: Some(remarks.join("\n\n")),
        })
    }

    pub(super) fn findings(&self) -> Vec<Finding> {
        let controls = self.ev.controls.iter().map(|c| {
            let evidence: Vec<String> = c.evidence.iter().map(|e| md(&e.name)).collect();
            let mut remarks = Vec::new();
            if !evidence.is_empty() {
                remarks.push(format!(
                    "Manual evidence soclint cannot check: {}.",
                    evidence.join("; ")
                ));
            }
            if !c.unmatched.is_empty() {
                let unmatched: Vec<String> = c.unmatched.iter().map(|u| md(u)).collect();
                remarks.push(format!(
                    "Selectors that match no active rule: {}.",
                    unmatched.join(", ")
                ));
            }
            let criteria = c.criteria.join(" ");
            Assessed {
                kind: "control",
                id: &c.id,
                title: format!("Control {}: {}", md(&c.id), md(&c.title)),
                description: if c.description.trim().is_empty() {
                    md(&c.title)
                } else {
                    md(&c.description)
                },
                status: c.status,
                rules: &c.rules,
                counts: [c.passed, c.failed, c.skipped, c.suppressed],
                extra_props: props([
                    ("control-id", c.id.as_str()),
                    ("owner", c.owner.as_str()),
                    ("frequency", c.frequency.name()),
                    ("criteria", criteria.as_str()),
                ]),
                remarks,
            }
        });
        let criteria = self.ev.criteria.iter().map(|c| {
            let tested: Vec<&str> = c
                .points_testable
                .iter()
                .filter(|p| p.tested)
                .map(|p| p.id.as_str())
                .collect();
            let remarks = vec![format!(
                "Points of focus: {} in all, {} with static evidence, {} tested here{}; {} need \
                 evidence from outside the repository whatever the scan.",
                c.points_total,
                c.points_testable.len(),
                tested.len(),
                if tested.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", tested.join(", "))
                },
                c.points_other_evidence
            )];
            Assessed {
                kind: "criterion",
                id: &c.id,
                title: format!("Trust Services Criterion {}: {}", c.id, md(&c.title)),
                description: format!("{} ({}): {}", c.id, md(&c.area), md(&c.title)),
                status: c.status,
                rules: &c.rules,
                counts: [c.passed, c.failed, c.skipped, c.suppressed],
                extra_props: props([("criterion", c.id.as_str())]),
                remarks,
            }
        });
        controls
            .chain(criteria)
            .filter_map(|s| self.finding(s))
            .collect()
    }
}

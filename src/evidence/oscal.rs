//! The evidence report as NIST OSCAL assessment results (JSON, OSCAL 1.2.1),
//! for GRC tools and auditors who read OSCAL: one `result` for the scan, one
//! `observation` per rule that gave a verdict (its whole population as
//! subjects, each failing or accepted finding as relevant evidence at
//! `path:line`), and one `finding` per control of the organisation's matrix
//! and per Trust Services Criterion in scope.
//!
//! **Statuses.** OSCAL's objective status has two states: `satisfied` ("the
//! objective has been completely satisfied") and `not-satisfied` ("has not
//! been completely satisfied, but may be partially satisfied"), plus a
//! `reason` (`pass`, `fail`, or `other`: "some other event took place that is
//! not a pass or a fail"). The two states are NIST SP 800-53A's "satisfied"
//! and "other than satisfied", and 800-53A says the latter also covers an
//! assessor who could not obtain enough information to decide. So:
//! - *no exceptions in automated checks* (full coverage, no accepted
//!   exception either) → `satisfied`, reason `pass`, with a remark that it
//!   speaks for the checks at scan time only;
//! - *exceptions found* → `not-satisfied`, reason `fail`;
//! - *partial coverage*, *manual evidence required*, and full coverage with
//!   accepted exceptions → `not-satisfied`, reason `other`: no claim that the
//!   objective is met, no claim that a check failed; the remarks say what the
//!   checks reached and what still needs evidence, and a `status` property
//!   (soclint's namespace) carries soclint's own status id;
//! - *not in scope* → no finding (listed in the result's remarks).
//!
//! A tool that reads `state` alone never sees `satisfied` where soclint would
//! not say "no exceptions"; one that reads `reason` tells a failed check
//! (`fail`) from missing evidence (`other`).
//!
//! **Identifiers** are UUIDv5 (SHA-1, RFC 9562) in a soclint namespace, from
//! stable content: the same scan gives the same bytes at any thread count.
//! A scanned resource's inventory item keeps its UUID across scans of the
//! same repository (OSCAL asks for per-subject identifiers); the document,
//! result, observations and findings are per scan (repository, commit, scan
//! time, rule set).
//!
//! **The assessment plan.** OSCAL requires `import-ap` with an href. soclint
//! writes no separate plan: the href is a bare fragment `#uuid` naming a
//! back-matter resource of this document that describes the plan (the rule
//! set by hash, the control matrix), which the OSCAL model allows ("a bare
//! URI fragment pointing to a back-matter resource in this or an imported
//! document") and compliance-trestle validates.
//!
//! **Untrusted text.** Paths, resource names, messages and titles come from
//! the repository: serde escapes them as JSON, markup fields (OSCAL's
//! Markdown) get [`crate::escape::markdown`], property values are single
//! trimmed lines as OSCAL's string type requires, identifiers are tokens.
use std::collections::BTreeSet;
use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use uuid::Uuid;

use super::model::{Evidence, RuleEvidence, Status};
use super::population::{Populations, Verdict};
use crate::escape;

/// The OSCAL version written (compliance-trestle 5.2's model).
pub const OSCAL_VERSION: &str = "1.2.1";

/// soclint's namespace for properties (and the seed of its UUIDs).
pub const NS: &str = "https://github.com/soclint/soclint/ns/oscal";

/// A UUIDv5 from `parts` in soclint's namespace (each part length-prefixed,
/// so no two lists of parts give the same name).
fn uuid_of(parts: &[&str]) -> String {
    let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
    let mut name = Vec::new();
    for p in parts {
        name.extend_from_slice(format!("{}:", p.len()).as_bytes());
        name.extend_from_slice(p.as_bytes());
    }
    Uuid::new_v5(&ns, &name).to_string()
}

/// Text as OSCAL's `string` type takes it (`^\S(.*\S)?$`): one line, no
/// leading or trailing space; `None` when nothing is left.
fn one_line(s: &str) -> Option<String> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// An identifier as an OSCAL token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`):
/// control ids (letters, digits, `-`, `_`, `.`) that start with a digit or a
/// sign get a leading `_`; anything else becomes `_`.
pub fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

fn md(s: &str) -> String {
    escape::markdown(s).into_owned()
}

#[derive(Serialize)]
struct Prop {
    name: &'static str,
    ns: &'static str,
    value: String,
}

fn props<'a>(pairs: impl IntoIterator<Item = (&'static str, &'a str)>) -> Vec<Prop> {
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            one_line(value).map(|value| Prop {
                name,
                ns: NS,
                value,
            })
        })
        .collect()
}

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

/// Everything the serialisers read.
struct Context<'a> {
    ev: &'a Evidence,
    pop: &'a Populations<'a>,
    doc: String,
    tool: String,
}

impl Context<'_> {
    fn observation_uuid(&self, rule: &str) -> String {
        uuid_of(&[&self.doc, "observation", rule])
    }

    fn inventory_uuid(&self, path: &str, resource: &str) -> String {
        let repo = self
            .ev
            .header
            .repository
            .as_deref()
            .unwrap_or(&self.ev.header.scanned_path);
        uuid_of(&["inventory-item", repo, path, resource])
    }

    fn href(&self, path: &str) -> String {
        format!(
            "{}{}",
            escape::uri_path(&self.ev.link_base),
            escape::uri_path(path)
        )
    }

    /// Rules with an observation: those that gave a verdict.
    fn observed(&self) -> impl Iterator<Item = &RuleEvidence> + '_ {
        self.ev.rules.iter().filter(|r| r.evaluated() > 0)
    }

    fn origins(&self) -> Vec<Origin> {
        vec![Origin {
            actors: vec![Actor {
                kind: "tool",
                actor_uuid: self.tool.clone(),
            }],
        }]
    }
}

#[derive(Serialize)]
struct Origin {
    actors: Vec<Actor>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    #[serde(rename = "type")]
    kind: &'static str,
    actor_uuid: String,
}

/// Every resource any rule examined, once, as an inventory item (written as
/// it is made).
struct InventoryItems<'c, 'a> {
    cx: &'c Context<'a>,
    items: BTreeSet<(&'a str, &'a str)>,
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
struct Observations<'c, 'a> {
    cx: &'c Context<'a>,
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
                    super::population::SKIP_REASON
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

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
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
struct Subjectmatter<'e> {
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
    fn finding(&self, s: Subjectmatter) -> Option<Finding> {
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

    fn findings(&self) -> Vec<Finding> {
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
            Subjectmatter {
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
            Subjectmatter {
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

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Document<'c, 'a> {
    assessment_results: AssessmentResults<'c, 'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults<'c, 'a> {
    uuid: String,
    metadata: Metadata,
    import_ap: ImportAp,
    results: [ResultBody<'c, 'a>; 1],
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    props: Vec<Prop>,
    remarks: String,
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ResultBody<'c, 'a> {
    uuid: String,
    title: String,
    description: String,
    start: String,
    props: Vec<Prop>,
    local_definitions: LocalDefinitions<'c, 'a>,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Option::is_none")]
    observations: Option<Observations<'c, 'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LocalDefinitions<'c, 'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    inventory_items: Option<InventoryItems<'c, 'a>>,
    assessment_assets: AssessmentAssets,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentAssets {
    components: Vec<Component>,
    assessment_platforms: Vec<Platform>,
}

#[derive(Serialize)]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    props: Vec<Prop>,
    status: ComponentStatus,
}

#[derive(Serialize)]
struct ComponentStatus {
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Platform {
    uuid: String,
    title: String,
    uses_components: Vec<UsesComponent>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct UsesComponent {
    component_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    description: String,
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    description: String,
    include_controls: Vec<ControlRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlRef {
    control_id: String,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
}

/// Writes the evidence as OSCAL assessment results (pretty JSON, a newline
/// at the end); the populations are read rule by rule as they are written.
pub fn write(ev: &Evidence, pop: &Populations, w: &mut dyn Write) -> std::io::Result<()> {
    let h = &ev.header;
    let subject = h.repository.as_deref().unwrap_or(&h.scanned_path);
    let commit = h.commit.as_deref().unwrap_or("");
    let doc = uuid_of(&[
        "assessment-results",
        subject,
        commit,
        &h.scanned_path,
        &h.scan_time,
        &h.ruleset_hash,
    ]);
    let tool = uuid_of(&["tool", &h.soclint_version]);
    let cx = Context {
        ev,
        pop,
        doc: doc.clone(),
        tool: tool.clone(),
    };
    let plan = uuid_of(&[
        "assessment-plan",
        &h.ruleset_hash,
        h.controls_file.as_deref().unwrap_or(""),
    ]);

    let mut items = BTreeSet::new();
    for r in cx.observed() {
        if let Some(id) = pop.rule_ids.iter().copied().find(|x| *x == r.id) {
            items.extend(pop.items(id).map(|i| (i.path, i.resource)));
        }
    }
    let controls_file = h.controls_file.as_deref().unwrap_or("");
    let mut selections = Vec::new();
    let assessed_controls: Vec<ControlRef> = ev
        .controls
        .iter()
        .filter(|c| c.status != Status::NotInScope)
        .map(|c| ControlRef {
            control_id: token(&c.id),
        })
        .collect();
    if !assessed_controls.is_empty() {
        selections.push(ControlSelection {
            description: format!(
                "The controls of the organisation's matrix ({}).",
                md(controls_file)
            ),
            include_controls: assessed_controls,
        });
    }
    let assessed_criteria: Vec<ControlRef> = ev
        .criteria
        .iter()
        .filter(|c| c.in_scope)
        .map(|c| ControlRef {
            control_id: token(&c.id),
        })
        .collect();
    if !assessed_criteria.is_empty() {
        selections.push(ControlSelection {
            description: "The 2017 Trust Services Criteria (revised points of focus, 2022) in \
                          the categories in scope."
                .into(),
            include_controls: assessed_criteria,
        });
    }
    let not_in_scope: Vec<String> = ev
        .controls
        .iter()
        .filter(|c| c.status == Status::NotInScope)
        .map(|c| md(&c.id))
        .chain(
            ev.criteria
                .iter()
                .filter(|c| !c.in_scope)
                .map(|c| c.id.clone()),
        )
        .collect();
    let definitions: Vec<String> = ev
        .statuses
        .iter()
        .map(|s| format!("- {}: {}", md(&s.label), md(&s.meaning)))
        .collect();
    let files = crate::wording::plural(h.files_scanned, "file", "files");
    let resources = crate::wording::plural(h.resources, "resource", "resources");
    let rules = crate::wording::plural(h.rules_active, "rule", "rules");

    let document = Document {
        assessment_results: AssessmentResults {
            uuid: doc.clone(),
            metadata: Metadata {
                title: format!("SOC 2 automated evidence: {}", md(subject)),
                last_modified: h.scan_time.clone(),
                version: h.scan_time.clone(),
                oscal_version: OSCAL_VERSION,
                props: props([
                    ("repository", subject),
                    ("commit", commit),
                    ("branch", h.branch.as_deref().unwrap_or("")),
                    ("soclint-version", h.soclint_version.as_str()),
                    ("ruleset-sha256", h.ruleset_hash.as_str()),
                ]),
                remarks: "Written by soclint from a static scan of the repository's files. \
                          Static checks never show that a criterion is met; see the result's \
                          remarks for how soclint's statuses map to OSCAL objective statuses."
                    .into(),
            },
            import_ap: ImportAp {
                href: format!("#{plan}"),
                remarks: "soclint writes no separate assessment plan: the back-matter resource \
                          this fragment names describes it (the rule set and the control matrix)."
                    .into(),
            },
            results: [ResultBody {
                uuid: uuid_of(&[&doc, "result"]),
                title: format!("soclint scan of {}", md(subject)),
                description: format!(
                    "soclint {} scanned {} ({}) with {} (rule set SHA-256 {}); {} could not be \
                     parsed or were skipped.",
                    md(&h.soclint_version),
                    files,
                    resources,
                    rules,
                    h.ruleset_hash,
                    crate::wording::plural(h.not_scanned + h.parse_errors, "file", "files"),
                ),
                start: h.scan_time.clone(),
                props: props([("scanned-path", h.scanned_path.as_str())]),
                local_definitions: LocalDefinitions {
                    inventory_items: (!items.is_empty())
                        .then_some(InventoryItems { cx: &cx, items }),
                    assessment_assets: AssessmentAssets {
                        components: vec![Component {
                            uuid: tool.clone(),
                            kind: "software",
                            title: "soclint".into(),
                            description: "A linter that checks infrastructure-as-code and policy \
                                          documents against SOC 2 controls."
                                .into(),
                            props: props([("version", h.soclint_version.as_str())]),
                            status: ComponentStatus {
                                state: "operational",
                            },
                        }],
                        assessment_platforms: vec![Platform {
                            uuid: uuid_of(&["platform", &h.soclint_version]),
                            title: "soclint".into(),
                            uses_components: vec![UsesComponent {
                                component_uuid: tool.clone(),
                            }],
                        }],
                    },
                },
                reviewed_controls: ReviewedControls {
                    description: "Each control of the organisation's matrix and each Trust \
                                  Services Criterion in scope has one finding."
                        .into(),
                    control_selections: selections,
                },
                observations: (cx.observed().next().is_some() || !ev.not_scanned.is_empty())
                    .then_some(Observations { cx: &cx }),
                findings: cx.findings(),
                remarks: format!(
                    "How soclint's statuses map to OSCAL: \"no exceptions in automated checks\" \
                     with no accepted exception is `satisfied` (reason `pass`); \"exceptions \
                     found\" is `not-satisfied` (reason `fail`); partial coverage, manual \
                     evidence required, and full coverage with accepted exceptions are \
                     `not-satisfied` with reason `other`: not shown to be met, and no check \
                     failed. Each finding's `status` property (namespace {NS}) is soclint's \
                     own status.\n\nNot assessed (not in scope): {}.\n\nsoclint's statuses:\n\n{}",
                    if not_in_scope.is_empty() {
                        "none".to_string()
                    } else {
                        not_in_scope.join(", ")
                    },
                    definitions.join("\n")
                ),
            }],
            back_matter: BackMatter {
                resources: vec![Resource {
                    uuid: plan,
                    title: "soclint assessment plan".into(),
                    description: format!(
                        "The plan is soclint's rule set ({}, SHA-256 {}) applied to every file \
                         of the repository{}.",
                        rules,
                        h.ruleset_hash,
                        if controls_file.is_empty() {
                            String::new()
                        } else {
                            format!(", read against the control matrix {}", md(controls_file))
                        }
                    ),
                    props: props([
                        ("ruleset-sha256", h.ruleset_hash.as_str()),
                        ("controls-file", controls_file),
                    ]),
                }],
            },
        },
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut out, &document).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_without_overclaiming() {
        assert_eq!(
            objective_status(Status::ExceptionsFound, 0),
            Some(("not-satisfied", "fail"))
        );
        assert_eq!(
            objective_status(Status::NoExceptions, 0),
            Some(("satisfied", "pass"))
        );
        assert_eq!(
            objective_status(Status::NoExceptions, 2),
            Some(("not-satisfied", "other"))
        );
        for s in [Status::NoExceptionsPartial, Status::ManualEvidenceRequired] {
            for accepted in [0, 3] {
                assert_eq!(
                    objective_status(s, accepted),
                    Some(("not-satisfied", "other"))
                );
            }
        }
        assert_eq!(objective_status(Status::NotInScope, 0), None);
    }

    #[test]
    fn uuids_are_version_5_and_stable() {
        let a = uuid_of(&["x", "y"]);
        assert_eq!(a, uuid_of(&["x", "y"]));
        assert_ne!(a, uuid_of(&["x", "y", ""]));
        assert_ne!(uuid_of(&["a:b", "c"]), uuid_of(&["a", "b:c"]));
        assert_ne!(a, uuid_of(&["xy"]));
        // OSCAL's pattern: version 4 or 5, RFC variant
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn tokens_and_lines_fit_oscal_patterns() {
        assert_eq!(token("CC6.1"), "CC6.1");
        assert_eq!(token("AC-01"), "AC-01");
        assert_eq!(token("01-backup"), "_01-backup");
        assert_eq!(token("a b/c"), "a_b_c");
        assert_eq!(one_line("  a\n\tb  c\u{1b} "), Some("a b c".into()));
        assert_eq!(one_line(" \n "), None);
    }
}

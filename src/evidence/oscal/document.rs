//! The document's skeleton (metadata, the plan in the back matter, the
//! result with its local definitions and reviewed controls) and [`write`].
use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use super::findings::Finding;
use super::observations::{InventoryItems, Observations};
use super::{md, props, token, uuid_of, Context, Prop, NS, OSCAL_VERSION};
use crate::evidence::model::{Evidence, Status};
use crate::evidence::population::Populations;

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

/// Writes the evidence as OSCAL assessment results: compact JSON (a
/// population of thousands of subjects, nested ten deep, is half
/// indentation when pretty-printed; `jq .` shows it), a newline at the end.
/// The populations are read rule by rule as they are written.
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
    serde_json::to_writer(&mut out, &document).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

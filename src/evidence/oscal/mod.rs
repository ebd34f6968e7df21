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
mod document;
mod findings;
mod observations;

use serde::Serialize;
use uuid::Uuid;

use super::model::{Evidence, RuleEvidence};
use super::population::Populations;
use crate::escape;

pub use document::write;
pub use findings::objective_status;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::model::Status;

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

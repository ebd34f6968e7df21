//! Frameworks beside the Trust Services Criteria, mapped from the same rules:
//! ISO/IEC 27001:2022 Annex A, NIST SP 800-53 rev. 5, CIS Controls v8.1, PCI
//! DSS v4.0, the HIPAA Security Rule and the SOC 1 IT general control domains.
//!
//! The data is embedded: `data/mappings.tsv` and `data/catalogue.tsv` are
//! derived by `docs/frameworks/derive.py` from pinned public sources (every
//! row names its source file, revision and the check it came through), and
//! `data/soc1.tsv` is an editorial label per rule. A rule maps to a control
//! only where a row says so: unmapped is an answer, never a guess.
use std::sync::OnceLock;

/// A catalogue of controls the rules can be read against.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum Framework {
    /// AICPA Trust Services Criteria (SOC 2), from each rule's own `criteria`.
    Tsc,
    /// ISO/IEC 27001:2022 Annex A.
    Iso27001,
    /// NIST SP 800-53 revision 5.
    Nist80053,
    /// CIS Critical Security Controls v8.1 (safeguards).
    Cis8,
    /// PCI DSS v4.0 (requirements).
    Pci4,
    /// HIPAA Security Rule (45 CFR 164.308–164.316).
    Hipaa,
    /// SOC 1 IT general control domains.
    Soc1,
}

impl Framework {
    pub const ALL: [Framework; 7] = [
        Framework::Tsc,
        Framework::Iso27001,
        Framework::Nist80053,
        Framework::Cis8,
        Framework::Pci4,
        Framework::Hipaa,
        Framework::Soc1,
    ];

    /// The id used on the command line and in data files.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Tsc => "tsc",
            Framework::Iso27001 => "iso27001",
            Framework::Nist80053 => "nist80053",
            Framework::Cis8 => "cis8",
            Framework::Pci4 => "pci4",
            Framework::Hipaa => "hipaa",
            Framework::Soc1 => "soc1",
        }
    }

    pub fn parse(id: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.id() == id)
    }

    /// The framework's full name, as reports title it.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Tsc => "AICPA Trust Services Criteria (2017, points of focus revised 2022)",
            Framework::Iso27001 => "ISO/IEC 27001:2022 Annex A",
            Framework::Nist80053 => "NIST SP 800-53 Revision 5",
            Framework::Cis8 => "CIS Critical Security Controls v8.1",
            Framework::Pci4 => "PCI DSS v4.0",
            Framework::Hipaa => "HIPAA Security Rule (45 CFR Part 164, Subpart C)",
            Framework::Soc1 => "SOC 1 IT general control domains",
        }
    }

    /// A short label for tables and brackets.
    pub fn short(self) -> &'static str {
        match self {
            Framework::Tsc => "TSC",
            Framework::Iso27001 => "ISO 27001",
            Framework::Nist80053 => "NIST 800-53",
            Framework::Cis8 => "CIS v8.1",
            Framework::Pci4 => "PCI DSS 4.0",
            Framework::Hipaa => "HIPAA",
            Framework::Soc1 => "SOC 1 ITGC",
        }
    }

    /// Who publishes it (SARIF `organization`).
    pub fn organization(self) -> &'static str {
        match self {
            Framework::Tsc => "AICPA",
            Framework::Iso27001 => "ISO/IEC",
            Framework::Nist80053 => "NIST",
            Framework::Cis8 => "Center for Internet Security",
            Framework::Pci4 => "PCI Security Standards Council",
            Framework::Hipaa => "U.S. Department of Health and Human Services",
            Framework::Soc1 => "soclint (editorial grouping of IT general controls)",
        }
    }

    /// A stable GUID per framework for SARIF taxonomies (the TSC one is the
    /// SARIF reporter's own).
    pub fn guid(self) -> &'static str {
        match self {
            Framework::Tsc => "6c5d1e2f-0b7a-4c3e-9f1d-2a8b7c6d5e4f",
            Framework::Iso27001 => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e01",
            Framework::Nist80053 => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e02",
            Framework::Cis8 => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e03",
            Framework::Pci4 => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e04",
            Framework::Hipaa => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e05",
            Framework::Soc1 => "2f0c6d1e-7a3b-5c4d-8e9f-0a1b2c3d4e06",
        }
    }
}

impl std::fmt::Display for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// How a mapping row was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Through a check that tests the same setting (Path A).
    Check,
    /// A reviewed label with no machine-readable source (SOC 1 domains).
    Editorial,
}

/// One row: `rule` maps to `control` of `framework`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mapping {
    pub rule: String,
    pub framework: Framework,
    pub control: &'static str,
    pub kind: Kind,
    /// Where the row comes from: repository and file, or `soclint editorial`.
    pub source: &'static str,
    /// The source's pinned revision (commit prefix), empty for editorial rows.
    pub revision: &'static str,
    /// The check the row came through (Path A), empty for editorial rows.
    pub via: &'static str,
}

const MAPPINGS: &str = include_str!("data/mappings.tsv");
const CATALOGUE: &str = include_str!("data/catalogue.tsv");
const SOC1: &str = include_str!("data/soc1.tsv");

/// The SOC 1 ITGC domains: (id, title).
pub const SOC1_DOMAINS: [(&str, &str); 4] = [
    ("access", "Access to programs and data"),
    ("change", "Program changes"),
    ("development", "Program development"),
    ("operations", "Computer operations"),
];

fn data_lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .skip(1) // the header
        .map(|l| l.split('\t').collect())
}

/// Every check-level row (the SOC 1 rows depend on the rule set: [`for_rule`]).
pub fn mappings() -> &'static [Mapping] {
    static ROWS: OnceLock<Vec<Mapping>> = OnceLock::new();
    ROWS.get_or_init(|| {
        data_lines(MAPPINGS)
            .filter_map(|f| {
                let [rule, framework, control, _kind, source, revision, via] = f[..] else {
                    return None;
                };
                Some(Mapping {
                    rule: rule.to_string(),
                    framework: Framework::parse(framework)?,
                    control,
                    kind: Kind::Check,
                    source,
                    revision,
                    via,
                })
            })
            .collect()
    })
}

/// The SOC 1 domain of a rule id, if a line of `soc1.tsv` names it.
fn soc1_domain(rule: &str) -> Option<&'static str> {
    static LINES: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    LINES
        .get_or_init(|| {
            data_lines(SOC1)
                .filter_map(|f| match f[..] {
                    [selector, domain] => Some((selector, domain)),
                    _ => None,
                })
                .collect()
        })
        .iter()
        .find(|(sel, _)| {
            if sel.ends_with('-') {
                rule.starts_with(sel)
            } else {
                rule == *sel
            }
        })
        .map(|(_, d)| *d)
}

/// The rows that map `rule` into `framework` (for the TSC: none, the rule's
/// criteria are its own metadata), ordered by control.
pub fn for_rule(rule: &str, framework: Framework) -> Vec<Mapping> {
    match framework {
        Framework::Tsc => Vec::new(),
        Framework::Soc1 => soc1_domain(rule)
            .map(|d| Mapping {
                rule: rule.to_string(),
                framework,
                control: d,
                kind: Kind::Editorial,
                source: "soclint editorial (src/frameworks/data/soc1.tsv)",
                revision: "",
                via: "",
            })
            .into_iter()
            .collect(),
        _ => mappings()
            .iter()
            .filter(|m| m.rule == rule && m.framework == framework)
            .cloned()
            .collect(),
    }
}

/// The controls of `framework` that `rule` maps to (distinct, catalogue
/// order); for the TSC, `criteria` (the rule's own).
pub fn controls(rule: &str, criteria: &[&'static str], framework: Framework) -> Vec<&'static str> {
    if framework == Framework::Tsc {
        return criteria.to_vec();
    }
    let mut out: Vec<&'static str> = for_rule(rule, framework)
        .into_iter()
        .map(|m| m.control)
        .collect();
    out.sort_by_key(|c| natural_key(c));
    out.dedup();
    out
}

/// A framework's control ids with their titles (empty where the text is not
/// free to copy: ISO, PCI and CIS publish theirs under copyright).
pub fn catalogue(framework: Framework) -> Vec<(&'static str, &'static str)> {
    match framework {
        Framework::Tsc => crate::rules::criteria::CRITERIA
            .iter()
            .map(|c| (c.id, c.title))
            .collect(),
        Framework::Soc1 => SOC1_DOMAINS.to_vec(),
        _ => data_lines(CATALOGUE)
            .filter_map(|f| match f[..] {
                [fw, control, title] if fw == framework.id() => Some((control, title)),
                [fw, control] if fw == framework.id() => Some((control, "")),
                _ => None,
            })
            .collect(),
    }
}

/// The title of a control (empty when unknown or not free to copy).
pub fn title(framework: Framework, control: &str) -> &'static str {
    catalogue(framework)
        .into_iter()
        .find(|(c, _)| *c == control)
        .map_or("", |(_, t)| t)
}

/// Sort key that orders `A.8.9` before `A.8.10` and `SC-8(3)` before `SC-13`.
pub fn natural_key(s: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            if !text.is_empty() {
                out.push((u64::MAX, std::mem::take(&mut text)));
            }
            digits.push(ch);
        } else {
            if !digits.is_empty() {
                out.push((digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            text.push(ch);
        }
    }
    if !digits.is_empty() {
        out.push((digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        out.push((u64::MAX, text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_from_the_sources_note() {
        // S3 default encryption through Prowler's s3_bucket_default_encryption
        let iso = controls("AWS-S3-002", &[], Framework::Iso27001);
        assert_eq!(iso, ["A.8.11", "A.8.24"]);
        let pci = controls("AWS-S3-002", &[], Framework::Pci4);
        assert_eq!(pci, ["3.5.1", "8.3.2"]);
        assert_eq!(controls("AWS-S3-002", &[], Framework::Cis8), ["3.11"]);
        let nist = controls("AWS-S3-002", &[], Framework::Nist80053);
        assert!(nist.contains(&"SC-28(1)") && nist.contains(&"CP-9(d)"));
        for m in for_rule("AWS-S3-002", Framework::Iso27001) {
            assert_eq!(m.revision, "3e000faa");
            assert_eq!(m.via, "s3_bucket_default_encryption");
            assert!(m.source.ends_with("aws/iso27001_2022_aws.json"));
        }
    }

    #[test]
    fn unmapped_rules_stay_unmapped_and_soc1_is_editorial() {
        assert!(controls("DKR-USER-001", &[], Framework::Iso27001).is_empty());
        assert_eq!(controls("GH-BP-001", &[], Framework::Soc1), ["change"]);
        assert_eq!(controls("AWS-IAM-002", &[], Framework::Soc1), ["access"]);
        assert!(controls("AWS-S3-002", &[], Framework::Soc1).is_empty());
        assert_eq!(controls("X", &["CC6.1"], Framework::Tsc), ["CC6.1"]);
        assert_eq!(catalogue(Framework::Iso27001).len(), 93);
        assert_eq!(catalogue(Framework::Cis8).len(), 153);
        assert_eq!(
            title(Framework::Nist80053, "AC-2(1)"),
            "Automated System Account Management"
        );
    }

    #[test]
    fn every_mapped_control_is_in_its_catalogue() {
        for m in mappings() {
            assert!(
                catalogue(m.framework).iter().any(|(c, _)| *c == m.control),
                "{} {} {}",
                m.rule,
                m.framework,
                m.control
            );
        }
    }
}

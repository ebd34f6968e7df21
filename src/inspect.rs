//! What a repository holds, as `soclint init` needs to know it before it
//! writes a configuration: the CI system it runs, where it keeps its
//! policies, and the skip comments other scanners (Checkov, tfsec, Trivy)
//! already carry. Reads only the files discovery found, each at most the
//! scan's size limit.
use std::collections::BTreeMap;

use crate::discover::{classify_name, Discovered, NameClass};
use crate::document::{markdown, Limits};
use crate::parse::PolicyPlaces;
use crate::rules::RuleSet;

/// A CI system and the file that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ci {
    pub name: &'static str,
    pub file: String,
}

/// The CI systems whose configuration is in the repository.
pub fn ci_systems(files: &[Discovered]) -> Vec<Ci> {
    const KNOWN: &[(&str, &str)] = &[
        ("GitHub Actions", ".github/workflows/"),
        ("GitLab CI", ".gitlab-ci.yml"),
        ("Bitbucket Pipelines", "bitbucket-pipelines.yml"),
        ("Azure Pipelines", "azure-pipelines.yml"),
        ("CircleCI", ".circleci/config.yml"),
        ("Jenkins", "Jenkinsfile"),
        ("Google Cloud Build", "cloudbuild.yaml"),
        ("Buildkite", ".buildkite/pipeline.yml"),
    ];
    KNOWN
        .iter()
        .filter_map(|(name, marker)| {
            let file = files.iter().find(|f| {
                if marker.ends_with('/') {
                    f.rel.starts_with(marker)
                } else {
                    f.rel == *marker
                }
            })?;
            Some(Ci {
                name,
                file: file.rel.clone(),
            })
        })
        .collect()
}

/// The directory where the repository keeps its policies, when one holds
/// at least two documents that read as policies (front matter with a
/// title, a name or an owner, or a first heading that names a policy, plan,
/// procedure or standard). The directory with the most wins; ties go to the
/// shorter path.
pub fn policy_directory(files: &[Discovered], max_file_size: u64) -> Option<String> {
    let anywhere = PolicyPlaces {
        dirs: vec![String::new()],
        declared: true,
    };
    let mut per_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for f in files {
        if classify_name(&f.rel) != NameClass::Markdown
            || !anywhere.holds(&f.rel)
            || f.rel.starts_with(".github/")
            || f.rel
                .split('/')
                .any(|p| p == "node_modules" || p == "vendor")
        {
            continue;
        }
        let Some((dir, _)) = f.rel.rsplit_once('/') else {
            continue; // the root's own Markdown is not a policy directory
        };
        let Ok(meta) = std::fs::metadata(&f.path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > max_file_size {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f.path) else {
            continue;
        };
        if reads_as_policy(&text) {
            *per_dir.entry(dir).or_insert(0) += 1;
        }
    }
    per_dir
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.len().cmp(&a.0.len())))
        .map(|(dir, _)| dir.to_string())
}

/// A document that says it is a policy: its title (front matter `title` or
/// `name`, else its first heading) names a policy, plan, procedure or
/// standard, or its front matter has the fields policies carry (an issue
/// template's or an agent skill's `name` is neither).
fn reads_as_policy(text: &str) -> bool {
    let Ok(doc) = markdown::parse_policy(text, &Limits::default()) else {
        return false;
    };
    let fm = doc.get("front_matter");
    let has = |key: &str| fm.and_then(|f| f.get(key)).is_some();
    let title = crate::extract::policy_title(&doc).map(str::to_ascii_lowercase);
    let named_so = title.is_some_and(|t| {
        [
            "policy",
            "plan",
            "procedure",
            "standard",
            "program",
            "narrative",
        ]
        .iter()
        .any(|w| t.contains(w))
    });
    named_so
        || [
            "owner",
            "approved_by",
            "last_reviewed",
            "majorRevisions",
            "satisfies",
        ]
        .iter()
        .any(|k| has(k))
}

/// A skip comment of another scanner, found in a file soclint scans.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkipComment {
    pub path: String,
    pub line: usize,
    /// `checkov`, `tfsec` or `trivy`.
    pub tool: &'static str,
    /// The check it skips: `CKV_AWS_20`, `aws-s3-enable-bucket-encryption`.
    pub check: String,
    /// The reason written after the id, if any.
    pub reason: Option<String>,
    /// The soclint rules that cover the same check (from the rules'
    /// `checkov` lists).
    pub rules: Vec<String>,
}

/// Every `checkov:skip=`, `tfsec:ignore:` and `trivy:ignore:` comment in
/// the files soclint scans, with the soclint rules that cover a Checkov id.
pub fn skip_comments(
    files: &[Discovered],
    rules: &RuleSet,
    max_file_size: u64,
) -> Vec<SkipComment> {
    // (Checkov id, rule target) -> the rules that list it
    let mut by_checkov: BTreeMap<&str, Vec<(crate::target::Target, &str)>> = BTreeMap::new();
    for r in &rules.rules {
        for c in &r.meta.checkov {
            by_checkov
                .entry(c.as_str())
                .or_default()
                .push((r.meta.target, r.meta.id.as_str()));
        }
    }
    let mut out = Vec::new();
    for f in files {
        let class = classify_name(&f.rel);
        if class == NameClass::Other {
            continue;
        }
        // only rules that can apply to this file (a Checkov id shared by a
        // Terraform and a CloudFormation rule maps to one of them)
        let covering = |check: &str| -> Vec<String> {
            by_checkov
                .get(check)
                .into_iter()
                .flatten()
                .filter(|(t, _)| class.targets().contains(t))
                .map(|(_, id)| id.to_string())
                .collect()
        };
        let Ok(meta) = std::fs::metadata(&f.path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > max_file_size {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f.path) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for (tool, marker) in [
                ("checkov", "checkov:skip="),
                ("tfsec", "tfsec:ignore:"),
                ("trivy", "trivy:ignore:"),
            ] {
                let Some(at) = line.find(marker) else {
                    continue;
                };
                let rest = &line[at + marker.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                let check = &rest[..end];
                if check.is_empty() {
                    continue;
                }
                let reason = rest[end..]
                    .strip_prefix(':')
                    .map(|r| r.trim().trim_end_matches("*/").trim().to_string())
                    .filter(|r| !r.is_empty());
                out.push(SkipComment {
                    path: f.rel.clone(),
                    line: n + 1,
                    tool,
                    check: check.to_string(),
                    reason,
                    rules: covering(check),
                });
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(dir: &std::path::Path, rel: &str, text: &str) -> Discovered {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        Discovered {
            path,
            rel: rel.to_string(),
            size: None,
            root: 0,
        }
    }

    #[test]
    fn the_policy_directory_is_the_one_with_most_policies() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        let files = vec![
            found(
                d,
                ".github/ISSUE_TEMPLATE/bug.md",
                "---\nname: Bug\nabout: x\n---\n",
            ),
            found(d, "docs/adr/0001.md", "# Use Postgres\n"),
            found(
                d,
                "docs/security/access.md",
                "name: Access Policy\n---\n# Purpose\n",
            ),
            found(d, "docs/security/incident.md", "# Incident Response Plan\n"),
            found(d, "docs/security/README.md", "# Security Policy\n"),
            found(d, "skills/review/SKILL.md", "---\nname: review\n---\n"),
            found(d, "README.md", "# Policy\n"),
        ];
        assert_eq!(
            policy_directory(&files, 1 << 20).as_deref(),
            Some("docs/security")
        );
        // one policy alone does not make a policy directory
        assert_eq!(policy_directory(&files[..3], 1 << 20), None);
    }

    #[test]
    fn skip_comments_of_other_scanners_are_found() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let files = vec![found(
            tmp.path(),
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  # checkov:skip=CKV_AWS_18:access logs go to the central bucket\n  #tfsec:ignore:aws-s3-enable-versioning\n  # trivy:ignore:AVD-AWS-0089\n}\n",
        )];
        let rules = RuleSet::default();
        let found = skip_comments(&files, &rules, 1 << 20);
        let got: Vec<(usize, &str, &str, Option<&str>)> = found
            .iter()
            .map(|s| (s.line, s.tool, s.check.as_str(), s.reason.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    "checkov",
                    "CKV_AWS_18",
                    Some("access logs go to the central bucket")
                ),
                (3, "tfsec", "aws-s3-enable-versioning", None),
                (4, "trivy", "AVD-AWS-0089", None),
            ]
        );
    }
}

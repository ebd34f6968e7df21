//! Rule fixtures: a directory of real files whose expected findings are declared
//! in the files themselves (`# expect: RULE-ID` on the line the finding points
//! at) or in a sidecar `expect.txt` (`PATH:LINE RULE-ID`). Used by the test
//! suite for the built-in pack, and by anyone testing their own rules.
//!
//! `expect.txt` may also pin what a case depends on, in header lines:
//! `# today: 2026-11-25` (the day date rules compare with, so a case passes
//! whatever day it runs) and `# policy-paths: governance, docs/policies`
//! (where the case keeps its policies, as `policy-paths` in soclint.toml).
use std::collections::BTreeSet;
use std::path::Path;

use globset::GlobSet;

use crate::finding::ScanResult;
use crate::rules::RuleSet;
use crate::scan::{scan, ScanOptions};

/// (path relative to the case directory, line, rule id)
pub type Expectation = (String, usize, String);

pub const SIDECAR: &str = "expect.txt";

/// Reads the expectations declared in a case directory.
pub fn expectations(dir: &Path) -> Result<BTreeSet<Expectation>, String> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if rel == SIDECAR {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let parsed = line.split_once(' ').and_then(|(loc, rule)| {
                    let (path, ln) = loc.rsplit_once(':')?;
                    Some((path.to_string(), ln.parse().ok()?, rule.trim().to_string()))
                });
                match parsed {
                    Some(e) => {
                        out.insert(e);
                    }
                    None => {
                        return Err(format!(
                            "{}:{}: expected `PATH:LINE RULE-ID`",
                            entry.path().display(),
                            n + 1
                        ))
                    }
                }
            }
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if let Some(pos) = line.find("expect: ") {
                // rule ids, separated by commas or spaces, up to anything else
                let ids = line[pos + 8..]
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .take_while(|s| {
                        s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    });
                for id in ids {
                    out.insert((rel.clone(), n + 1, id.to_string()));
                }
            }
        }
    }
    Ok(out)
}

/// What a case pins in its `expect.txt` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSettings {
    /// `# today: YYYY-MM-DD`, as days since 1970-01-01.
    pub today: Option<i64>,
    /// `# policy-paths: a, b`.
    pub policy_paths: Option<Vec<String>>,
}

/// Reads the header of a case's `expect.txt` (nothing when there is none).
pub fn case_settings(dir: &Path) -> Result<CaseSettings, String> {
    let path = dir.join(SIDECAR);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(CaseSettings::default());
    };
    let mut out = CaseSettings::default();
    for (n, line) in text.lines().enumerate() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            continue;
        };
        let Some((key, value)) = directive.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "today" => {
                // the date, then any comment
                let value = value.split_whitespace().next().unwrap_or("");
                let day = crate::rules::eval::parse_date(value).filter(|_| value.len() == 10);
                out.today = Some(day.ok_or_else(|| {
                    format!(
                        "{}:{}: `today: {value}` is not a YYYY-MM-DD date",
                        path.display(),
                        n + 1
                    )
                })?);
            }
            "policy-paths" => {
                out.policy_paths = Some(
                    value
                        .split(',')
                        .map(|p| p.trim().trim_matches('/').to_string())
                        .filter(|p| !p.is_empty())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    Ok(out)
}

/// What one case directory produced.
pub struct CaseResult {
    pub expected: BTreeSet<Expectation>,
    pub actual: BTreeSet<Expectation>,
    pub scan: ScanResult,
}

impl CaseResult {
    /// A readable diff: `- missing` (declared, not produced), `+ unexpected`.
    pub fn diff(&self) -> Vec<String> {
        let fmt = |(p, l, r): &Expectation| format!("{p}:{l} {r}");
        let mut lines: Vec<String> = self
            .expected
            .difference(&self.actual)
            .map(|e| format!("- missing    {}", fmt(e)))
            .collect();
        lines.extend(
            self.actual
                .difference(&self.expected)
                .map(|e| format!("+ unexpected {}", fmt(e))),
        );
        lines.extend(
            self.scan
                .errors
                .iter()
                .map(|e| format!("! error      {}:{} {}", e.path, e.line, e.message)),
        );
        lines
    }
}

/// Scans `dir` as a repository root with `rules`, as of `today` (days since
/// epoch) unless the case pins its own day.
pub fn run_case(rules: &RuleSet, dir: &Path, today: i64) -> Result<CaseResult, String> {
    let expected = expectations(dir)?;
    let opts = case_options(rules, dir, today)?;
    let result = scan(&opts, rules);
    let actual = result
        .findings
        .iter()
        .map(|f| {
            (
                f.path.to_string(),
                f.location.start_line as usize,
                f.rule.id.clone(),
            )
        })
        .collect();
    Ok(CaseResult {
        expected,
        actual,
        scan: result,
    })
}

/// How a case directory is scanned: as a repository root, as of `today`
/// unless it pins its own day, with the policy places it pins.
fn case_options(rules: &RuleSet, dir: &Path, today: i64) -> Result<ScanOptions, String> {
    let pinned = case_settings(dir)?;
    let mut opts = ScanOptions {
        exclude: sidecar_glob(),
        ..ScanOptions::for_directory(dir, pinned.today.unwrap_or(today))
    };
    if let Some(paths) = pinned.policy_paths {
        let mut settings = rules.settings.clone();
        settings.policy_paths = paths.clone();
        opts.eval.settings = Some(settings);
        opts.parse.policies = crate::parse::PolicyPlaces {
            dirs: paths,
            declared: true,
        };
    }
    Ok(opts)
}

/// The verdict on one rule's fixtures, kept apart as cfn-guard does.
#[derive(Debug)]
pub enum RuleTest {
    Pass {
        findings: usize,
        passes: usize,
        /// Findings of the fail case the rule's fix fixed as `fixed/` expects.
        fixed: usize,
    },
    Fail {
        problems: Vec<String>,
    },
    /// No fixture directory for the rule.
    Skip,
}

/// Runs `DIR/<target>/<RULE-ID>/{fail,pass}` for one rule of `rules`. Findings
/// and expectations of other rules are ignored (one fixture may trip several).
/// A rule with a `fix` also needs `fixed/`: the fail case's files as its
/// fixes leave them (see [`crate::fix::expected`]).
pub fn test_rule(rules: &RuleSet, id: &str, target: &str, dir: &Path, today: i64) -> RuleTest {
    let base = dir.join(target).join(id);
    if !base.is_dir() {
        return RuleTest::Skip;
    }
    let mut problems = Vec::new();
    let mut findings = 0;
    let mut passes = 0;
    let mut fixed = 0;
    let fix = rules
        .rules
        .iter()
        .find(|r| r.meta.id == id)
        .and_then(|r| r.fix.as_ref());
    let fixed_dir = base.join(crate::fix::expected::FIXED_DIR);
    match (fix, fixed_dir.is_dir()) {
        (Some(_), false) => problems.push(format!(
            "the rule has a fix but no `fixed/` case in {}",
            base.display()
        )),
        (None, true) => problems.push("a `fixed/` case, but the rule has no fix".into()),
        _ => {}
    }
    for case in ["fail", "pass"] {
        let case_dir = base.join(case);
        if !case_dir.is_dir() {
            problems.push(format!("no `{case}/` case in {}", base.display()));
            continue;
        }
        let mut result = match run_case(rules, &case_dir, today) {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        result.expected.retain(|e| e.2 == id);
        result.actual.retain(|e| e.2 == id);
        let mut diff = result.diff();
        if case == "fail" {
            findings = result.actual.len();
            if let (Some(fix), true) = (fix, fixed_dir.is_dir()) {
                let checked = case_options(rules, &case_dir, today).and_then(|opts| {
                    crate::fix::expected::check_case(
                        rules,
                        id,
                        fix,
                        &opts,
                        &result.scan,
                        &case_dir,
                        &fixed_dir,
                    )
                    .map_err(|p| p.join("\n"))
                });
                match checked {
                    Ok(n) => fixed = n,
                    Err(p) => problems.push(format!("fixed: {p}")),
                }
            }
            if result.expected.is_empty() {
                diff.push("- the fail case declares no `expect:` finding".into());
            }
        } else {
            let stats = result.scan.stats.get(id).copied().unwrap_or_default();
            passes = stats.passed;
            if stats.passed == 0 {
                diff.push(format!(
                    "- the pass case never passes the rule (passed {}, failed {}, skipped {})",
                    stats.passed, stats.failed, stats.skipped
                ));
            }
        }
        problems.extend(diff.into_iter().map(|d| format!("{case}: {d}")));
    }
    if problems.is_empty() {
        RuleTest::Pass {
            findings,
            passes,
            fixed,
        }
    } else {
        RuleTest::Fail { problems }
    }
}

fn sidecar_glob() -> GlobSet {
    let mut b = globset::GlobSetBuilder::new();
    if let Ok(g) = globset::Glob::new(SIDECAR) {
        b.add(g);
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

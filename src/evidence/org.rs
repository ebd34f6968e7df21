//! The organisation report: the JSON evidence of many repositories (each
//! scanned in its own CI job) joined into one, per criterion and control
//! across repositories with a drill-down per repository. The result depends
//! only on the set of reports, never on the order they are given in.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::model::{Evidence, Status};

/// One repository's report, as the organisation report lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RepositoryRow {
    /// The repository (its `origin`), else the scanned path.
    pub name: String,
    pub commit: Option<String>,
    pub scan_time: String,
    pub ruleset_hash: String,
    pub failed: usize,
    pub passed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    pub exceptions_found: usize,
    pub manual: usize,
    /// The report file it was read from, as given.
    pub file: String,
    /// Criteria and controls with exceptions here (the drill-down).
    pub criteria_with_exceptions: Vec<String>,
    pub controls_with_exceptions: Vec<String>,
    /// Rules with failing evaluations here, most failures first.
    pub failing_rules: Vec<RuleFailures>,
}

/// A rule's failing evaluations in one repository.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleFailures {
    pub id: String,
    pub failed: usize,
}

/// One repository's report reduced to what the organisation report needs:
/// read in parallel, the rest of the evidence dropped at once, so a merge of
/// many reports holds little of each.
pub struct Summary {
    row: RepositoryRow,
    criteria: Vec<Part>,
    controls: Vec<Part>,
}

/// A criterion or control of one repository.
struct Part {
    id: String,
    title: String,
    counts: Counts,
}

/// A criterion or control across the repositories.
#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    pub id: String,
    pub title: String,
    /// The worst status of any repository (exceptions found, then partial or
    /// full coverage without exceptions, then manual evidence, then not in
    /// scope): no repository's exception is averaged away.
    pub status: Status,
    /// How many repositories gave each status.
    pub repositories_by_status: BTreeMap<Status, usize>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    /// The repositories where it has exceptions, by name.
    pub exceptions_in: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgReport {
    pub repositories: Vec<RepositoryRow>,
    /// Whether the reports came from more than one rule set (results not like for like).
    pub rule_sets: usize,
    pub criteria: Vec<Joined>,
    pub controls: Vec<Joined>,
}

/// The report files `inputs` name: each file, and each `*.json` directly
/// in a directory, sorted.
pub fn report_files(inputs: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json") && f.is_file())
                .collect();
            found.sort();
            files.append(&mut found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Reads one JSON evidence report (`report --format json`); its population,
/// if any, is read past. soclint writes the population last, a top-level
/// key after the model (`,\n  "population": [`, which only the top level
/// of that layout can hold: a string has no raw newline), so the model is
/// parsed alone when the file has that shape (the population is most of a
/// report's bytes); any other shape is parsed whole.
pub fn read(path: &Path) -> Result<Evidence, String> {
    let mut bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    const POPULATION: &[u8] = b",\n  \"population\": [";
    if let Some(at) = memchr::memmem::rfind(&bytes, POPULATION) {
        let mut model = bytes[..at].to_vec();
        model.extend_from_slice(b"\n}");
        if let Ok(ev) = serde_json::from_slice(&model) {
            return Ok(ev);
        }
    }
    let parsed = serde_json::from_slice(&bytes);
    bytes.clear();
    parsed.map_err(|e| {
        format!(
            "{} is not a soclint JSON evidence report: {e}",
            path.display()
        )
    })
}

/// Worst first: the order statuses are ranked in across repositories.
fn rank(s: Status) -> u8 {
    match s {
        Status::ExceptionsFound => 0,
        Status::NoExceptionsPartial => 1,
        Status::NoExceptions => 2,
        Status::ManualEvidenceRequired => 3,
        Status::NotInScope => 4,
    }
}

struct Counts {
    status: Status,
    passed: usize,
    failed: usize,
    skipped: usize,
    suppressed: usize,
}

fn join(into: &mut BTreeMap<String, Joined>, id: &str, title: &str, repo: &str, c: Counts) {
    let j = into.entry(id.to_string()).or_insert_with(|| Joined {
        id: id.to_string(),
        title: title.to_string(),
        status: Status::NotInScope,
        repositories_by_status: BTreeMap::new(),
        passed: 0,
        failed: 0,
        skipped: 0,
        suppressed: 0,
        exceptions_in: Vec::new(),
    });
    // the title of the smallest one, whatever the order read
    if title < j.title.as_str() {
        j.title = title.to_string();
    }
    if rank(c.status) < rank(j.status) {
        j.status = c.status;
    }
    *j.repositories_by_status.entry(c.status).or_insert(0) += 1;
    j.passed += c.passed;
    j.failed += c.failed;
    j.skipped += c.skipped;
    j.suppressed += c.suppressed;
    if c.status == Status::ExceptionsFound {
        j.exceptions_in.push(repo.to_string());
    }
}

/// Reduces one repository's evidence (read from `file`, as given) to its
/// [`Summary`].
pub fn summarise(file: String, ev: Evidence) -> Summary {
    let h = ev.header;
    let name = h.repository.unwrap_or(h.scanned_path);
    let by = |s: Status| ev.totals.criteria_by_status.get(&s).copied().unwrap_or(0);
    let with_exceptions = |ids: Vec<(&String, Status)>| -> Vec<String> {
        ids.into_iter()
            .filter(|(_, s)| *s == Status::ExceptionsFound)
            .map(|(id, _)| id.clone())
            .collect()
    };
    let mut failing_rules: Vec<RuleFailures> = ev
        .rules
        .iter()
        .filter(|r| r.failed > 0)
        .map(|r| RuleFailures {
            id: r.id.clone(),
            failed: r.failed,
        })
        .collect();
    failing_rules.sort_by(|a, b| b.failed.cmp(&a.failed).then_with(|| a.id.cmp(&b.id)));
    let row = RepositoryRow {
        name,
        commit: h.commit,
        scan_time: h.scan_time,
        ruleset_hash: h.ruleset_hash,
        failed: ev.totals.failed,
        passed: ev.totals.passed,
        skipped: ev.totals.skipped,
        suppressed: ev.totals.suppressed,
        exceptions_found: by(Status::ExceptionsFound),
        manual: by(Status::ManualEvidenceRequired),
        file,
        criteria_with_exceptions: with_exceptions(
            ev.criteria.iter().map(|c| (&c.id, c.status)).collect(),
        ),
        controls_with_exceptions: with_exceptions(
            ev.controls.iter().map(|c| (&c.id, c.status)).collect(),
        ),
        failing_rules,
    };
    let part = |id: String, title: String, status, passed, failed, skipped, suppressed| Part {
        id,
        title,
        counts: Counts {
            status,
            passed,
            failed,
            skipped,
            suppressed,
        },
    };
    Summary {
        row,
        criteria: ev
            .criteria
            .into_iter()
            .map(|c| {
                part(
                    c.id,
                    c.title,
                    c.status,
                    c.passed,
                    c.failed,
                    c.skipped,
                    c.suppressed,
                )
            })
            .collect(),
        controls: ev
            .controls
            .into_iter()
            .map(|c| {
                part(
                    c.id,
                    c.title,
                    c.status,
                    c.passed,
                    c.failed,
                    c.skipped,
                    c.suppressed,
                )
            })
            .collect(),
    }
}

/// Joins the repositories' summaries, given in any order.
pub fn merge(reports: Vec<Summary>) -> OrgReport {
    let mut repositories = Vec::with_capacity(reports.len());
    let mut criteria: BTreeMap<String, Joined> = BTreeMap::new();
    let mut controls: BTreeMap<String, Joined> = BTreeMap::new();
    let mut rule_sets: Vec<String> = Vec::new();
    for r in reports {
        let name = &r.row.name;
        rule_sets.push(r.row.ruleset_hash.clone());
        for c in r.criteria {
            join(&mut criteria, &c.id, &c.title, name, c.counts);
        }
        for c in r.controls {
            join(&mut controls, &c.id, &c.title, name, c.counts);
        }
        repositories.push(r.row);
    }
    repositories.sort();
    rule_sets.sort();
    rule_sets.dedup();
    let finish = |m: BTreeMap<String, Joined>| -> Vec<Joined> {
        let mut v: Vec<Joined> = m.into_values().collect();
        for j in &mut v {
            j.exceptions_in.sort();
        }
        v
    };
    let mut criteria = finish(criteria);
    // the catalogue's order (CC1.1 … P8.1), not the text's
    criteria.sort_by_key(|c| {
        crate::rules::criteria::CRITERIA
            .iter()
            .position(|x| x.id == c.id)
            .unwrap_or(usize::MAX)
    });
    OrgReport {
        repositories,
        rule_sets: rule_sets.len(),
        criteria,
        controls: finish(controls),
    }
}

pub fn render_json(org: &OrgReport) -> String {
    let mut s =
        serde_json::to_string_pretty(org).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

pub fn render_markdown(org: &OrgReport) -> String {
    let md = |s: &str| crate::escape::markdown(s).into_owned();
    let mut s = String::new();
    let _ = writeln!(s, "# SOC 2 evidence across the organisation\n");
    let _ = writeln!(
        s,
        "{}, {}{}. A criterion's or control's status is the worst any \
         repository gave it.\n",
        crate::wording::plural(org.repositories.len(), "repository", "repositories"),
        crate::wording::plural(org.rule_sets, "rule set", "rule sets"),
        if org.rule_sets > 1 {
            " (results are not like for like across rule sets)"
        } else {
            ""
        }
    );
    for (title, rows) in [("Controls", &org.controls), ("Criteria", &org.criteria)] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "## {title}\n");
        let _ = writeln!(
            s,
            "| id | status | repositories with exceptions | passed | failed | skipped | accepted |\n|---|---|---|---:|---:|---:|---:|"
        );
        for j in rows.iter() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md(&j.id),
                j.status.label(),
                if j.exceptions_in.is_empty() {
                    "—".to_string()
                } else {
                    md(&j.exceptions_in.join(", "))
                },
                j.passed,
                j.failed,
                j.skipped,
                j.suppressed
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Repositories\n");
    let _ = writeln!(
        s,
        "| repository | commit | scan time | criteria with exceptions | manual only | failed | passed |\n|---|---|---|---:|---:|---:|---:|"
    );
    for r in &org.repositories {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&r.name),
            r.commit.as_deref().map_or("—".to_string(), md),
            md(&r.scan_time),
            r.exceptions_found,
            r.manual,
            r.failed,
            r.passed
        );
    }
    s
}

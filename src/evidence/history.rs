//! Type II history: one compact JSON line per run, and what the report shows
//! from a history file (each criterion's status per run, the longest period
//! it stayed passing).
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::model::{Evidence, Status};
use super::time::{format_utc, parse_utc};

/// One run, as one line of the history file:
/// `{"time":"…Z","commit":"…","branch":"…","ruleset":"…","criteria":{"CC6.1":[passed,failed],…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub time: String,
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub ruleset: String,
    /// Criterion id → [passed evaluations, failed evaluations].
    pub criteria: BTreeMap<String, [usize; 2]>,
}

impl Entry {
    pub fn from_evidence(ev: &Evidence) -> Entry {
        Entry {
            time: ev.header.scan_time.clone(),
            commit: ev.header.commit.clone(),
            branch: ev.header.branch.clone(),
            ruleset: ev.header.ruleset_hash.clone(),
            criteria: ev
                .criteria
                .iter()
                .map(|c| (c.id.to_string(), [c.passed, c.failed]))
                .collect(),
        }
    }

    pub fn status_of(&self, id: &str) -> Option<Status> {
        self.criteria.get(id).map(|&[passed, failed]| {
            if failed > 0 {
                Status::Failing
            } else if passed > 0 {
                Status::Passing
            } else {
                Status::NotEvidenced
            }
        })
    }
}

/// Appends one line for this run (creating the file).
pub fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    let line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{line}")
}

/// Reads a history file; blank lines are skipped, a bad line is an error
/// naming its line number.
pub fn read(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read history {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if parse_utc(&e.time).is_none() {
            return Err(format!(
                "line {}: time `{}` is not UTC RFC 3339",
                i + 1,
                e.time
            ));
        }
        out.push(e);
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct RunHeader {
    pub time: String,
    pub commit: Option<String>,
    pub ruleset: String,
}

/// The longest stretch of consecutive passing runs: from its first passing
/// run until the run that broke it (or the latest run if it still holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Streak {
    pub from: String,
    pub to: String,
    pub days: i64,
    pub runs: usize,
    pub ongoing: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub id: String,
    /// One per run; `None` where the criterion was not in that run.
    pub statuses: Vec<Option<Status>>,
    pub longest_passing: Option<Streak>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    pub runs: Vec<RunHeader>,
    pub rows: Vec<HistoryRow>,
    /// Whether the rule set changed between runs (results not like for like).
    pub ruleset_changed: bool,
}

/// The history section: runs in time order, one row per criterion in `ids`.
pub fn view(entries: &[Entry], ids: &[&str]) -> HistoryView {
    let mut runs: Vec<&Entry> = entries.iter().collect();
    runs.sort_by_key(|e| parse_utc(&e.time).unwrap_or(0));
    let rows = ids
        .iter()
        .map(|id| {
            let statuses: Vec<Option<Status>> = runs.iter().map(|e| e.status_of(id)).collect();
            HistoryRow {
                id: id.to_string(),
                longest_passing: longest_streak(&runs, &statuses),
                statuses,
            }
        })
        .collect();
    HistoryView {
        ruleset_changed: runs.windows(2).any(|w| w[0].ruleset != w[1].ruleset),
        runs: runs
            .iter()
            .map(|e| RunHeader {
                time: e.time.clone(),
                commit: e.commit.clone(),
                ruleset: e.ruleset.clone(),
            })
            .collect(),
        rows,
    }
}

fn longest_streak(runs: &[&Entry], statuses: &[Option<Status>]) -> Option<Streak> {
    let secs = |i: usize| parse_utc(&runs[i].time).unwrap_or(0);
    let mut best: Option<(i64, usize, usize, usize)> = None; // (duration, start, end-time index, runs)
    let mut i = 0;
    while i < statuses.len() {
        if statuses[i] != Some(Status::Passing) {
            i += 1;
            continue;
        }
        let start = i;
        while i < statuses.len() && statuses[i] == Some(Status::Passing) {
            i += 1;
        }
        // it held until the run that broke it, or up to the latest run
        let end = if i < statuses.len() { i } else { i - 1 };
        let dur = secs(end) - secs(start);
        if best.is_none_or(|(d, ..)| dur > d) {
            best = Some((dur, start, end, i - start));
        }
    }
    best.map(|(dur, start, end, n)| Streak {
        from: runs[start].time.clone(),
        to: format_utc(secs(end)),
        days: dur / 86_400,
        runs: n,
        ongoing: start + n == statuses.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(time: &str, counts: &[(&str, [usize; 2])]) -> Entry {
        Entry {
            time: time.into(),
            commit: Some("c".into()),
            branch: None,
            ruleset: "h".into(),
            criteria: counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn streaks_over_runs() {
        let runs = vec![
            entry(
                "2026-01-01T00:00:00Z",
                &[("CC6.1", [3, 0]), ("A1.2", [1, 1])],
            ),
            entry(
                "2026-02-01T00:00:00Z",
                &[("CC6.1", [3, 0]), ("A1.2", [2, 0])],
            ),
            entry(
                "2026-03-01T00:00:00Z",
                &[("CC6.1", [2, 1]), ("A1.2", [2, 0])],
            ),
            entry("2026-03-05T00:00:00Z", &[("CC6.1", [3, 0])]),
        ];
        let text: String = runs
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed, runs);
        let v = view(&parsed, &["CC6.1", "A1.2"]);
        let cc = &v.rows[0];
        assert_eq!(cc.statuses[2], Some(Status::Failing));
        let s = cc.longest_passing.clone().unwrap();
        assert_eq!((s.days, s.runs, s.ongoing), (59, 2, false));
        assert_eq!(s.to, "2026-03-01T00:00:00Z");
        let a = &v.rows[1];
        assert_eq!(a.statuses[3], None);
        let s = a.longest_passing.clone().unwrap();
        assert_eq!((s.days, s.runs, s.ongoing), (32, 2, false));
        assert!(parse("{\"time\":\"nope\",\"ruleset\":\"x\",\"criteria\":{}}").is_err());
    }
}

//! Type II history: one compact JSON line per run, and what the report shows
//! from a history file (each criterion's status per run, the longest period
//! it stayed passing).
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::status::RunResult as Status;
use super::time::{format_utc, parse_utc};
use crate::output_file::{self, Guard};

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
    /// Control id → [passed evaluations, failed evaluations] (with a control matrix).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub controls: BTreeMap<String, [usize; 2]>,
    /// The findings open in this run (active and accepted), so a review period
    /// can say when each opened and closed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionMark>,
}

/// A finding open in one run, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExceptionMark {
    /// The finding's fingerprint (its identity across runs).
    pub fp: String,
    pub rule: String,
    pub path: String,
    pub resource: String,
    /// Covered by an accepted exception (a suppression or waiver).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
}

/// What the review period needs to know of a control besides its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlMark {
    pub id: String,
    pub frequency: crate::controls::Frequency,
    pub grace_days: u32,
    /// Whether any rule tests it (else only manual evidence can show it operated).
    pub automated: bool,
}

impl Entry {
    pub fn status_of(&self, id: &str) -> Option<Status> {
        self.criteria
            .get(id)
            .map(|&[passed, failed]| Status::of(passed, failed))
    }

    pub fn control_result(&self, id: &str) -> Option<Status> {
        self.controls
            .get(id)
            .map(|&[passed, failed]| Status::of(passed, failed))
    }
}

/// Appends one line for this run (creating the file), as one write of the
/// whole line under an exclusive lock, synced before the lock goes: a run
/// killed part-way leaves no half line for the next to glue onto, and two
/// runs at once do not interleave. A line an older writer left unfinished is
/// closed first, so the new one still reads. The file is never reached
/// through a link ([`crate::output_file::append`]).
pub fn append(path: &Path, entry: &Entry, guard: &Guard) -> std::io::Result<()> {
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    let f = output_file::append(path, guard)?;
    let _lock = Lock::exclusive(&f)?;
    if ends_unfinished(&f)? {
        line.insert(0, '\n');
    }
    (&f).write_all(line.as_bytes())?;
    f.sync_data()
}

/// Whether the file's last byte is something other than a newline.
fn ends_unfinished(mut f: &std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if f.metadata()?.len() == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// An advisory `flock` held until dropped (closing the file would release it
/// too); a no-op where there is none.
struct Lock<'f>(#[allow(dead_code)] &'f std::fs::File);

impl<'f> Lock<'f> {
    #[cfg(unix)]
    fn exclusive(f: &'f std::fs::File) -> std::io::Result<Self> {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor this function borrows for its lifetime
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Lock(f))
    }

    #[cfg(not(unix))]
    fn exclusive(f: &'f std::fs::File) -> std::io::Result<Self> {
        Ok(Lock(f))
    }
}

#[cfg(unix)]
impl Drop for Lock<'_> {
    fn drop(&mut self) {
        use std::os::unix::io::AsRawFd;
        // SAFETY: as above; unlocking cannot leave anything half-done
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// A history file as read: its runs, and what was passed over.
#[derive(Debug, Default)]
pub struct History {
    pub entries: Vec<Entry>,
    /// `line N: what` for each line that could not be read as it was (a line
    /// torn by a crash, one edited by hand); the rest of the file still counts.
    pub problems: Vec<String>,
}

/// Reads a history file; a line that cannot be read is skipped and named.
pub fn read(path: &Path) -> Result<History, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read history {}: {e}", path.display()))?;
    Ok(parse(&bytes))
}

/// The runs of a history file. Blank lines are passed over; a line that is
/// not an entry (bad JSON or UTF-8, a time that is not UTC) is skipped with
/// its reason. Times are kept in one form (`YYYY-MM-DDTHH:MM:SSZ`) and a
/// commit that is not a hexadecimal id is dropped, so what a hand-edited file
/// holds cannot reach a report as anything else.
pub fn parse(bytes: &[u8]) -> History {
    let mut out = History::default();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let Ok(line) = std::str::from_utf8(raw) else {
            out.problems
                .push(format!("line {n}: not UTF-8; line left out"));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut e: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                out.problems.push(format!("line {n}: {err}; line left out"));
                continue;
            }
        };
        let Some(secs) = parse_utc(&e.time) else {
            out.problems.push(format!(
                "line {n}: time is not UTC RFC 3339 (like 2026-01-31T09:00:00Z); line left out"
            ));
            continue;
        };
        e.time = format_utc(secs);
        if let Some(c) = &e.commit {
            if c.is_empty() || c.len() > 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.problems.push(format!(
                    "line {n}: commit is not a hexadecimal id; run kept without it"
                ));
                e.commit = None;
            }
        }
        out.entries.push(e);
    }
    out
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunHeader {
    pub time: String,
    pub commit: Option<String>,
    pub ruleset: String,
}

/// The longest stretch of consecutive passing runs: from its first passing
/// run until the run that broke it (or the latest run if it still holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    pub from: String,
    pub to: String,
    pub days: i64,
    pub runs: usize,
    pub ongoing: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryRow {
    pub id: String,
    /// One per run; `None` where the criterion was not in that run.
    pub statuses: Vec<Option<Status>>,
    pub longest_without_exceptions: Option<Streak>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryView {
    pub runs: Vec<RunHeader>,
    pub rows: Vec<HistoryRow>,
    /// Whether the rule set changed between runs (results not like for like).
    pub ruleset_changed: bool,
    /// Lines of the history file that could not be read as they were (see
    /// [`History`]).
    pub problems: Vec<String>,
}

/// The history section: runs in time order, one row per criterion in `ids`,
/// and what could not be read of the file.
pub fn view(entries: &[Entry], ids: &[&str], problems: Vec<String>) -> HistoryView {
    let mut runs: Vec<&Entry> = entries.iter().collect();
    runs.sort_by_key(|e| parse_utc(&e.time).unwrap_or(0));
    let rows = ids
        .iter()
        .map(|id| {
            let statuses: Vec<Option<Status>> = runs.iter().map(|e| e.status_of(id)).collect();
            HistoryRow {
                id: id.to_string(),
                longest_without_exceptions: longest_streak(&runs, &statuses),
                statuses,
            }
        })
        .collect();
    HistoryView {
        problems,
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
        if statuses[i] != Some(Status::NoExceptions) {
            i += 1;
            continue;
        }
        let start = i;
        while i < statuses.len() && statuses[i] == Some(Status::NoExceptions) {
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
            controls: BTreeMap::new(),
            exceptions: Vec::new(),
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
        let parsed = parse(text.as_bytes());
        assert_eq!(parsed.entries, runs);
        assert!(parsed.problems.is_empty());
        let v = view(&parsed.entries, &["CC6.1", "A1.2"], Vec::new());
        let cc = &v.rows[0];
        assert_eq!(cc.statuses[2], Some(Status::Exceptions));
        let s = cc.longest_without_exceptions.clone().unwrap();
        assert_eq!((s.days, s.runs, s.ongoing), (59, 2, false));
        assert_eq!(s.to, "2026-03-01T00:00:00Z");
        let a = &v.rows[1];
        assert_eq!(a.statuses[3], None);
        let s = a.longest_without_exceptions.clone().unwrap();
        assert_eq!((s.days, s.runs, s.ongoing), (32, 2, false));
        let bad = parse(b"{\"time\":\"nope\",\"ruleset\":\"x\",\"criteria\":{}}");
        assert!(bad.entries.is_empty());
        assert_eq!(
            bad.problems,
            ["line 1: time is not UTC RFC 3339 (like 2026-01-31T09:00:00Z); line left out"]
        );
    }
}

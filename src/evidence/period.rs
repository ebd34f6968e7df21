//! A Type II review period over the history: per control (or, without a
//! control matrix, per criterion), whether its automated evidence shows it
//! operating throughout FROM..TO (runs at its frequency, no failing stretch
//! longer than its grace), the gaps with their dates, and the findings open
//! during the period with when they opened and closed.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::history::{ControlMark, Entry};
use super::status::RunResult;
use super::time::{format_date, parse_utc};
use crate::controls::Frequency;
use crate::wording::plural;

const DAY: i64 = 86_400;

/// `FROM..TO` (dates, both days included) as seconds: FROM's midnight to the
/// end of TO.
pub fn parse_period(s: &str) -> Option<(i64, i64)> {
    let (from, to) = s.split_once("..")?;
    let from = parse_utc(from)?;
    let to = parse_utc(to)? + DAY - 1;
    (from <= to).then_some((from, to))
}

/// A stretch of time, with its length in whole days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stretch {
    pub from: String,
    pub to: String,
    pub days: i64,
}

/// Stretches as one table cell: `FROM{arrow}TO (N d)` joined by `sep`, or
/// `—` when there are none. Dates are `format_date` output, so no format
/// needs them escaped.
pub fn describe_stretches(v: &[Stretch], arrow: &str, sep: &str) -> String {
    if v.is_empty() {
        return "—".into();
    }
    v.iter()
        .map(|g| format!("{}{arrow}{} ({} d)", g.from, g.to, g.days))
        .collect::<Vec<_>>()
        .join(sep)
}

fn stretch(from: i64, to: i64) -> Stretch {
    Stretch {
        from: format_date(from.div_euclid(DAY)),
        to: format_date(to.div_euclid(DAY)),
        days: (to - from) / DAY,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlPeriod {
    pub id: String,
    pub frequency: Frequency,
    /// Longest interval between runs that still shows it operating.
    pub max_interval_days: i64,
    pub grace_days: u32,
    /// Runs in the period that carried a result for it.
    pub runs: usize,
    /// Intervals with no run longer than `max_interval_days`.
    pub gaps: Vec<Stretch>,
    /// Stretches during which its checks failed (from the first failing run
    /// to the run that passed again, or the end of the period).
    pub failing: Vec<Stretch>,
    /// The failing stretches longer than the grace.
    pub failing_over_grace: usize,
    /// Runs present at its frequency and no failing stretch over the grace.
    pub operated_throughout: bool,
    /// Why not, or what else is needed, in words.
    pub conclusion: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExceptionSpan {
    pub rule: String,
    pub path: String,
    pub resource: String,
    pub fingerprint: String,
    pub accepted: bool,
    /// The first run it was seen in (on or before the period's start if it
    /// was already open then).
    pub opened: String,
    /// The first run after the last one it was seen in; `None` while open.
    pub closed: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodView {
    pub from: String,
    pub to: String,
    pub runs: usize,
    /// `controls` or `criteria` (when there is no control matrix).
    pub subject: String,
    pub controls: Vec<ControlPeriod>,
    pub exceptions: Vec<ExceptionSpan>,
    /// Open at the end of the period.
    pub open_at_end: usize,
}

/// The period view over `entries` (any order). With `controls` empty, each
/// criterion in `criteria` is judged as a continuous control.
pub fn view(
    entries: &[Entry],
    from: i64,
    to: i64,
    controls: &[ControlMark],
    criteria: &[String],
) -> PeriodView {
    let mut runs: Vec<(i64, &Entry)> = entries
        .iter()
        .filter_map(|e| Some((parse_utc(&e.time)?, e)))
        .collect();
    runs.sort_by_key(|(t, _)| *t);
    let inside: Vec<(i64, &Entry)> = runs
        .iter()
        .copied()
        .filter(|(t, _)| *t >= from && *t <= to)
        .collect();
    let (subject, marks): (&str, Vec<ControlMark>) = if controls.is_empty() {
        (
            "criteria",
            criteria
                .iter()
                .map(|c| ControlMark {
                    id: c.clone(),
                    frequency: Frequency::Continuous,
                    grace_days: 0,
                    automated: true,
                })
                .collect(),
        )
    } else {
        ("controls", controls.to_vec())
    };
    let by_control = subject == "controls";
    let result_of = |e: &Entry, id: &str| {
        if by_control {
            e.control_result(id)
        } else {
            e.status_of(id)
        }
    };
    let controls_out = marks
        .iter()
        .map(|m| {
            let max = m.frequency.max_interval_days();
            let times: Vec<(i64, RunResult)> = inside
                .iter()
                .filter_map(|(t, e)| Some((*t, result_of(e, &m.id)?)))
                .collect();
            let mut gaps = Vec::new();
            let mut prev = from;
            for &(t, _) in &times {
                if t - prev > max * DAY {
                    gaps.push(stretch(prev, t));
                }
                prev = t;
            }
            if to - prev > max * DAY {
                gaps.push(stretch(prev, to));
            }
            let mut failing = Vec::new();
            let mut start: Option<i64> = None;
            for &(t, r) in &times {
                match (r == RunResult::Exceptions, start) {
                    (true, None) => start = Some(t),
                    (false, Some(s)) => {
                        failing.push(stretch(s, t));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                failing.push(stretch(s, to));
            }
            let over = failing
                .iter()
                .filter(|f| f.days > i64::from(m.grace_days))
                .count();
            let tested = times.iter().any(|(_, r)| *r != RunResult::NothingTested);
            let operated = m.automated && tested && gaps.is_empty() && over == 0;
            let conclusion = if !m.automated {
                "no rule tests it: operation over the period needs manual evidence".to_string()
            } else if times.is_empty() {
                "no run in the period carried a result for it".to_string()
            } else if !tested {
                "its checks had nothing to examine in any run of the period".to_string()
            } else if operated {
                format!(
                    "automated checks ran at least every {} and no failing stretch \
                     lasted longer than {}",
                    plural(max as usize, "day", "days"),
                    plural(m.grace_days as usize, "day", "days")
                )
            } else {
                let mut why = Vec::new();
                if !gaps.is_empty() {
                    why.push(format!("{} in the runs", plural(gaps.len(), "gap", "gaps")));
                }
                if over > 0 {
                    why.push(format!(
                        "{} longer than the {}-day grace",
                        plural(over, "failing stretch", "failing stretches"),
                        m.grace_days
                    ));
                }
                why.join(" and ")
            };
            ControlPeriod {
                id: m.id.clone(),
                frequency: m.frequency,
                max_interval_days: max,
                grace_days: m.grace_days,
                runs: times.len(),
                gaps,
                failing,
                failing_over_grace: over,
                operated_throughout: operated,
                conclusion,
            }
        })
        .collect();

    // exceptions: the runs of the period and the last one before it
    let before = runs.iter().rev().find(|(t, _)| *t < from).copied();
    let considered: Vec<(i64, &Entry)> = before.into_iter().chain(inside.iter().copied()).collect();
    let mut spans: BTreeMap<&str, (usize, usize, &super::history::ExceptionMark)> = BTreeMap::new();
    for (i, (_, e)) in considered.iter().enumerate() {
        for x in &e.exceptions {
            spans
                .entry(x.fp.as_str())
                .and_modify(|s| s.1 = i)
                .or_insert((i, i, x));
        }
    }
    // the first sighting before the considered runs, for exceptions already open
    let first_seen = |fp: &str| -> i64 {
        runs.iter()
            .find(|(_, e)| e.exceptions.iter().any(|x| x.fp == fp))
            .map_or(0, |(t, _)| *t)
    };
    let mut exceptions: Vec<ExceptionSpan> = spans
        .into_iter()
        .map(|(fp, (_, last, x))| {
            let closed = considered.get(last + 1).map(|(t, _)| *t).or_else(|| {
                // closed after the period, by the first later run without it
                let t_last = considered[last].0;
                runs.iter()
                    .find(|(t, e)| *t > t_last && !e.exceptions.iter().any(|y| y.fp == fp))
                    .map(|(t, _)| *t)
                    .filter(|t| *t <= to)
            });
            ExceptionSpan {
                rule: x.rule.clone(),
                path: x.path.clone(),
                resource: x.resource.clone(),
                fingerprint: fp.to_string(),
                accepted: x.accepted,
                opened: format_date(first_seen(fp).div_euclid(DAY)),
                closed: closed.map(|t| format_date(t.div_euclid(DAY))),
            }
        })
        .collect();
    exceptions.sort_by(|a, b| {
        (&a.opened, &a.rule, &a.path, &a.resource, &a.fingerprint).cmp(&(
            &b.opened,
            &b.rule,
            &b.path,
            &b.resource,
            &b.fingerprint,
        ))
    });
    PeriodView {
        from: format_date(from.div_euclid(DAY)),
        to: format_date(to.div_euclid(DAY)),
        runs: inside.len(),
        subject: subject.to_string(),
        controls: controls_out,
        open_at_end: exceptions.iter().filter(|e| e.closed.is_none()).count(),
        exceptions,
    }
}

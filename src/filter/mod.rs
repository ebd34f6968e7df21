//! The filter stage, between evaluate and report: which findings are reported.
//!
//! In order: keep only the files the user asked about (`check FILE...`,
//! `--changed-since`), make duplicate fingerprints distinct, apply inline
//! suppressions and waivers (and report the suppressions that are invalid,
//! expired or unused), keep only changed lines when asked, then drop what the
//! baseline accepts. Each coverage gap (a file that did not parse or was
//! skipped) first gets its status from the policy, then a waiver with
//! `unscanned` or the baseline may accept it. It only reads the scan result
//! and rewrites its lists.
pub mod baseline;
pub mod changed;
pub mod suppress;
pub mod waivers;

use std::collections::{HashMap, HashSet};

use crate::config::Waiver;
use crate::finding::{Finding, Fingerprint, ScanResult, Suppression, SuppressionKind};
use crate::rules::eval::parse_date;
use crate::rules::selection::Selection;
use crate::unscanned::{Gap, Policy, Status};

#[derive(Default)]
pub struct FilterOptions<'a> {
    /// Days since 1970-01-01 taken as today (for `until` and `expires`).
    pub today: i64,
    pub waivers: &'a [Waiver],
    /// What an accepted exception must carry (`[suppressions]`).
    pub suppressions: crate::config::SuppressionPolicy,
    /// How findings about waivers name the config file (relative to the root when inside it).
    pub config_path: String,
    /// Report only these paths (None: everything scanned).
    pub report_paths: Option<HashSet<String>>,
    /// Report only findings touching these line ranges (per path).
    pub changed_lines: Option<HashMap<String, Vec<(usize, usize)>>>,
    pub baseline: Option<baseline::Baseline>,
    /// What each kind of coverage gap (a parse error, a skipped file) does
    /// to the run.
    pub policy: Policy,
    /// Which rules ran where: findings of a rule a `[[scope]]` table leaves
    /// out of their path are dropped, and a suppression or waiver naming only
    /// rules that did not run is not judged unused.
    pub selection: Option<&'a Selection>,
}

pub fn apply(result: &mut ScanResult, opts: &FilterOptions) {
    if let Some(paths) = &opts.report_paths {
        // a finding any of whose places is in a named or changed file
        result
            .findings
            .retain(|f| f.places().any(|(p, _)| paths.contains(p)));
        result.errors.retain(|e| paths.contains(&e.path));
        result.directives.retain(|d| paths.contains(&d.path));
        result.skipped.retain(|s| paths.contains(&s.path));
    }
    if let Some(sel) = opts.selection.filter(|s| s.by_path()) {
        result.findings.retain(|f| sel.ran(&f.rule.id, &f.path));
    }
    // each gap's status from the policy; a waiver or the baseline may then accept it
    for e in &mut result.errors {
        e.status = opts.policy.action(Gap::ParseError).status();
    }
    for s in &mut result.skipped {
        s.status = opts.policy.action(s.gap()).status();
    }
    distinct_fingerprints(&mut result.findings);
    suppress(result, opts);
    if let Some(changed) = &opts.changed_lines {
        // a change at any of a finding's places (where a value was set,
        // where it lands, a module call that led to it) keeps it
        let touches = |f: &Finding| {
            f.places().any(|(path, at)| {
                changed.get(path).is_some_and(|ranges| {
                    ranges.iter().any(|&(a, b)| {
                        let (start, end) = (at.start_line as usize, at.end_line as usize);
                        start <= b && end.max(start) >= a
                    })
                })
            })
        };
        result.findings.retain(touches);
        result.suppressed.retain(touches);
    }
    if let Some(b) = &opts.baseline {
        let in_scope = |p: &str| {
            opts.report_paths
                .as_ref()
                .is_none_or(|paths| paths.contains(p))
        };
        let (dropped, mut fixed) = baseline::apply(
            &mut result.findings,
            b,
            &result.legacy_fingerprints,
            in_scope,
        );
        fixed.extend(baseline::apply_gaps(result, b, in_scope));
        fixed.sort();
        result.baselined = dropped;
        result.fixed = fixed;
    }
    crate::finding::sort_findings(&mut result.findings);
    crate::finding::sort_findings(&mut result.suppressed);
}

/// The second finding with the same fingerprint (same rule, path, resource and
/// text) gets `-2`, the third `-3`, in report order.
fn distinct_fingerprints(findings: &mut [Finding]) {
    // foldhash: the keys are SHA-256 bytes, and SipHash over ~1.4M of them
    // was a tenth of a second of a 10M-line scan's serial end
    let mut seen: HashMap<Fingerprint, u32, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(findings.len(), Default::default());
    for f in findings {
        let n = seen.entry(f.fingerprint.first()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.fingerprint = f.fingerprint.nth(*n);
        }
    }
}

fn date_state(date: Option<&str>, today: i64) -> Result<bool, String> {
    match date {
        None => Ok(false),
        Some(d) => match parse_date(d) {
            Some(day) if d.len() == 10 => Ok(day < today),
            _ => Err(format!("`{d}` is not a YYYY-MM-DD date")),
        },
    }
}

fn suppress(result: &mut ScanResult, opts: &FilterOptions) {
    let mut meta: Vec<Finding> = Vec::new();
    let directives = std::mem::take(&mut result.directives);
    let mut used = vec![false; directives.len()];
    let mut valid = vec![false; directives.len()];
    for (i, d) in directives.iter().enumerate() {
        let subject = d.rules.join(",");
        let problem = d.problem.clone().or_else(|| {
            d.reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
                .then(|| "it has no reason=\"…\"".to_string())
                .or_else(|| {
                    suppress::policy_problem(
                        &opts.suppressions,
                        d.owner.as_deref(),
                        d.ticket.as_deref(),
                        d.until.as_deref(),
                        opts.today,
                    )
                })
        });
        if let Some(p) = problem {
            meta.push(suppress::meta_finding(
                suppress::INVALID,
                &d.path,
                d.line,
                d.column,
                &subject,
                format!("suppression of {subject} is not accepted: {p}"),
            ));
            continue;
        }
        match date_state(d.until.as_deref(), opts.today) {
            Ok(true) => meta.push(suppress::meta_finding(
                suppress::EXPIRED,
                &d.path,
                d.line,
                d.column,
                &subject,
                format!(
                    "suppression of {subject} expired on {}; its findings are reported again",
                    d.until.as_deref().unwrap_or_default()
                ),
            )),
            Ok(false) => valid[i] = true,
            Err(e) => meta.push(suppress::meta_finding(
                suppress::INVALID,
                &d.path,
                d.line,
                d.column,
                &subject,
                format!("suppression of {subject} is not accepted: until {e}"),
            )),
        }
    }

    let waivers = waivers::compile(opts.waivers);
    let mut waiver_used = vec![false; waivers.len()];
    let mut waiver_valid = vec![false; waivers.len()];
    let cfg = opts.config_path.as_str();
    for (i, w) in waivers.iter().enumerate() {
        let w = w.waiver;
        let subject = format!("waiver {} {}", w.subject(), w.path);
        if w.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            meta.push(suppress::meta_finding(
                suppress::INVALID,
                cfg,
                w.line,
                1,
                &subject,
                format!(
                    "waiver of {} for `{}` is not accepted: it has no reason",
                    w.subject(),
                    w.path
                ),
            ));
            continue;
        }
        if let Some(p) = suppress::policy_problem(
            &opts.suppressions,
            w.owner.as_deref(),
            w.ticket.as_deref(),
            w.expires.as_deref(),
            opts.today,
        ) {
            meta.push(suppress::meta_finding(
                suppress::INVALID,
                cfg,
                w.line,
                1,
                &subject,
                format!(
                    "waiver of {} for `{}` is not accepted: {p}",
                    w.subject(),
                    w.path
                ),
            ));
            continue;
        }
        match date_state(w.expires.as_deref(), opts.today) {
            Ok(true) => meta.push(suppress::meta_finding(
                suppress::EXPIRED,
                cfg,
                w.line,
                1,
                &subject,
                format!(
                    "waiver of {} for `{}` expired on {}; its findings are reported again",
                    w.subject(),
                    w.path,
                    w.expires.as_deref().unwrap_or_default()
                ),
            )),
            Ok(false) => waiver_valid[i] = true,
            Err(e) => meta.push(suppress::meta_finding(
                suppress::INVALID,
                cfg,
                w.line,
                1,
                &subject,
                format!(
                    "waiver of {} for `{}` is not accepted: expires {e}",
                    w.subject(),
                    w.path
                ),
            )),
        }
    }

    // directives by file: a finding is only ever covered by the directives of
    // the files it has a place in (where a value was set, where it lands, a
    // module call that led to it)
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        if valid[i] {
            by_path.entry(&*d.path).or_default().push(i);
        }
    }
    // in place: a second vector of 100,000 findings doubled the peak memory;
    // with nothing that could suppress, the findings are not visited at all
    let may_suppress = !by_path.is_empty() || waiver_valid.contains(&true);
    let candidates: &mut [Finding] = if may_suppress {
        &mut result.findings
    } else {
        &mut []
    };
    for f in candidates {
        let mut suppression: Option<Suppression> = None;
        let mut paths: Vec<&str> = f.places().map(|(p, _)| p).collect();
        paths.sort_unstable();
        paths.dedup();
        let near: Vec<usize> = paths
            .iter()
            .flat_map(|p| by_path.get(p).into_iter().flatten().copied())
            .collect();
        for i in near {
            let d = &directives[i];
            if suppress::covers(d, f) {
                used[i] = true;
                suppression.get_or_insert_with(|| Suppression {
                    kind: SuppressionKind::InSource,
                    justification: d.reason.clone().unwrap_or_default(),
                    location: format!("{}:{}", d.path, d.line),
                    expires: d.until.clone(),
                    owner: d.owner.clone(),
                    ticket: d.ticket.clone(),
                });
            }
        }
        for (i, w) in waivers.iter().enumerate() {
            if waiver_valid[i] && w.matches(f) {
                waiver_used[i] = true;
                suppression.get_or_insert_with(|| w.suppression(cfg));
            }
        }
        f.suppression = suppression.map(Box::new);
    }
    // files not scanned that a waiver accepts
    let waive = |gap: Gap, path: &str, status: &mut Status, used: &mut [bool]| {
        if let Some(i) =
            (0..waivers.len()).find(|&i| waiver_valid[i] && waivers[i].matches_gap(gap, path))
        {
            used[i] = true;
            *status = waivers[i].gap_status(cfg);
        }
    };
    for e in &mut result.errors {
        waive(Gap::ParseError, &e.path, &mut e.status, &mut waiver_used);
    }
    for s in &mut result.skipped {
        waive(s.gap(), &s.path, &mut s.status, &mut waiver_used);
    }
    if result.findings.iter().any(|f| f.suppression.is_some()) {
        let (suppressed, active): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(&mut result.findings)
                .into_iter()
                .partition(|f| f.suppression.is_some());
        result.findings = active;
        result.suppressed.extend(suppressed);
    }

    // unused only relative to the rules that ran: `--select X` does not make
    // the suppressions of every other rule unused
    let ran = |rule: &str, path: &str| opts.selection.is_none_or(|s| s.ran(rule, path));
    for (i, d) in directives.iter().enumerate() {
        if valid[i] && !used[i] && d.rules.iter().any(|r| ran(r, &d.path)) {
            let subject = d.rules.join(",");
            meta.push(suppress::meta_finding(
                suppress::UNUSED,
                &d.path,
                d.line,
                d.column,
                &subject,
                format!("suppression of {subject} matches no finding on this line or the next"),
            ));
        }
    }
    // a waiver can only be judged unused when the whole repository was scanned
    if opts.report_paths.is_none() {
        for (i, w) in waivers.iter().enumerate() {
            if waiver_valid[i] && !waiver_used[i] && ran_anywhere(opts.selection, &w.waiver.rule) {
                let w = w.waiver;
                meta.push(suppress::meta_finding(
                    suppress::UNUSED,
                    cfg,
                    w.line,
                    1,
                    &format!("waiver {} {}", w.subject(), w.path),
                    format!(
                        "waiver of {} for `{}` matches {}",
                        w.subject(),
                        w.path,
                        if w.unscanned.is_some() {
                            "no such file"
                        } else {
                            "no finding"
                        }
                    ),
                ));
            }
        }
    }
    // findings about suppressions can be baselined too: a version 1
    // baseline holds their old fingerprints
    if opts
        .baseline
        .as_ref()
        .is_some_and(baseline::Baseline::legacy)
    {
        for f in &meta {
            let old =
                crate::finding::legacy_fingerprint(&f.rule.id, &f.path, &f.resource, &f.message());
            result
                .legacy_fingerprints
                .insert(f.fingerprint.to_string(), old);
        }
    }
    result.findings.extend(meta);
}

/// Whether a waiver's rule ran for some path (its glob may cover several
/// `[[scope]]` tables): a waiver of a rule that ran nowhere is not unused.
fn ran_anywhere(selection: Option<&Selection>, rule: &str) -> bool {
    selection.is_none_or(|s| !s.left_out.contains(rule))
}

#[cfg(test)]
mod tests {
    use super::distinct_fingerprints;
    use crate::filter::suppress::{meta_finding, INVALID};

    /// Repeats of a fingerprint get `-2`, `-3` in report order, on one
    /// thread and across a pool.
    #[test]
    fn repeated_fingerprints_are_numbered_in_report_order() {
        let f = |path: &str, line| meta_finding(INVALID, path, line, 1, "x", "same".into());
        for threads in [1, 2] {
            // the fingerprint ignores the line: a, a2 and a3 share one
            let mut findings: Vec<_> = (0..40)
                .map(|i| f(if i % 3 == 0 { "a.tf" } else { "b.tf" }, i))
                .collect();
            let a = findings[0].fingerprint.to_string();
            let b = findings[1].fingerprint.to_string();
            assert_ne!(a, b);
            crate::parallel::in_pool(threads, None, || distinct_fingerprints(&mut findings))
                .unwrap();
            let got: Vec<String> = findings.iter().map(|f| f.fingerprint.to_string()).collect();
            assert_eq!(got[0], a);
            assert_eq!(got[3], format!("{a}-2"));
            assert_eq!(got[6], format!("{a}-3"));
            assert_eq!(got[39], format!("{a}-14"));
            assert_eq!(got[1], b);
            assert_eq!(got[2], format!("{b}-2"));
            assert_eq!(got[38], format!("{b}-26"));
        }
    }
}

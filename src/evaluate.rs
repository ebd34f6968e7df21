//! The evaluate stage: the resources of one chunk (a directory's files, or the
//! repository as a whole) against the rules that index says apply, into
//! findings with their line and column, and per-rule pass/fail/skip counts.
//! Rules with a relation across the whole scan wait for every chunk
//! ([`Deferred`]).
mod deferred;

use std::collections::HashMap;
use std::sync::Arc;

use crate::document::{origin, FileSpan, LineIndex, Node, Span};
use crate::extract::{ReferenceIndex, Resource};
use crate::finding::{fingerprint_of, Evaluation, Fill, Finding, Location, Role, Site, UnknownUse};
use crate::rules::eval::{ByScopeType, Context, Outcome, Verdict};
use crate::rules::scan_scope::{Fact, Hypothesis};
use crate::rules::{Rule, RuleSet};

pub use deferred::{Deferred, Pending};

/// What the evaluate stage needs besides the rules and the resources.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Days since 1970-01-01 taken as today (for review-date rules).
    pub today: i64,
    /// Keep the text of files with findings (the human report shows snippets);
    /// without it memory stays flat however many files have findings.
    pub keep_texts: bool,
    /// Record every evaluation that did not fail with its resource and line (the evidence report's
    /// populations; a failing one is its finding); off for `check`, where it
    /// would only cost memory.
    pub record_resources: bool,
    /// Settings that replace the rule set's (a rule fixture pins its own).
    pub settings: Option<crate::rules::Settings>,
    /// Also compute each finding's version 1 fingerprint (FNV-1a), to match
    /// a baseline written with it.
    pub legacy_fingerprints: bool,
    /// Name, for each skipped evaluation, the value that was not known
    /// statically (`check -v`).
    pub record_unknowns: bool,
}

/// A file as evaluation sees it.
#[derive(Clone, Copy)]
pub struct FileRef<'a> {
    pub rel: &'a str,
    pub text: Option<&'a Arc<str>>,
}

/// What evaluating a chunk produced.
#[derive(Default, Clone)]
pub struct ChunkOutcome {
    pub findings: Vec<Finding>,
    /// (rule index, [passed, failed, skipped]) for the rules that gave a
    /// verdict: sparse, as most rules meet nothing in a directory and a dense
    /// row per chunk added up to ~50 MB over a 10,000-directory scan; u32s,
    /// as every chunk's list is held until the chunks merge.
    pub verdicts: Vec<(u32, [u32; 3])>,
    /// Texts of files that findings point into.
    pub texts: Vec<(String, Arc<str>)>,
    /// Secrets to mask wherever a file's text is shown: (file, spans) for
    /// every failed evaluation of a secret rule, before any filtering.
    pub masks: Vec<(String, Vec<Span>)>,
    /// What the chunk's resources say for the relations across the scan.
    pub facts: Vec<Fact>,
    /// Evaluations that wait for every chunk's facts (their findings located).
    pub pending: Vec<Pending>,
    /// (fingerprint, version 1 fingerprint) of each finding, only with
    /// `EvalOptions::legacy_fingerprints`.
    pub legacy_fingerprints: Vec<(String, String)>,
    /// The evaluations that passed or were skipped, only when
    /// `EvalOptions::record_resources` is set.
    pub population: Vec<Evaluation>,
    /// The evaluations skipped on a value not known statically, with that
    /// value, only when `EvalOptions::record_unknowns` is set.
    pub unknowns: Vec<UnknownUse>,
    /// The same before their line and column are known.
    unknown_seen: Vec<UnknownSeen>,
}

/// Resources evaluated per task.
const RESOURCE_BATCH: usize = 2048;

/// Evaluates `resources` (which borrow from the chunk's documents).
pub fn evaluate<'a>(
    resources: &'a [Resource<'a>],
    files: &[FileRef],
    vars: HashMap<usize, HashMap<&'a str, &'a Node>>,
    providers: crate::rules::version::ProviderVersions,
    repo_files: &'a [String],
    rules: &RuleSet,
    opts: &EvalOptions,
) -> ChunkOutcome {
    let ctx = Context {
        references: ReferenceIndex::build(resources, rules.referrer_types()),
        resources,
        by_scope_type: ByScopeType::new(resources),
        vars,
        providers,
        repo_files,
        today: opts.today,
        settings: opts
            .settings
            .clone()
            .unwrap_or_else(|| rules.settings.clone()),
        file_texts: files.iter().map(|f| f.text.map(|t| &**t)).collect(),
        record_unknowns: opts.record_unknowns,
    };
    let empty = ChunkOutcome::default;
    // resources are independent given the context: a chunk with many (the
    // repository's file facts, one per file) is evaluated in parallel
    // batches, merged in order
    let batches: Vec<&[Resource]> = resources.chunks(RESOURCE_BATCH).collect();
    let record = opts.record_resources;
    let parts = crate::parallel::map(&batches, |batch| {
        let mut tally = Vec::new();
        let mut out = empty();
        let mut seen = Vec::new();
        for res in batch.iter() {
            let mut rec = record.then_some(&mut seen);
            evaluate_resource(&ctx, res, rules, files, &mut tally, &mut out, &mut rec);
        }
        (tally, out, seen)
    });
    let mut tally = Vec::new();
    let mut out = empty();
    let mut seen: Vec<Seen> = Vec::new();
    for (mut t, mut part, mut s) in parts {
        seen.append(&mut s);
        tally.append(&mut t);
        out.findings.append(&mut part.findings);
        out.masks.append(&mut part.masks);
        out.facts.append(&mut part.facts);
        out.pending.append(&mut part.pending);
        out.unknown_seen.append(&mut part.unknown_seen);
    }
    out.verdicts = count_verdicts(tally);
    locate(
        &mut out,
        files,
        opts.keep_texts,
        opts.legacy_fingerprints,
        seen,
    );
    // in report order already here, a small sort inside the chunk's task:
    // the scan then joins sorted runs and its sort of all findings only
    // checks them (a stable sort, so equal findings keep their order)
    crate::finding::sort_findings(&mut out.findings);
    out
}

fn evaluate_resource(
    ctx: &Context,
    res: &Resource,
    rules: &RuleSet,
    files: &[FileRef],
    tally: &mut Vec<(usize, Verdict)>,
    out: &mut ChunkOutcome,
    record: &mut Option<&mut Vec<Seen>>,
) {
    let path = res.file.map(|i| files[i].rel).unwrap_or("");
    // one shared copy of the address for all of this resource's evaluations
    let mut address: Option<Arc<str>> = None;
    // one run's buffers for every rule (most runs find nothing: a fresh
    // `Run` built, moved out and dropped per rule was 1% of a scan)
    let mut scratch = Run::default();
    let mut settled;
    for (ri, rule) in rules.for_resource(res.target, &res.ty) {
        if let Some(globs) = &rule.paths {
            if !globs.is_match(path) {
                continue;
            }
        }
        if rule
            .where_values
            .as_ref()
            .is_some_and(|v| v.excludes(res.body))
        {
            continue;
        }
        let run: &mut Run = if rule.uses_scan {
            match deferred::explore(ctx, res, rule, path, files) {
                deferred::Explored::Settled(run) => {
                    settled = run;
                    &mut settled
                }
                deferred::Explored::Waiting(atoms, runs) => {
                    out.pending.push(deferred::Pending {
                        rule: ri,
                        path: path.to_string(),
                        atoms,
                        runs,
                        record: record.as_ref().map(|_| deferred::Record {
                            file: res.file,
                            resource: address.get_or_insert_with(|| Arc::from(res.name())).clone(),
                        }),
                    });
                    continue;
                }
            }
        } else {
            scratch.clear();
            run_rule_into(
                ctx,
                &Hypothesis::closed(),
                res,
                rule,
                path,
                files,
                &mut scratch,
            );
            &mut scratch
        };
        tally.extend(run.verdicts.iter().map(|&v| (ri, v)));
        for (span, expression) in run.unknowns.drain(..) {
            out.unknown_seen.push(UnknownSeen {
                rule: ri as u32,
                file: res.file,
                span,
                expression,
                resource: address
                    .get_or_insert_with(|| Arc::from(res.address.as_str()))
                    .clone(),
            });
        }
        if let Some(seen) = record.as_mut() {
            for (&v, &offset) in run.verdicts.iter().zip(&run.offsets) {
                if v != Verdict::Fail {
                    seen.push(Seen {
                        rule: ri as u32,
                        file: res.file,
                        offset,
                        resource: address.get_or_insert_with(|| Arc::from(res.name())).clone(),
                        skipped: v == Verdict::Skip,
                    });
                }
            }
        }
        out.findings.append(&mut run.findings);
        for (elsewhere, span) in run.masks_elsewhere.drain(..) {
            out.masks.push((elsewhere, vec![span]));
        }
        if !run.masks.is_empty() {
            out.masks
                .push((path.to_string(), std::mem::take(&mut run.masks)));
        }
    }
    // what this resource says for the relations that look across the scan
    for &slot in rules.scan_slots(res.target, &res.ty) {
        out.facts.push(ctx.fact(res, &rules.scan_relations()[slot]));
    }
}

/// What one rule said of one resource: a verdict per subject and a finding
/// per failure.
#[derive(Default, Clone)]
struct Run {
    /// The rule applied (`where` held and there was a subject).
    evaluated: bool,
    verdicts: smallvec::SmallVec<[Verdict; 2]>,
    /// Where each verdict's subject starts (the resource, or the item a
    /// `for_each` rule looked at), to give population members their line.
    offsets: smallvec::SmallVec<[usize; 2]>,
    /// The offsets as 1-based lines, once a waiting run is located.
    lines: smallvec::SmallVec<[u32; 2]>,
    findings: Vec<Finding>,
    /// A secret rule's failures: what to mask in the file's text.
    masks: Vec<Span>,
    /// The same for failures found where their value was set, in another
    /// file (a variables file, a caller): (that file, the value's span).
    masks_elsewhere: Vec<(String, Span)>,
    /// For skips, when `Context::record_unknowns`: the value that was not
    /// known (where it is written in the resource's file, its expression).
    unknowns: Vec<(Span, String)>,
}

/// Evaluates `rule` on `res` (whose `where_values` prefilter passed), with
/// scan-scope relations answered by `hyp`.
fn run_rule(
    ctx: &Context,
    hyp: &Hypothesis,
    res: &Resource,
    rule: &Rule,
    path: &str,
    files: &[FileRef],
) -> Run {
    let mut run = Run::default();
    run_rule_into(ctx, hyp, res, rule, path, files, &mut run);
    run
}

impl Run {
    /// Empty again, keeping its buffers.
    fn clear(&mut self) {
        self.evaluated = false;
        self.verdicts.clear();
        self.offsets.clear();
        self.lines.clear();
        self.findings.clear();
        self.masks.clear();
        self.masks_elsewhere.clear();
        self.unknowns.clear();
    }
}

/// [`run_rule`] into an empty `run`.
fn run_rule_into(
    ctx: &Context,
    hyp: &Hypothesis,
    res: &Resource,
    rule: &Rule,
    path: &str,
    files: &[FileRef],
    run: &mut Run,
) {
    if let Some(w) = &rule.where_ {
        if ctx.eval(hyp, res, res.body, w).verdict != Verdict::Pass {
            return;
        }
    }
    // inline: one subject per rule per resource unless the rule has `for_each`
    let subjects: smallvec::SmallVec<[(&Node, Option<Span>); 2]> = match &rule.for_each {
        None => smallvec::smallvec![(res.body, None)],
        Some(p) => ctx
            .subjects(res, p)
            .into_iter()
            .filter(|(n, _)| {
                rule.for_each_where
                    .as_ref()
                    .is_none_or(|w| ctx.eval(hyp, res, n, w).verdict == Verdict::Pass)
            })
            .map(|(n, _)| (n, Some(n.header_span())))
            .collect(),
    };
    run.evaluated = !subjects.is_empty();
    for (subject, subject_header) in subjects {
        let outcome = ctx.eval(hyp, res, subject, &rule.assert);
        run.verdicts.push(outcome.verdict);
        if ctx.record_unknowns {
            if let Some(u) = outcome.unknown {
                run.unknowns
                    .push((u.span, crate::unknowns::expression_of(u.node)));
            }
        }
        run.offsets.push(subject_header.unwrap_or(res.header).start);
        if outcome.verdict == Verdict::Fail {
            if rule.meta.secret {
                run.masks.extend(outcome.span);
                ctx.mask_spans(res, subject, &rule.mask, &mut run.masks);
            }
            let hardening = provider_dependent(ctx, res, subject, rule);
            let mut f = make_finding(rule, res, path, subject_header, outcome);
            if let Some((pd, why)) = hardening {
                f.set_rule(Arc::clone(&pd.hardening));
                let message = format!("{} (hardening: {}; {why})", f.message(), pd.note);
                f.set_message(message);
            }
            set_where_set(&mut f, res, files);
            if rule.meta.secret && *f.path != *path {
                // the secret is written where it was set: masked there too
                run.masks_elsewhere
                    .extend(f.span().map(|s| (f.path.to_string(), s)));
            }
            f.related
                .extend(res.related.iter().map(|(file, span)| Site {
                    path: Arc::from(files[*file].rel),
                    span: Some(*span),
                    location: Location::default(),
                    role: Role::ModuleCall,
                    note: format!("module call leading to `{}`", res.name()),
                }));
            run.findings.push(f);
        }
    }
}

/// Whether a failure of a rule with a `provider_default` depends on the
/// provider version, with the reason: the version is unknown and the attribute
/// whose default changed is unset, or (a service default the configuration
/// cannot show) the version is unknown or `since` or later. A provider known
/// to be older keeps the rule's severity: the old default applies.
fn provider_dependent<'r>(
    ctx: &Context,
    res: &Resource,
    subject: &Node,
    rule: &'r Rule,
) -> Option<(&'r crate::rules::ProviderDefault, String)> {
    use crate::rules::ProviderEra;
    let pd = rule.provider_default.as_deref()?;
    let era = pd.era(&ctx.providers);
    let depends = match (&pd.newer, era) {
        (_, ProviderEra::Before) => false,
        (Some((p, _)), ProviderEra::Unknown) => ctx.is_absent(res, subject, p),
        (Some(_), ProviderEra::Since) => false,
        (None, _) => true,
    };
    if !depends {
        return None;
    }
    let since = pd
        .since
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    let why = match era {
        ProviderEra::Unknown => format!(
            "depends on the {} provider version, which neither .terraform.lock.hcl nor a required_providers lower bound gives",
            pd.provider
        ),
        _ => format!("the {} provider is {since} or later", pd.provider),
    };
    Some((pd, why))
}

/// When the offending value was set elsewhere (the resource's origins say
/// where its span came from), the finding moves to where it was set, the
/// line a person edits, and the attribute that uses it becomes its
/// [`Role::Landing`] site; a value set outside the scan (the command line)
/// leaves the finding in place with a [`Role::SetAt`] note.
fn set_where_set(f: &mut Finding, res: &Resource, files: &[FileRef]) {
    let (Some(file), Some(span)) = (res.file, f.span()) else {
        return;
    };
    let Some(set_by) = origin::find(res.origins, FileSpan::new(file, span)) else {
        return;
    };
    match set_by.at {
        Some(at) => {
            let landing = f.relocate(Arc::from(files[at.file].rel));
            f.set_span(Some(at.span));
            f.related.push(Site {
                path: landing,
                span: Some(span),
                location: Location::default(),
                role: Role::Landing,
                note: format!("{} is used by `{}`", set_by.what, res.name()),
            });
        }
        None => f.related.push(Site {
            path: Arc::default(),
            span: None,
            location: Location::default(),
            role: Role::SetAt,
            note: format!("the value is set by {}", set_by.what),
        }),
    }
}

/// (rule index, [passed, failed, skipped]) from one verdict per evaluation,
/// by rule index: a chunk meets a handful of the rules, and a counter per rule
/// of the pack zeroed for every chunk cost more than sorting what it met.
fn count_verdicts(mut tally: Vec<(usize, Verdict)>) -> Vec<(u32, [u32; 3])> {
    tally.sort_unstable_by_key(|&(ri, _)| ri);
    let mut counts: Vec<(u32, [u32; 3])> = Vec::new();
    for (ri, verdict) in tally {
        let slot = match verdict {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Skip => 2,
        };
        let ri = ri as u32;
        match counts.last_mut() {
            Some((last, c)) if *last == ri => c[slot] += 1,
            _ => {
                let mut c = [0; 3];
                c[slot] = 1;
                counts.push((ri, c));
            }
        }
    }
    counts
}

/// An evaluation skipped on an unknown value, before its line is known.
#[derive(Clone)]
struct UnknownSeen {
    rule: u32,
    file: Option<usize>,
    span: Span,
    expression: String,
    resource: Arc<str>,
}

/// An evaluation that passed or was skipped, before its line is known.
pub struct Seen {
    rule: u32,
    file: Option<usize>,
    offset: usize,
    resource: Arc<str>,
    skipped: bool,
}

fn make_finding(
    rule: &Rule,
    res: &Resource,
    path: &str,
    subject_header: Option<Span>,
    outcome: Outcome,
) -> Finding {
    let (at, span) = match &outcome.file {
        Some(file) => (file.as_str(), None),
        None => {
            let span = outcome.span.or(subject_header).unwrap_or(res.header);
            let whole_file =
                res.file.is_none() || (span.is_empty() && span.start == 0 && res.header.is_empty());
            (path, if whole_file { None } else { Some(span) })
        }
    };
    let shown = outcome.value.as_ref().map(|v| v.render());
    let shown = if rule.meta.secret {
        shown.map(|v| crate::finding::mask(&v))
    } else {
        shown
    };
    let fill = Fill {
        resource: res.name(),
        ty: res.ty.as_str(),
        path: at,
        value: shown.as_deref(),
    };
    // (paths and addresses are shared with the chunk's other findings once
    // they are located)
    Finding::from_rule(
        rule.meta.clone(),
        Arc::from(if at.is_empty() { "." } else { at }),
        span,
        Arc::from(res.name()),
        shown.as_deref().map(Box::from),
        &fill,
    )
}

/// Byte spans → line:column, and fingerprints, while the chunk's texts are at
/// hand; the recorded evaluations (and those of waiting runs) get their line.
fn locate(
    out: &mut ChunkOutcome,
    files: &[FileRef],
    keep_texts: bool,
    legacy: bool,
    seen: Vec<Seen>,
) {
    let texts: HashMap<&str, &Arc<str>> = files
        .iter()
        .filter_map(|f| f.text.map(|t| (f.rel, t)))
        .collect();
    let mut indexes: HashMap<&str, LineIndex> = HashMap::new();
    let whole = Location {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
    };
    // one copy of each path and address for all the chunk's findings
    // (foldhash: two lookups per finding, of text the scan already holds)
    let mut shared: std::collections::HashSet<Arc<str>, foldhash::fast::RandomState> =
        std::collections::HashSet::default();
    let mut share = |s: &mut Arc<str>| match shared.get(&**s) {
        Some(one) => *s = Arc::clone(one),
        None => {
            shared.insert(Arc::clone(s));
        }
    };
    let waiting = out.pending.iter_mut().flat_map(|p| p.findings_mut());
    for f in out.findings.iter_mut().chain(waiting) {
        share(&mut f.path);
        share(&mut f.resource);
        for r in &mut f.related {
            share(&mut r.path);
            let Some((span, (&rel, text))) = r.span.zip(texts.get_key_value(&*r.path)) else {
                continue;
            };
            let idx = indexes.entry(rel).or_insert_with(|| LineIndex::new(text));
            r.location = locate_span(idx, text, span);
        }
        let Some((span, (&rel, text))) = f.span().zip(texts.get_key_value(&*f.path)) else {
            f.location = whole;
            let message;
            let what = match f.value.as_deref() {
                Some(v) => v,
                None => {
                    message = f.message();
                    &message
                }
            };
            f.fingerprint = fingerprint_of(
                f,
                &f.path,
                what,
                legacy.then_some(&mut out.legacy_fingerprints),
            );
            continue;
        };
        let idx = indexes.entry(rel).or_insert_with(|| LineIndex::new(text));
        f.location = locate_span(idx, text, span);
        // the identity is where the value lands (the same bytes as before
        // findings moved to where values are set, so baselines keep matching)
        let (path, offending) = match f.related.iter().find(|s| s.role == Role::Landing) {
            Some(landing) => {
                let text = texts.get(&*landing.path);
                let at = landing.span.unwrap_or_default();
                let offending = text.and_then(|t| t.get(at.start..at.end));
                (&*landing.path, offending.unwrap_or_default())
            }
            None => (&*f.path, text.get(span.start..span.end).unwrap_or_default()),
        };
        f.fingerprint = fingerprint_of(
            f,
            path,
            offending,
            legacy.then_some(&mut out.legacy_fingerprints),
        );
    }
    let mut paths: Vec<Option<Arc<str>>> = vec![None; files.len()];
    let mut by_file: HashMap<usize, LineIndex> = HashMap::new();
    let empty: Arc<str> = Arc::from("");
    for u in std::mem::take(&mut out.unknown_seen) {
        let (line, column) = match u.file.and_then(|i| files[i].text.map(|t| (i, t))) {
            Some((i, t)) => {
                let idx = by_file.entry(i).or_insert_with(|| LineIndex::new(t));
                let (line, column) = idx.line_col(t, u.span.start);
                (line as u32, column as u32)
            }
            None => (0, 0),
        };
        out.unknowns.push(UnknownUse {
            rule: u.rule,
            path: match u.file {
                Some(i) => paths[i]
                    .get_or_insert_with(|| Arc::from(files[i].rel))
                    .clone(),
                None => empty.clone(),
            },
            line,
            column,
            expression: u.expression,
            resource: u.resource,
        });
    }
    let mut line_of = |file: Option<usize>, offset: usize| -> u32 {
        let Some(i) = file else {
            return 0;
        };
        files[i].text.map_or(0, |t| {
            let idx = by_file.entry(i).or_insert_with(|| LineIndex::new(t));
            idx.line_col(t, offset).0 as u32
        })
    };
    for p in &mut out.pending {
        let Some(file) = p.record.as_ref().map(|r| r.file) else {
            continue;
        };
        for run in &mut p.runs {
            run.lines = run.offsets.iter().map(|&o| line_of(file, o)).collect();
        }
    }
    out.population = seen
        .into_iter()
        .map(|s| Evaluation {
            rule: s.rule,
            path: match s.file {
                Some(i) => paths[i]
                    .get_or_insert_with(|| Arc::from(files[i].rel))
                    .clone(),
                None => empty.clone(),
            },
            line: line_of(s.file, s.offset),
            resource: s.resource,
            skipped: s.skipped,
        })
        .collect();
    for rel in indexes.keys().filter(|_| keep_texts) {
        if let Some(t) = texts.get(rel) {
            out.texts.push((rel.to_string(), Arc::clone(t)));
        }
    }
}

pub fn locate_span(idx: &LineIndex, text: &str, span: Span) -> Location {
    let (start_line, start_column) = idx.line_col(text, span.start);
    let (end_line, end_column) = idx.line_col(text, span.end);
    Location::new(start_line, start_column, end_line, end_column)
}

#[cfg(test)]
mod tests {
    use super::count_verdicts;
    use crate::rules::eval::Verdict;

    #[test]
    fn verdicts_are_counted_per_rule_in_rule_order() {
        use Verdict::{Fail, Pass, Skip};
        let tally = vec![
            (7, Pass),
            (2, Fail),
            (7, Skip),
            (7, Pass),
            (0, Fail),
            (2, Fail),
        ];
        assert_eq!(
            count_verdicts(tally),
            vec![(0, [0, 1, 0]), (2, [0, 2, 0]), (7, [2, 0, 1])]
        );
        assert!(count_verdicts(Vec::new()).is_empty());
    }
}

//! Rules whose relations look across the whole scan (`scope = "scan"`): they
//! are evaluated in their chunk once per possible answer to each question
//! they ask (see `rules::scan_scope`), and the run that matches the scan's
//! answers is chosen once every chunk has said what its resources are.
use std::sync::Arc;

use super::{run_rule, FileRef, Run};
use crate::document::Span;
use crate::extract::Resource;
use crate::finding::{Evaluation, Finding};
use crate::rules::eval::{Context, Verdict};
use crate::rules::scan_scope::{Atom, Facts, Hypothesis};
use crate::rules::{Rule, RuleSet};

/// Most distinct questions one rule may ask of one resource: each doubles
/// and a half the runs (3^n). A rule that asks more is skipped for the
/// resource, as if the answers were not known.
const MAX_ATOMS: usize = 3;

/// The answers of a run, in order: pass, fail, skip.
const ANSWERS: [Verdict; 3] = [Verdict::Pass, Verdict::Fail, Verdict::Skip];

/// An evaluation waiting for the scan's answers to its atoms.
#[derive(Clone)]
pub struct Pending {
    /// The rule's index in the rule set.
    pub(super) rule: usize,
    /// The resource's file (where a secret rule's failures are masked).
    pub(super) path: String,
    pub(super) atoms: Vec<Atom>,
    /// One run per combination of answers: run `Σ aᵢ·3ⁱ` assumes answer
    /// `ANSWERS[aᵢ]` for atom `i`.
    pub(super) runs: Vec<Run>,
    /// The resource, when the scan records the population.
    pub(super) record: Option<Record>,
}

/// What a waiting evaluation's population members need besides their line.
#[derive(Clone)]
pub(super) struct Record {
    pub(super) file: Option<usize>,
    pub(super) resource: Arc<str>,
}

impl Pending {
    pub fn findings_mut(&mut self) -> impl Iterator<Item = &mut Finding> {
        self.runs.iter_mut().flat_map(|r| r.findings.iter_mut())
    }
}

pub(super) enum Explored {
    /// The answers do not change the outcome (or none was asked).
    Settled(Run),
    /// The atoms asked and a run for each combination of answers.
    Waiting(Vec<Atom>, Vec<Run>),
}

/// Runs `rule` on `res` under every combination of answers to the atoms it
/// asks, discovering them as it goes (a run may ask an atom the others did
/// not reach).
pub(super) fn explore(
    ctx: &Context,
    res: &Resource,
    rule: &Rule,
    path: &str,
    files: &[FileRef],
) -> Explored {
    let mut atoms: Vec<Atom> = Vec::new();
    'discover: loop {
        let combos = 3usize.pow(atoms.len() as u32);
        let mut runs = Vec::with_capacity(combos);
        for code in 0..combos {
            let assumed = atoms
                .iter()
                .enumerate()
                .map(|(i, a)| (a.clone(), ANSWERS[code / 3usize.pow(i as u32) % 3]))
                .collect();
            let hyp = Hypothesis::assuming(assumed);
            let run = run_rule(ctx, &hyp, res, rule, path, files);
            let asked = hyp.new_atoms();
            if !asked.is_empty() {
                if atoms.len() + asked.len() > MAX_ATOMS {
                    // too many questions: every scan relation is skipped
                    let closed = Hypothesis::closed();
                    return Explored::Settled(run_rule(ctx, &closed, res, rule, path, files));
                }
                atoms.extend(asked);
                continue 'discover;
            }
            runs.push(run);
        }
        if runs.windows(2).all(|w| same_run(&w[0], &w[1])) {
            return Explored::Settled(runs.swap_remove(0));
        }
        return Explored::Waiting(atoms, runs);
    }
}

fn same_run(a: &Run, b: &Run) -> bool {
    a.evaluated == b.evaluated
        && a.verdicts == b.verdicts
        && a.findings.len() == b.findings.len()
        && a.findings
            .iter()
            .zip(&b.findings)
            .all(|(f, g)| f.span() == g.span() && f.path == g.path && f.message() == g.message())
}

/// The scan's facts and waiting evaluations, gathered chunk by chunk.
#[derive(Default)]
pub struct Deferred {
    facts: Facts,
    pending: Vec<Pending>,
}

impl Deferred {
    /// Takes a chunk's facts and waiting evaluations.
    pub fn gather(&mut self, out: &mut super::ChunkOutcome) {
        for f in out.facts.drain(..) {
            self.facts.add(f);
        }
        self.pending.append(&mut out.pending);
    }

    /// Answers every waiting evaluation from the facts of the whole scan:
    /// adds its verdicts to `verdicts` (by rule: passed, failed, skipped),
    /// its evaluations that did not fail to
    /// `population` (when recorded) and a secret rule's failures to `masks`
    /// (file, spans), and returns its findings.
    pub fn resolve(
        self,
        rules: &RuleSet,
        verdicts: &mut [[usize; 3]],
        masks: &mut Vec<(String, Vec<Span>)>,
        population: &mut Vec<Evaluation>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for mut p in self.pending {
            let code: usize = p
                .atoms
                .iter()
                .enumerate()
                .map(|(i, atom)| {
                    let dir = rules.scan_relations()[atom.slot].dir;
                    let answer = self.facts.answer(atom, dir);
                    let digit = ANSWERS.iter().position(|&a| a == answer).unwrap_or(2);
                    digit * 3usize.pow(i as u32)
                })
                .sum();
            let Some(run) = p.runs.get_mut(code) else {
                continue;
            };
            for &v in &run.verdicts {
                let slot = ANSWERS.iter().position(|&a| a == v).unwrap_or(2);
                verdicts[p.rule][slot] += 1;
            }
            if let Some(rec) = &p.record {
                let path: Arc<str> = Arc::from(&*p.path);
                for (i, &v) in run.verdicts.iter().enumerate() {
                    if v != Verdict::Fail {
                        population.push(Evaluation {
                            rule: p.rule as u32,
                            path: Arc::clone(&path),
                            line: run.lines.get(i).copied().unwrap_or(0),
                            resource: Arc::clone(&rec.resource),
                            skipped: v == Verdict::Skip,
                        });
                    }
                }
            }
            findings.append(&mut run.findings);
            if !run.masks.is_empty() {
                masks.push((std::mem::take(&mut p.path), std::mem::take(&mut run.masks)));
            }
        }
        crate::finding::sort_findings(&mut findings);
        findings
    }

    /// Answers a lone chunk's waiting evaluations from its own facts (a
    /// scan that is one chunk: `check --plan`), folding them into it.
    pub fn settle(out: &mut super::ChunkOutcome, rules: &RuleSet) {
        let mut deferred = Deferred::default();
        deferred.gather(out);
        let mut verdicts = vec![[0usize; 3]; rules.rules.len()];
        let mut findings =
            deferred.resolve(rules, &mut verdicts, &mut out.masks, &mut out.population);
        out.verdicts.extend(
            verdicts
                .into_iter()
                .enumerate()
                .filter(|(_, v)| v.iter().any(|&n| n > 0))
                .map(|(ri, v)| (ri as u32, v.map(|n| n as u32))),
        );
        out.findings.append(&mut findings);
        crate::finding::sort_findings(&mut out.findings);
    }
}

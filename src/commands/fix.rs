//! `check --fix` and `check --diff`: the fixes of the active findings,
//! each file's fixed text scanned before anything is written (it must parse
//! and the fixed findings must be gone, or that file is left alone), then
//! written through the same safe writer as reports (no link followed inside
//! the tree, the file replaced whole, its permissions kept) or shown as a
//! unified diff.
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::{fatal, Fatal, EXIT_FINDINGS, EXIT_OK};
use crate::filter::{self, FilterOptions};
use crate::finding::ScanResult;
use crate::fix::{self, Fix};
use crate::output_file::Guard;
use crate::parse::Overlay;
use crate::project::run_scan_found;
use crate::rules::RuleSet;
use crate::scan::ScanOptions;
use crate::wording::plural;

/// What a fix run needs of the check that found the findings.
pub struct Run<'a> {
    pub opts: &'a ScanOptions,
    pub rules: &'a RuleSet,
    pub filter: &'a FilterOptions<'a>,
    pub guard: &'a Guard,
}

/// The passes `--fix` makes at most: a fix may make another applicable (two
/// edits at one place, one held back; a key added that another fix then
/// sets), so fixes are applied again on the fixed texts until none is left,
/// as ruff does (it stops at 100; here no rule chains that far).
pub const MAX_PASSES: usize = 10;

/// (rule id, resource) of a finding fixed, to see it gone.
type Key = (String, String);

/// One file being fixed.
struct FileState {
    path: PathBuf,
    /// The text the scan read.
    old: String,
    /// The text after the passes kept so far.
    new: String,
    /// Each finding fixed, over all passes.
    keys: Vec<Key>,
    /// A pass on this file did not re-parse or left a fixed finding: no
    /// further pass touches it (the same fixes would fail again).
    given_up: bool,
}

/// What the passes did.
struct Passes {
    files: BTreeMap<String, FileState>,
    /// Passes kept (that applied at least one fix).
    passes: usize,
    /// The bound was reached with fixes still to apply.
    stopped: bool,
}

impl Run<'_> {
    /// With `diff_only`, prints the diff and returns the exit code; else
    /// writes the fixed files, replaces `result` with a scan of them
    /// (filtered as before) and returns `None`, for the report to follow.
    pub fn run(&self, diff_only: bool, result: &mut ScanResult) -> Result<Option<u8>, Fatal> {
        let max = std::env::var("SOCLINT_MAX_FIX_PASSES")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(MAX_PASSES, |n| n.clamp(1, 100));
        let Passes {
            files,
            passes,
            stopped,
        } = self.passes(result, max)?;
        let fixed: Vec<(&String, &FileState)> =
            files.iter().filter(|(_, f)| f.new != f.old).collect();
        let count: usize = fixed.iter().map(|(_, f)| f.keys.len()).sum();
        let in_passes = if count == 0 {
            String::new()
        } else {
            format!(" in {}", plural(passes, "pass", "passes"))
        };
        if stopped {
            eprintln!(
                "note: stopped after {}: fixes are left to apply (run `soclint check --fix` again)",
                plural(passes, "fix pass", "fix passes")
            );
        }
        if diff_only {
            let mut out = String::new();
            for (rel, f) in &fixed {
                for line in fix::unified_diff(rel, &f.old, &f.new).split_inclusive('\n') {
                    let body = line.strip_suffix('\n').unwrap_or(line);
                    out.push_str(&crate::escape::terminal(body));
                    out.push('\n');
                }
            }
            super::output::write_output(None, &out, self.guard)?;
            eprintln!(
                "{count} fix{} available in {}{in_passes} (--fix applies them)",
                if count == 1 { "" } else { "es" },
                plural(fixed.len(), "file", "files"),
            );
            return Ok(Some(if fixed.is_empty() {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            }));
        }
        let mut written = 0;
        let mut written_fixes = 0;
        for (rel, f) in &fixed {
            // each file written once, and not when it changed since it was read
            let now = crate::repo_path::read_regular(&f.path, self.opts.parse.max_file_size)
                .ok()
                .and_then(|(b, _)| String::from_utf8(b).ok());
            if now.as_deref() != Some(f.old.as_str()) {
                eprintln!(
                    "note: {} not fixed: it changed since it was scanned",
                    crate::escape::terminal(rel)
                );
                continue;
            }
            crate::output_file::replace_with_text(&f.path, self.guard, &f.new).map_err(|e| {
                fatal(format!(
                    "cannot write the fix of {}: {e}",
                    crate::escape::terminal(rel)
                ))
            })?;
            written += 1;
            written_fixes += f.keys.len();
        }
        let in_passes = if written_fixes == 0 {
            String::new()
        } else {
            in_passes
        };
        eprintln!(
            "fixed {} in {}{in_passes}",
            plural(written_fixes, "finding", "findings"),
            plural(written, "file", "files"),
        );
        if written > 0 {
            let scope = result.scope.clone();
            *result = run_scan_found(self.opts, self.rules, None, None)?;
            result.scope = scope;
            filter::apply(result, self.filter);
        }
        Ok(None)
    }

    /// The indices of `result`'s findings that `--fix` would fix: a rule
    /// with a fix that is not a suggestion, and the fix built on the file's
    /// text (read as `--fix` reads it: inside the tree, through no link,
    /// unchanged since the scan). Each file is read once, and only when a
    /// finding in it has such a rule. (Whether the fixed text re-parses is
    /// known only by scanning it, which `--fix` does.)
    pub fn fixable(&self, result: &ScanResult) -> Vec<usize> {
        let specs: HashMap<&str, &crate::rules::Fix> = self
            .rules
            .rules
            .iter()
            .filter_map(|r| Some((r.meta.id.as_str(), r.fix.as_ref()?)))
            .filter(|(_, fx)| !fx.suggestion)
            .collect();
        if specs.is_empty() {
            return Vec::new();
        }
        // the findings arrive in path order: one group per file
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, f) in result.findings.iter().enumerate() {
            if !specs.contains_key(f.rule.id.as_str()) {
                continue;
            }
            match groups.last_mut() {
                Some((p, v)) if *p == &*f.path => v.push(i),
                _ => groups.push((&f.path, vec![i])),
            }
        }
        let per_file = crate::parallel::map(&groups, |(path, ids)| {
            let Ok((_, text)) = self.read(path, result) else {
                return Vec::new();
            };
            ids.iter()
                .copied()
                .filter(|&i| {
                    let f = &result.findings[i];
                    specs.get(f.rule.id.as_str()).is_some_and(|spec| {
                        fix::for_finding(f, spec, &text).is_some_and(|x| !x.suggestion)
                    })
                })
                .collect()
        });
        per_file.into_iter().flatten().collect()
    }

    /// Applies the safe fixes of `result`'s findings, scans the fixed texts
    /// (in memory), keeps each file's pass only when its text parses and
    /// the findings it fixed are gone, and goes again on the findings of
    /// that scan until no fix is left or `max` passes were made.
    fn passes(&self, result: &ScanResult, max: usize) -> Result<Passes, Fatal> {
        let specs: HashMap<&str, &crate::rules::Fix> = self
            .rules
            .rules
            .iter()
            .filter_map(|r| Some((r.meta.id.as_str(), r.fix.as_ref()?)))
            .collect();
        let mut files: BTreeMap<String, FileState> = BTreeMap::new();
        let mut unreadable: BTreeMap<String, String> = BTreeMap::new();
        let mut rescan: Option<ScanResult> = None;
        let mut passes = 0;
        let mut stopped = false;
        loop {
            let findings = rescan.as_ref().map_or(&result.findings, |r| &r.findings);
            // this pass's fixes, by file: the fixes and (rule id, resource)
            let mut pass: BTreeMap<String, (Vec<Fix>, Vec<Key>)> = BTreeMap::new();
            for f in findings {
                let Some(spec) = specs.get(f.rule.id.as_str()) else {
                    continue;
                };
                if !files.contains_key(&*f.path) && !unreadable.contains_key(&*f.path) {
                    match self.read(&f.path, result) {
                        Ok((path, old)) => {
                            files.insert(
                                f.path.to_string(),
                                FileState {
                                    path,
                                    new: old.clone(),
                                    old,
                                    keys: Vec::new(),
                                    given_up: false,
                                },
                            );
                        }
                        Err(why) => {
                            unreadable.insert(f.path.to_string(), why);
                        }
                    }
                }
                let Some(file) = files.get(&*f.path).filter(|s| !s.given_up) else {
                    continue;
                };
                // a suggestion holds a placeholder: shown, never written
                if let Some(fx) = fix::for_finding(f, spec, &file.new).filter(|x| !x.suggestion) {
                    let (fixes, keys) = pass.entry(f.path.to_string()).or_default();
                    fixes.push(fx);
                    keys.push((f.rule.id.clone(), f.resource.to_string()));
                }
            }
            if pass.is_empty() {
                break;
            }
            if passes == max {
                stopped = true;
                break;
            }
            // apply, then scan the fixed texts before anything is kept
            let mut tried: BTreeMap<String, (String, Vec<Key>)> = BTreeMap::new();
            for (rel, (fixes, keys)) in pass {
                let Some(file) = files.get(&rel) else {
                    continue;
                };
                let applied = fix::apply(&file.new, &fixes);
                let keys = applied.applied.iter().map(|&i| keys[i].clone()).collect();
                tried.insert(rel, (applied.text, keys));
            }
            let mut overlay: HashMap<PathBuf, std::sync::Arc<str>> = files
                .iter()
                .filter(|(_, f)| f.new != f.old)
                .map(|(_, f)| (f.path.clone(), std::sync::Arc::from(f.new.as_str())))
                .collect();
            for (rel, (text, _)) in &tried {
                if let Some(f) = files.get(rel) {
                    overlay.insert(f.path.clone(), std::sync::Arc::from(text.as_str()));
                }
            }
            let mut check = self.opts.clone();
            check.parse.overlay = Overlay::new(overlay);
            let mut after = run_scan_found(&check, self.rules, None, None)?;
            let mut kept = false;
            for (rel, (text, keys)) in tried {
                let parses = !after.errors.iter().any(|e| e.path == rel);
                let gone = !after.findings.iter().any(|f| {
                    *f.path == *rel
                        && keys
                            .iter()
                            .any(|(id, res)| *id == f.rule.id && **res == *f.resource)
                });
                let Some(file) = files.get_mut(&rel) else {
                    continue;
                };
                if parses && gone {
                    file.new = text;
                    file.keys.extend(keys);
                    kept = true;
                } else {
                    file.given_up = true;
                    eprintln!(
                        "note: {} not fixed{}: the fixed text {}",
                        crate::escape::terminal(&rel),
                        if file.keys.is_empty() {
                            String::new()
                        } else {
                            format!(" further (pass {})", passes + 1)
                        },
                        if parses {
                            "still has the finding"
                        } else {
                            "does not parse"
                        }
                    );
                }
            }
            if !kept {
                break;
            }
            passes += 1;
            // the next pass fixes what the fixed texts report, filtered as
            // the report is (a suppressed finding is not fixed)
            let scope = result.scope.clone();
            after.scope = scope;
            filter::apply(&mut after, self.filter);
            rescan = Some(after);
        }
        for (p, why) in &unreadable {
            eprintln!(
                "note: {} not fixed: {}",
                crate::escape::terminal(p),
                crate::escape::terminal(why)
            );
        }
        Ok(Passes {
            files,
            passes,
            stopped,
        })
    }

    /// The file a reported path names (inside a scanned root, never through
    /// a link there) and its text, which must be the text the scan read.
    fn read(&self, rel: &str, result: &ScanResult) -> Result<(PathBuf, String), String> {
        let path = self
            .opts
            .roots
            .iter()
            .find_map(|r| {
                let p = &r.display_prefix;
                if !r.is_dir {
                    return (p == rel).then(|| r.path.clone());
                }
                let rest = if p.is_empty() {
                    rel
                } else {
                    rel.strip_prefix(p.as_str())?.strip_prefix('/')?
                };
                crate::repo_path::check_relative(rest).ok()?;
                if rest.split('/').any(|c| c == "..") {
                    return None;
                }
                Some(r.path.join(rest))
            })
            .ok_or_else(|| "not a file of the scanned tree".to_string())?;
        self.guard.check_dirs(&path).map_err(|e| e.to_string())?;
        let meta = std::fs::symlink_metadata(&path).map_err(|e| e.to_string())?;
        if !meta.file_type().is_file() {
            return Err("not a regular file".into());
        }
        let (bytes, _) = crate::repo_path::read_regular(&path, self.opts.parse.max_file_size)?;
        let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
        if result.texts.get(rel).is_some_and(|t| **t != *text) {
            return Err("it changed since it was scanned".into());
        }
        Ok((path, text))
    }
}

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

/// What a fix run needs of the check that found the findings.
pub struct Run<'a> {
    pub opts: &'a ScanOptions,
    pub rules: &'a RuleSet,
    pub filter: &'a FilterOptions<'a>,
    pub guard: &'a Guard,
}

/// A file's fixed text: (its path, the text before, after, the (rule id,
/// resource) of each finding fixed).
type Fixed = (PathBuf, String, String, Vec<(String, String)>);

/// One file's fixes.
struct FileFixes {
    path: PathBuf,
    old: String,
    fixes: Vec<Fix>,
    /// (rule id, resource) of each finding fixed, to see it gone.
    keys: Vec<(String, String)>,
}

impl Run<'_> {
    /// With `diff_only`, prints the diff and returns the exit code; else
    /// writes the fixed files, replaces `result` with a scan of them
    /// (filtered as before) and returns `None`, for the report to follow.
    pub fn run(&self, diff_only: bool, result: &mut ScanResult) -> Result<Option<u8>, Fatal> {
        let specs: HashMap<&str, &crate::rules::Fix> = self
            .rules
            .rules
            .iter()
            .filter_map(|r| Some((r.meta.id.as_str(), r.fix.as_ref()?)))
            .collect();
        let mut files: BTreeMap<String, FileFixes> = BTreeMap::new();
        let mut unreadable: BTreeMap<String, String> = BTreeMap::new();
        for f in &result.findings {
            let Some(spec) = specs.get(f.rule.id.as_str()) else {
                continue;
            };
            if !files.contains_key(&*f.path) && !unreadable.contains_key(&*f.path) {
                match self.read(&f.path, result) {
                    Ok((path, old)) => {
                        files.insert(
                            f.path.to_string(),
                            FileFixes {
                                path,
                                old,
                                fixes: Vec::new(),
                                keys: Vec::new(),
                            },
                        );
                    }
                    Err(why) => {
                        unreadable.insert(f.path.to_string(), why);
                    }
                }
            }
            let Some(file) = files.get_mut(&*f.path) else {
                continue;
            };
            // a suggestion holds a placeholder: shown, never written
            if let Some(fx) = fix::for_finding(f, spec, &file.old).filter(|x| !x.suggestion) {
                file.fixes.push(fx);
                file.keys.push((f.rule.id.clone(), f.resource.to_string()));
            }
        }
        for (p, why) in &unreadable {
            eprintln!(
                "note: {} not fixed: {}",
                crate::escape::terminal(p),
                crate::escape::terminal(why)
            );
        }
        // apply, then scan the fixed texts before anything is written
        let mut fixed: BTreeMap<String, Fixed> = BTreeMap::new();
        for (rel, file) in files {
            if file.fixes.is_empty() {
                continue;
            }
            let applied = fix::apply(&file.old, &file.fixes);
            let keys = applied
                .applied
                .iter()
                .map(|&i| file.keys[i].clone())
                .collect();
            fixed.insert(rel, (file.path, file.old, applied.text, keys));
        }
        if !fixed.is_empty() {
            let mut check = self.opts.clone();
            check.parse.overlay = Overlay::new(
                fixed
                    .values()
                    .map(|(p, _, new, _)| (p.clone(), std::sync::Arc::from(new.as_str())))
                    .collect(),
            );
            let after = run_scan_found(&check, self.rules, None, None)?;
            fixed.retain(|rel, (_, _, _, keys)| {
                let parses = !after.errors.iter().any(|e| &e.path == rel);
                let gone = !after.findings.iter().any(|f| {
                    *f.path == **rel
                        && keys
                            .iter()
                            .any(|(id, res)| *id == f.rule.id && **res == *f.resource)
                });
                if !(parses && gone) {
                    eprintln!(
                        "note: {} not fixed: the fixed text {}",
                        crate::escape::terminal(rel),
                        if parses {
                            "still has the finding"
                        } else {
                            "does not parse"
                        }
                    );
                }
                parses && gone
            });
        }
        let count: usize = fixed.values().map(|(_, _, _, k)| k.len()).sum();
        if diff_only {
            let mut out = String::new();
            for (rel, (_, old, new, _)) in &fixed {
                for line in fix::unified_diff(rel, old, new).split_inclusive('\n') {
                    let body = line.strip_suffix('\n').unwrap_or(line);
                    out.push_str(&crate::escape::terminal(body));
                    out.push('\n');
                }
            }
            super::output::write_output(None, &out, self.guard)?;
            eprintln!(
                "{count} fix{} available in {} file{} (--fix applies them)",
                if count == 1 { "" } else { "es" },
                fixed.len(),
                if fixed.len() == 1 { "" } else { "s" },
            );
            return Ok(Some(if fixed.is_empty() {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            }));
        }
        for (rel, (path, _, new, _)) in &fixed {
            crate::output_file::replace_with_text(path, self.guard, new).map_err(|e| {
                fatal(format!(
                    "cannot write the fix of {}: {e}",
                    crate::escape::terminal(rel)
                ))
            })?;
        }
        eprintln!(
            "fixed {count} finding{} in {} file{}",
            if count == 1 { "" } else { "s" },
            fixed.len(),
            if fixed.len() == 1 { "" } else { "s" },
        );
        if !fixed.is_empty() {
            let scope = result.scope.clone();
            *result = run_scan_found(self.opts, self.rules, None, None)?;
            result.scope = scope;
            filter::apply(result, self.filter);
        }
        Ok(None)
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

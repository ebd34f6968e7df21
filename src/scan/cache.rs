//! What a scan keeps for the next scan of the same tree (the language
//! server's): each chunk's result, and the units (Helm charts, Kustomize
//! overlays, GitLab pipelines) found before the chunks run.
//!
//! A chunk's result depends on its own files and on what it read elsewhere
//! (the Terraform modules it called, variables files, files read by
//! `file()`, Terragrunt parents, a chart's subcharts): [`Reads`]. A changed
//! file drops the chunks that read it, and only those are scanned again; the
//! steps across chunks (which root modules are kept, the relations across
//! the scan, the repository's own rules) always run on every chunk's result,
//! so the result equals a full scan. What decides the units (a
//! kustomization, a GitLab CI file or one it includes), a file created or
//! deleted, or different options, start over. A file a Kustomize build reads
//! builds again only the kustomizations that read it.
use std::collections::{HashMap, HashSet};

use super::ChunkResult;
use crate::discover::{classify_name, Discovered, FileKind, NameClass};
use crate::unit_scan::Units;
use crate::unscanned::Skipped;

/// What a chunk read besides its own files, as the scan reports paths.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    /// Directories whose files it read (its own, the modules it called).
    pub dirs: Vec<String>,
    /// Files, or directories with everything under them (a chart, a
    /// `fileset`), it read.
    pub under: Vec<String>,
}

impl Reads {
    /// Whether the file `rel` may have been read.
    fn covers(&self, rel: &str) -> bool {
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        self.dirs.iter().any(|d| d == dir)
            || self.under.iter().any(|u| {
                u.is_empty()
                    || rel == u
                    || rel
                        .strip_prefix(u.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

/// A chunk's kept result.
struct Kept {
    /// Its files, in order.
    files: Vec<String>,
    result: ChunkResult,
}

/// Chunk results and units kept between scans of one tree with the same
/// options and rules.
#[derive(Default)]
pub struct Cache {
    /// Every file of the last scan, sorted: another list starts over.
    files: Vec<String>,
    units: Option<Units>,
    /// What finding the units put aside (GitLab includes not followed).
    unit_skipped: Vec<Skipped>,
    /// The files the units depend on.
    structural: HashSet<String>,
    /// The files Kustomize builds read (not kustomizations).
    overlay_inputs: HashSet<String>,
    /// Those changed since the units were built.
    overlay_changed: Vec<String>,
    chunks: HashMap<(usize, String), Kept>,
    /// The files parsed, until they change.
    pub(super) parsed: super::parsed::Parsed,
    /// Chunks scanned and reused by the last scan.
    pub scanned: usize,
    pub reused: usize,
    /// Files the last scan parsed (the others' parses were kept).
    pub parsed_files: usize,
    /// Chunks scanned by the last scan whose own resources' outcome was
    /// kept (their files did not change).
    pub own_kept: usize,
}

impl Cache {
    /// Nothing kept (yet).
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Everything is scanned (and parsed) again (new options, rules or
    /// config, or changes that cannot be placed).
    pub fn clear(&mut self) {
        *self = Cache::default();
    }

    /// Every chunk is scanned again; the files that did not change are not
    /// parsed again.
    fn restart(&mut self) {
        let parsed = std::mem::take(&mut self.parsed);
        *self = Cache {
            parsed,
            ..Cache::default()
        };
    }

    /// The file `rel` (as the scan reports it) changed: the chunks that
    /// read it are scanned again; when the units depend on it, everything.
    pub fn changed(&mut self, rel: &str) {
        self.parsed.changed(rel);
        if self.structural.contains(rel) {
            self.restart();
            return;
        }
        if self.overlay_inputs.contains(rel) && !self.overlay_changed.iter().any(|c| c == rel) {
            self.overlay_changed.push(rel.to_string());
        }
        self.chunks
            .retain(|_, k| !k.files.iter().any(|f| f == rel) && !k.result.reads.covers(rel));
    }

    /// The kept units when `found` is the same list of files as last time,
    /// with the Kustomize inputs changed since they were built (to build
    /// again: [`Cache::units_rebuilt`]); otherwise nothing is kept.
    pub(super) fn take_units(
        &mut self,
        found: &[Discovered],
    ) -> Option<(Units, Vec<Skipped>, Vec<String>)> {
        let same = self.files.len() == found.len() && {
            let mut now: Vec<&str> = found.iter().map(|d| d.rel.as_str()).collect();
            now.sort_unstable();
            now.iter().zip(&self.files).all(|(a, b)| *a == b)
        };
        match self.units.take() {
            Some(u) if same => Some((
                u,
                self.unit_skipped.clone(),
                std::mem::take(&mut self.overlay_changed),
            )),
            _ => {
                self.restart();
                None
            }
        }
    }

    /// Units found afresh for `found`.
    pub(super) fn found_units(
        &mut self,
        found: &[Discovered],
        units: &Units,
        dir_root: impl Fn(&Discovered) -> Option<usize>,
    ) {
        self.restart();
        self.files = found.iter().map(|d| d.rel.clone()).collect();
        self.files.sort_unstable();
        self.unit_skipped = units.pipelines.skipped.clone();
        self.structural = found
            .iter()
            .filter(|d| {
                crate::render::kustomize::is_kustomization(&d.rel)
                    || classify_name(&d.rel) == NameClass::Known(FileKind::GitlabCi)
                    || dir_root(d).is_some_and(|root| units.pipelines.claims(root, &d.rel))
            })
            .map(|d| d.rel.clone())
            .collect();
        self.overlay_inputs = units.overlays.inputs().map(str::to_string).collect();
    }

    /// The kept units' Kustomize builds were built again: when what they
    /// claim changed, a file may now be read on its own (or no longer), so
    /// every chunk is scanned again.
    pub(super) fn units_rebuilt(&mut self, units: &Units, claims_changed: bool) {
        if claims_changed {
            self.chunks.clear();
        }
        self.overlay_inputs = units.overlays.inputs().map(str::to_string).collect();
    }

    pub(super) fn put_units(&mut self, units: Units) {
        self.units = Some(units);
    }

    /// Each chunk's result: kept, or scanned (in parallel) and kept.
    pub(super) fn results(
        &mut self,
        chunks: &[&[Discovered]],
        keys: &[(usize, &str)],
        scan: impl Fn(&[Discovered]) -> ChunkResult + Sync,
    ) -> Vec<ChunkResult> {
        let valid = |i: usize| {
            let (root, dir) = keys[i];
            self.chunks.get(&(root, dir.to_string())).is_some_and(|k| {
                k.files.len() == chunks[i].len()
                    && k.files.iter().zip(chunks[i]).all(|(a, b)| *a == b.rel)
            })
        };
        let todo: Vec<usize> = (0..chunks.len()).filter(|&i| !valid(i)).collect();
        let mut out: Vec<Option<ChunkResult>> = keys
            .iter()
            .map(|&(root, dir)| {
                self.chunks
                    .get(&(root, dir.to_string()))
                    .map(|k| k.result.clone())
            })
            .collect();
        let fresh = crate::parallel::map(&todo, |&i| scan(chunks[i]));
        self.scanned = todo.len();
        self.reused = chunks.len() - todo.len();
        for (i, r) in todo.into_iter().zip(fresh) {
            let (root, dir) = keys[i];
            self.chunks.insert(
                (root, dir.to_string()),
                Kept {
                    files: chunks[i].iter().map(|d| d.rel.clone()).collect(),
                    result: r.clone(),
                },
            );
            out[i] = Some(r);
        }
        out.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Reads;

    #[test]
    fn reads_cover_their_directories_and_trees() {
        let r = Reads {
            dirs: vec!["modules/db".into()],
            under: vec!["charts/app".into(), "files/policy.json".into()],
        };
        assert!(r.covers("modules/db/main.tf"));
        assert!(!r.covers("modules/db/inner/main.tf"));
        assert!(r.covers("charts/app/templates/x.yaml"));
        assert!(!r.covers("charts/application/x.yaml"));
        assert!(r.covers("files/policy.json"));
        assert!(!r.covers("main.tf"));
        let everything = Reads {
            dirs: Vec::new(),
            under: vec![String::new()],
        };
        assert!(everything.covers("a/b.tf"));
    }
}

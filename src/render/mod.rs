//! The render stage, between discover and parse: a unit directory (a Helm
//! chart) in, rendered documents with the source of every byte out, or the
//! reason it could not be rendered. Rendered documents go through the parse,
//! extract and evaluate stages unchanged; a finding on one is moved to the
//! source its bytes came from (the values line or the template line).
use std::sync::Arc;

pub mod helm;
pub mod kustomize;

/// `dir/rel` with `..` resolved; `None` when it leaves the root.
/// (Renderers read only files discovery found, so this is a name, not a
/// filesystem walk.)
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The scanned tree as a renderer sees it: only files discovery found (so
/// nothing outside the scanned root, through a link or ignored), read with
/// the scan's size limit.
pub trait Files {
    /// Every file under `dir` (relative to the root, forward slashes), sorted.
    fn list(&self, dir: &str) -> Vec<String>;
    /// A file's text; the error says why it cannot be read.
    fn read(&self, rel: &str) -> Result<Arc<str>, String>;
    /// Whether `rel` is one of the files (without reading it).
    fn exists(&self, rel: &str) -> bool {
        self.read(rel).is_ok()
    }
}

/// A file rendered text can come from (a template, a values file, Chart.yaml).
#[derive(Debug, Clone)]
pub struct Source {
    /// Relative to the scanned root (a `--helm-values` file: as given).
    pub path: String,
    pub text: Arc<str>,
}

/// Where a run of rendered bytes came from: from `start` (in the rendered
/// text) to the next link, source `src` at `offset` (exact: byte for byte;
/// else every byte maps to `offset`). `src == u32::MAX`: no source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub start: u32,
    pub src: u32,
    pub offset: u32,
    pub exact: bool,
}

/// One rendered template.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The template, as an index into the unit's sources.
    pub template: usize,
    pub text: Arc<str>,
    /// Sorted by `start`; the first starts at 0.
    pub links: Vec<Link>,
}

impl Rendered {
    /// The source (index, byte offset) of rendered byte `at`, and whether it
    /// is an exact copy.
    pub fn source_of(&self, at: usize) -> Option<(usize, usize, bool)> {
        let i = self.links.partition_point(|l| l.start as usize <= at);
        let link = self.links.get(i.checked_sub(1)?)?;
        if link.src == u32::MAX {
            return None;
        }
        let offset = if link.exact {
            link.offset as usize + (at - link.start as usize)
        } else {
            link.offset as usize
        };
        Some((link.src as usize, offset, link.exact))
    }
    /// Whether bytes `start..end` are one exact copy of their source.
    pub fn exact_run(&self, start: usize, end: usize) -> bool {
        let i = self.links.partition_point(|l| l.start as usize <= start);
        let Some(link) = i.checked_sub(1).and_then(|i| self.links.get(i)) else {
            return false;
        };
        let next = self.links.get(i).map_or(usize::MAX, |l| l.start as usize);
        link.exact && link.src != u32::MAX && end <= next
    }
}

/// Something of a unit that could not be rendered, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The template (or, for the whole unit, its `Chart.yaml`).
    pub path: String,
    pub message: String,
}

/// What rendering a unit gave.
#[derive(Debug, Default)]
pub struct Output {
    pub sources: Vec<Source>,
    pub documents: Vec<Rendered>,
    pub failures: Vec<Failure>,
}

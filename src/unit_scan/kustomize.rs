//! Kustomize overlays in a scan: every kustomization of a scanned directory
//! is built before the files are read, which tells which files are inputs
//! of a build (checked there, not on their own: a patch is not a manifest)
//! and which kustomizations are checked (`--kustomize-roots`).
use std::collections::{BTreeMap, HashMap};

use crate::discover::{Discovered, FileKind};
use crate::document::Limits;
use crate::evaluate::EvalOptions;
use crate::filter::suppress;
use crate::parse::ParseOptions;
use crate::render::kustomize::{self, Built, Role};
use crate::render::Files;
use crate::rules::RuleSet;
use crate::unscanned::{Reason, Skipped};

use super::ChartScan;

/// Which kustomizations are built and checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Roots {
    /// The ones no other kustomization includes (what is deployed).
    #[default]
    Overlays,
    /// The ones other kustomizations include, and those that include none.
    Bases,
    /// Every kustomization but components.
    Both,
}

/// How a build claims a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Read by a checked build.
    Input,
    /// A patch of overlays that are not checked.
    UncheckedPatch(String),
}

/// The kustomizations of a scan, built.
#[derive(Debug, Default)]
pub struct Overlays {
    /// Every kustomization built, in order of (root, path): (root, build).
    builds: Vec<(usize, Built)>,
    roots: Roots,
    /// The checked builds by (root, directory): their index in `builds`.
    checked: HashMap<(usize, String), usize>,
    claims: HashMap<(usize, String), Claim>,
    /// (lines, bytes) of each file a checked build read.
    sizes: HashMap<(usize, String), (usize, u64)>,
}

impl Overlays {
    /// Builds every kustomization among `found` (`dir_root`: the root a
    /// directory's files belong to, `None` for files named one by one).
    pub fn find(
        found: &[Discovered],
        dir_root: impl Fn(&Discovered) -> Option<usize>,
        files: &(dyn Files + Sync),
        limits: &Limits,
        roots: Roots,
    ) -> Overlays {
        let mut paths: Vec<(usize, String)> = found
            .iter()
            .filter(|d| kustomize::is_kustomization(&d.rel))
            .filter_map(|d| Some((dir_root(d)?, d.rel.clone())))
            .collect();
        if paths.is_empty() {
            return Overlays::default();
        }
        paths.sort();
        // one kustomization per directory, in kustomize's order of names
        paths.dedup_by(|b, a| a.0 == b.0 && dir_of(&a.1) == dir_of(&b.1));
        let built: Vec<Built> =
            crate::parallel::map(&paths, |(_, p)| kustomize::build(p, files, limits));
        let mut out = Overlays {
            builds: paths.iter().map(|(root, _)| *root).zip(built).collect(),
            roots,
            ..Overlays::default()
        };
        out.derive();
        out
    }

    /// Builds again the kustomizations that read one of `changed` (files
    /// whose text changed; a kustomization's own change starts over, as it
    /// decides what is built). Whether a file's claim changed (a build that
    /// gave documents gives none now, or the reverse): then the files of
    /// every directory are to be read again.
    pub fn rebuild(
        &mut self,
        changed: &[String],
        files: &(dyn Files + Sync),
        limits: &Limits,
    ) -> bool {
        let todo: Vec<usize> = (0..self.builds.len())
            .filter(|&i| {
                let mut read = depends(&self.builds[i].1);
                read.any(|r| changed.iter().any(|c| c == r))
            })
            .collect();
        if todo.is_empty() {
            return false;
        }
        let fresh = crate::parallel::map(&todo, |&i| {
            kustomize::build(&self.builds[i].1.path, files, limits)
        });
        for (i, b) in todo.into_iter().zip(fresh) {
            self.builds[i].1 = b;
        }
        let before = std::mem::take(&mut self.claims);
        self.derive();
        before != self.claims
    }

    /// The files the builds read, or tried to (one that did not parse is
    /// no input, but its repair changes the build): a change of one that is
    /// not a kustomization builds again the builds that read it
    /// ([`Overlays::rebuild`]).
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.builds.iter().flat_map(|(_, b)| depends(b))
    }

    /// Which builds are checked, and what they claim, from the builds.
    fn derive(&mut self) {
        self.checked.clear();
        self.claims.clear();
        self.sizes.clear();
        let included: std::collections::HashSet<(usize, &str)> = self
            .builds
            .iter()
            .flat_map(|(root, b)| b.includes.iter().map(move |d| (*root, d.as_str())))
            .collect();
        let wanted: Vec<bool> = self
            .builds
            .iter()
            .map(|(root, b)| {
                let key = (*root, dir_of(&b.path));
                let is_base = included.contains(&key) || b.includes.is_empty();
                let is_overlay = !included.contains(&key);
                !b.component
                    && match self.roots {
                        Roots::Overlays => is_overlay,
                        Roots::Bases => is_base,
                        Roots::Both => true,
                    }
            })
            .collect();
        for ((root, b), wanted) in self.builds.iter().zip(&wanted) {
            // a build that gave nothing claims no manifest: they are
            // checked as they are written
            if *wanted && !b.output.documents.is_empty() {
                for (rel, _) in b.reads.iter().filter(|(_, r)| **r != Role::Kustomization) {
                    self.claims.insert((*root, rel.clone()), Claim::Input);
                }
                for s in &b.output.sources {
                    self.sizes.insert(
                        (*root, s.path.clone()),
                        (s.text.lines().count(), s.text.len() as u64),
                    );
                }
            }
        }
        for ((root, b), wanted) in self.builds.iter().zip(&wanted) {
            if *wanted && !b.output.documents.is_empty() {
                continue;
            }
            for (rel, _) in b.reads.iter().filter(|(_, r)| **r == Role::Patch) {
                self.claims
                    .entry((*root, rel.clone()))
                    .or_insert_with(|| Claim::UncheckedPatch(b.path.clone()));
            }
        }
        for (i, ((root, b), wanted)) in self.builds.iter().zip(wanted).enumerate() {
            if wanted {
                self.checked.insert((*root, dir_of(&b.path).to_string()), i);
            }
        }
    }

    pub fn claim(&self, root: usize, rel: &str) -> Option<&Claim> {
        if self.claims.is_empty() {
            return None;
        }
        self.claims.get(&(root, rel.to_string()))
    }

    pub fn size(&self, root: usize, rel: &str) -> Option<(usize, u64)> {
        self.sizes.get(&(root, rel.to_string())).copied()
    }

    pub fn checked(&self, root: usize, dir: &str) -> Option<&Built> {
        if self.checked.is_empty() {
            return None;
        }
        self.checked
            .get(&(root, dir.to_string()))
            .map(|&i| &self.builds[i].1)
    }
}

/// Every file a build read, or tried to read (a source it loaded that did
/// not parse is in no role).
pub fn depends(b: &Built) -> impl Iterator<Item = &str> {
    b.reads
        .keys()
        .map(String::as_str)
        .chain(b.output.sources.iter().map(|s| s.path.as_str()))
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Why a claimed file is not checked on its own, when it is not checked at
/// all.
pub fn unchecked(rel: &str, claim: &Claim) -> Option<Skipped> {
    match claim {
        Claim::Input => None,
        Claim::UncheckedPatch(overlay) => Some(Skipped::new(
            rel,
            Reason::Unrendered,
            format!("a Kustomize patch of {overlay}, which is not built (--kustomize-roots); a patch is not a manifest of its own"),
        )),
    }
}

/// Checks a built overlay: what it could not apply is said at its
/// kustomization, findings move to the patch or base line of their value.
pub fn scan(b: &Built, parse: &ParseOptions, eval: &EvalOptions, rules: &RuleSet) -> ChartScan {
    let mut scan = ChartScan::default();
    // one line per file: the reasons joined
    let mut reasons: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &b.output.failures {
        reasons.entry(&f.path).or_default().push(&f.message);
    }
    for (path, messages) in reasons {
        let mut messages = messages;
        messages.dedup();
        let detail = if b.output.documents.is_empty() {
            format!(
                "Kustomize overlay not built, its resources are checked as written: {}",
                messages.join("; ")
            )
        } else {
            format!(
                "Kustomize overlay built without part of it: {}",
                messages.join("; ")
            )
        };
        scan.skipped
            .push(Skipped::new(path, Reason::Unrendered, detail));
    }
    for s in &b.output.sources {
        let role = b.reads.get(&s.path).copied();
        if matches!(role, Some(Role::Resource | Role::Patch)) {
            let docs = crate::document::yaml::parse(&s.text, &parse.limits).unwrap_or_default();
            scan.directives.extend(suppress::directives(
                &s.path,
                FileKind::Kubernetes,
                &s.text,
                &docs,
            ));
        }
    }
    super::check_rendered(&b.output, "kustomize", parse, eval, rules, &mut scan);
    scan
}

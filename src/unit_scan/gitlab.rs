//! GitLab CI pipelines in a scan: from each `.gitlab-ci.yml`, the files it
//! includes (`include: local:`, a child pipeline's `trigger: include:`),
//! followed through their own includes, are pipeline files too, whatever
//! their names. Paths are resolved among the scanned files only (from the
//! scanned directory, as GitLab resolves them from the repository's root, so
//! a project scanned on its own inside a larger repository reads its own
//! pipeline): `..` cannot leave it and nothing outside it (or behind a link discovery did
//! not follow) is read. What is not followed (remote, project, template and
//! component includes, which soclint does not fetch; a file that does not
//! exist) is said, at the file that includes it.
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::discover::{classify_name, Discovered, FileKind, NameClass};
use crate::document::{Limits, Node};
use crate::extract::gitlab_ci::{self, Include};
use crate::render::Files;
use crate::unscanned::{Reason, Skipped};

/// GitLab stops at 150 includes per pipeline; a loop is cut where it closes.
const MAX_FILES: usize = 150;

/// The pipeline files of a scan beyond those named `.gitlab-ci.yml`, and
/// what their includes leave unchecked.
#[derive(Debug, Default)]
pub struct Pipelines {
    /// (root, path) of each included file.
    claims: HashSet<(usize, String)>,
    /// One per including file: the includes not followed, and why.
    pub skipped: Vec<Skipped>,
    /// The hidden jobs (`.name`) of every pipeline file by (root, name),
    /// for jobs of other files that extend them: the first read wins (a
    /// pipeline's own file before what it includes, includes in order).
    templates: HashMap<(usize, String), Node>,
}

impl Pipelines {
    pub fn find(
        found: &[Discovered],
        dir_root: impl Fn(&Discovered) -> Option<usize>,
        prefix: impl Fn(usize) -> String,
        files: &dyn Files,
        limits: &Limits,
    ) -> Pipelines {
        let mut out = Pipelines::default();
        let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let starts: Vec<(usize, String)> = found
            .iter()
            .filter(|d| classify_name(&d.rel) == NameClass::Known(FileKind::GitlabCi))
            .filter_map(|d| Some((dir_root(d)?, d.rel.clone())))
            .collect();
        let mut seen: HashSet<(usize, String)> = starts.iter().cloned().collect();
        let mut queue: VecDeque<(usize, String)> = starts.into_iter().collect();
        while let Some((root, rel)) = queue.pop_front() {
            // unreadable or unparsable: its own parse says why
            let Ok(text) = files.read(&rel) else { continue };
            let Ok(mut docs) = crate::document::yaml::parse(&text, limits) else {
                continue;
            };
            gitlab_ci::prepare(&mut docs);
            for doc in &docs {
                for e in doc.as_map().unwrap_or(&[]) {
                    if e.key.starts_with('.') && e.value.as_map().is_some() {
                        out.templates
                            .entry((root, e.key.clone()))
                            .or_insert_with(|| e.value.clone());
                    }
                }
            }
            for include in docs.iter().flat_map(gitlab_ci::includes_of) {
                let local = match include {
                    Include::Elsewhere(what) => {
                        notes
                            .entry(rel.clone())
                            .or_default()
                            .push(format!("{what} is not fetched"));
                        continue;
                    }
                    Include::Local(local) => local,
                };
                let targets = match local_paths(&local, &prefix(root), files) {
                    Ok(t) => t,
                    Err(why) => {
                        notes
                            .entry(rel.clone())
                            .or_default()
                            .push(format!("local include `{local}` {why}"));
                        continue;
                    }
                };
                for t in targets {
                    if seen.len() >= MAX_FILES {
                        notes.entry(rel.clone()).or_default().push(format!(
                            "local include `{t}` is beyond GitLab's {MAX_FILES} included files"
                        ));
                        break;
                    }
                    if seen.insert((root, t.clone())) {
                        out.claims.insert((root, t.clone()));
                        queue.push_back((root, t));
                    }
                }
            }
        }
        for (rel, mut what) in notes {
            what.dedup();
            out.skipped.push(Skipped::new(
                rel,
                Reason::Unrendered,
                format!(
                    "GitLab CI pipeline checked without part of it: {}",
                    what.join("; ")
                ),
            ));
        }
        out
    }

    /// The hidden job `name` of a pipeline file under root `root`.
    pub fn template(&self, root: usize, name: &str) -> Option<&Node> {
        if self.templates.is_empty() {
            return None;
        }
        self.templates.get(&(root, name.to_string()))
    }

    /// Whether `rel` is a pipeline file because a pipeline includes it.
    pub fn claims(&self, root: usize, rel: &str) -> bool {
        !self.claims.is_empty() && self.claims.contains(&(root, rel.to_string()))
    }
}

/// The scanned files a `local:` include names (several for a wildcard), or
/// why none. GitLab reads the path from the repository's root, with or
/// without a leading `/`: here the scanned root, whose files are named
/// under `prefix` (empty, or the directory as given on the command line).
fn local_paths(written: &str, prefix: &str, files: &dyn Files) -> Result<Vec<String>, String> {
    if written.contains('$') {
        return Err("names a CI/CD variable; not resolved".into());
    }
    let trimmed = written.trim_start_matches('/');
    crate::repo_path::check_relative(trimmed).map_err(|e| format!("is not read: the path {e}"))?;
    let mut parts: Vec<&str> = Vec::new();
    for part in trimmed.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("leads outside the scanned directory; not read".into());
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("names no file".into());
    }
    let path = match prefix {
        "" => parts.join("/"),
        p => format!("{p}/{}", parts.join("/")),
    };
    if !path.contains(['*', '?', '[', '{']) {
        return if files.exists(&path) {
            Ok(vec![path])
        } else {
            Err("does not exist among the scanned files".into())
        };
    }
    // a wildcard: `*` within a directory, `**` across them, as GitLab does
    let glob = globset::GlobBuilder::new(&path)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("is not a valid wildcard: {e}"))?
        .compile_matcher();
    let base = path[..path.find(['*', '?', '[', '{']).unwrap_or(0)]
        .rsplit_once('/')
        .map_or("", |(d, _)| d);
    let matched: Vec<String> = files
        .list(base)
        .into_iter()
        .filter(|f| glob.is_match(f))
        .collect();
    if matched.is_empty() {
        Err("matches no scanned file".into())
    } else {
        Ok(matched)
    }
}

//! One workspace folder as the server scans it: the same config, rules,
//! scan and filter steps as `soclint check` on that folder, with the open
//! buffers read in place of the files on disk.
//!
//! Each chunk's result (a directory, a Terraform root module with the
//! modules it calls, a Helm chart, a Kustomize overlay) is kept between
//! scans and dropped when a file it read changes ([`scan::Cache`]); the
//! steps across chunks (the relations across the scan, the repository's
//! own rules) and the filter run on every scan, so a scan after an edit
//! gives what a full `soclint check` of the folder would.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::discover::{self, classify_name, Discovered, FileKind, NameClass, Root};
use crate::filter::{self, FilterOptions};
use crate::finding::ScanResult;
use crate::parse::{self, Overlay};
use crate::project::{
    build_rules, config_display, find_config, scan_options, Anchor, ConfigChoice, RuleOverrides,
    ScanOverrides,
};
use crate::rules::RuleSet;
use crate::scan::{self, ScanOptions};

/// A workspace folder, with its config and rules kept between scans (they
/// are rebuilt when a TOML file in it is saved).
pub struct Workspace {
    /// Absolute, as the client named it.
    pub root: PathBuf,
    /// What reported paths are relative to (the repository root, or the
    /// folder itself outside a repository).
    pub anchor: Anchor,
    rules: Option<Arc<Loaded>>,
    cache: scan::Cache,
    /// The day the cached results were evaluated on (rules and suppressions
    /// that expire read it).
    cached_today: i64,
    /// The last walk of the folder and when it was made: kept while only
    /// buffers change (see [`Workspace::edited`]), for at most
    /// `walk_kept_for`.
    walked: Option<(scan::Found, std::time::Instant)>,
    walk_kept_for: std::time::Duration,
    /// Whether the last scan walked the folder.
    walked_last: bool,
    /// The threads its scans run on, made at the first; `None` with one
    /// thread.
    pool: Option<rayon::ThreadPool>,
}

/// How long a walk of the folder serves scans after buffer edits.
const WALK_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// The config and rules of a folder.
struct Loaded {
    config: Config,
    config_path: Option<PathBuf>,
    rules: RuleSet,
}

/// One scan of a folder and what the server needs to publish it.
pub struct Scanned {
    pub result: ScanResult,
    /// The files the scan looked at, as reported.
    pub found: std::collections::HashSet<String>,
    pub opts: ScanOptions,
}

impl Workspace {
    pub fn new(root: PathBuf) -> Workspace {
        let anchor = Anchor::of(std::slice::from_ref(&root));
        Workspace {
            root,
            anchor,
            rules: None,
            cache: scan::Cache::default(),
            cached_today: 0,
            pool: None,
            walked: None,
            walk_kept_for: WALK_KEPT_FOR,
            walked_last: false,
        }
    }

    /// Whether `path` (absolute) is inside the folder.
    pub fn holds(&self, path: &Path) -> bool {
        discover::absolute(path).starts_with(&self.root)
    }

    /// `path` as the scan reports it.
    pub fn reported(&self, path: &Path) -> String {
        self.anchor.display(path)
    }

    /// The absolute path of a reported path.
    pub fn absolute(&self, reported: &str) -> PathBuf {
        self.anchor.base.join(reported)
    }

    /// The config file the folder's scans use, once loaded (absolute).
    pub fn config_file(&self) -> Option<PathBuf> {
        let path = self.rules.as_ref()?.config_path.as_deref()?;
        Some(crate::discover::absolute(path))
    }

    /// The fix the rule `id` defines, once the rules are loaded.
    pub fn rule_fix(&self, id: &str) -> Option<crate::rules::Fix> {
        let loaded = self.rules.as_ref()?;
        loaded
            .rules
            .rules
            .iter()
            .find(|r| r.meta.id == id)
            .and_then(|r| r.fix.clone())
    }

    /// The config and rules are read again at the next scan, and every
    /// file scanned again.
    pub fn forget_rules(&mut self) {
        self.rules = None;
        self.walked = None;
        self.cache.clear();
    }

    /// The file at `path` (absolute) changed on disk, or may have (a
    /// document opened): what read it is scanned again at the next scan,
    /// and the folder walked again (its size, an ignore file).
    pub fn changed(&mut self, path: &Path) {
        self.walked = None;
        self.edited(path);
    }

    /// The buffer of `path` (absolute) changed, or was closed: what read it
    /// is scanned again at the next scan; the files on disk are as they were.
    pub fn edited(&mut self, path: &Path) {
        let rel = self.reported(path);
        self.cache.changed(&rel);
    }

    /// Every file is scanned again at the next scan (files created or
    /// deleted, or a change the server cannot place).
    pub fn forget_results(&mut self) {
        self.walked = None;
        self.cache.clear();
    }

    /// The files the last scan parsed (not kept from an earlier scan).
    pub fn last_scan_parses(&self) -> usize {
        self.cache.parsed_files
    }

    /// Whether the last scan walked the folder (else it used the last walk).
    pub fn last_scan_walked(&self) -> bool {
        self.walked_last
    }

    /// How long a walk serves scans after buffer edits (a test keeps it
    /// for as long as it runs).
    pub fn keep_walks_for(&mut self, d: std::time::Duration) {
        self.walk_kept_for = d;
    }

    /// Chunks the last scan scanned again whose own files' outcome it kept.
    pub fn last_scan_own_kept(&self) -> usize {
        self.cache.own_kept
    }

    /// (chunks scanned, chunks reused) by the last scan.
    pub fn last_scan_work(&self) -> (usize, usize) {
        (self.cache.scanned, self.cache.reused)
    }

    fn loaded(&mut self) -> Result<Arc<Loaded>, String> {
        if let Some(l) = &self.rules {
            return Ok(l.clone());
        }
        let (config, config_path) =
            find_config(ConfigChoice::default(), &self.anchor).map_err(|e| format!("{e:?}"))?;
        let rules = build_rules(
            &RuleOverrides::default(),
            &config,
            config_path.as_deref(),
            true,
        )
        .map_err(|e| format!("{e:?}"))?;
        let l = Arc::new(Loaded {
            config,
            config_path,
            rules,
        });
        self.rules = Some(l.clone());
        Ok(l)
    }

    /// Scans the folder as `soclint check` would (inline suppressions and
    /// waivers applied, no baseline), reading `open` (absolute path → text)
    /// instead of the files on disk. An open file not yet saved is scanned
    /// too, unless the config excludes it.
    pub fn scan(&mut self, open: &HashMap<PathBuf, Arc<str>>) -> Result<Scanned, String> {
        let loaded = self.loaded()?;
        let Loaded {
            config,
            config_path,
            rules,
        } = &*loaded;
        let roots = vec![Root {
            path: self.root.clone(),
            is_dir: true,
            display_prefix: self.anchor.display(&self.root),
        }];
        let repository = self.anchor.is_repository_root(&self.root);
        let mut opts = scan_options(
            roots,
            repository,
            config,
            &ScanOverrides::default(),
            true,
            false,
        )
        .map_err(|e| format!("{e:?}"))?;
        // a buffer stands in for a file of the folder only: inside it by
        // name and on disk (no directory on the way a link leading out),
        // so no reader of the overlay goes around the root's checks
        let real_root = std::fs::canonicalize(&self.root).ok();
        let inside: HashMap<PathBuf, Arc<str>> = open
            .iter()
            .filter(|(p, _)| {
                p.starts_with(&self.root)
                    && real_root.as_deref().is_some_and(|r| resolves_inside(p, r))
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        opts.parse.overlay = Overlay::new(inside.clone());
        // walking the tree took half of a one-file re-check; a client that
        // does not watch files still sees a new file within WALK_KEPT_FOR
        self.walked_last = false;
        let mut found = match &self.walked {
            Some((found, at)) if at.elapsed() < self.walk_kept_for => found.again(),
            _ => {
                self.walked_last = true;
                let found = scan::discover(&opts);
                self.walked = Some((found.clone(), std::time::Instant::now()));
                found
            }
        };
        for path in inside.keys() {
            let rel = self.reported(path);
            let below = discover::relative_to(path, &self.root).unwrap_or_default();
            let new = !found.files.iter().any(|d| d.rel == rel)
                && std::fs::symlink_metadata(path).is_err()
                && classify_name(&rel) != NameClass::Other
                && !opts.exclude.is_match(&below);
            if new {
                found.files.push(Discovered {
                    path: path.clone(),
                    rel,
                    size: None,
                    root: 0,
                });
            }
        }
        let found_paths = found.files.iter().map(|d| d.rel.clone()).collect();
        if self.cached_today != opts.eval.today {
            self.cache.clear();
            self.cached_today = opts.eval.today;
        }
        let cache = &mut self.cache;
        // an edit to a module that 60 root modules call scans 60 chunks
        // again: on threads kept from scan to scan, with what they memoised
        if self.pool.is_none() {
            self.pool = crate::parallel::kept_pool(opts.threads);
        }
        let mut result = match &self.pool {
            Some(pool) => pool.install(|| scan::scan_found_cached(&opts, rules, found, cache)),
            None => scan::scan_found_cached(&opts, rules, found, cache),
        };
        result.scope = rules.selection.summary.clone();
        let policy = config.unscanned_policy()?;
        filter::apply(
            &mut result,
            &FilterOptions {
                today: opts.eval.today,
                policy,
                waivers: &config.waiver,
                suppressions: config.suppressions,
                config_path: config_display(config_path.as_deref(), &self.anchor.base),
                selection: Some(&rules.selection),
                ..FilterOptions::default()
            },
        );
        Ok(Scanned {
            result,
            found: found_paths,
            opts,
        })
    }

    /// Why an open file the scan reported nothing about was not checked,
    /// if it was not: `None` when it was checked (and is clean).
    pub fn unchecked_reason(&self, scanned: &Scanned, path: &Path, text: &str) -> Option<String> {
        if !self.holds(path) {
            return Some(
                "soclint did not check this file: it is outside the workspace folder".into(),
            );
        }
        let rel = self.reported(path);
        if let Some(s) = scanned.result.skipped.iter().find(|s| s.path == rel) {
            return Some(format!(
                "soclint did not check this file: {} ({})",
                s.reason.what(),
                s.detail
            ));
        }
        if !scanned.found.contains(&rel) {
            let below = discover::relative_to(path, &self.root).unwrap_or_default();
            let why = if classify_name(&rel) == NameClass::Other {
                "it is not a kind of file soclint reads"
            } else if scanned.opts.exclude.is_match(&below) {
                "soclint.toml excludes it (exclude, or a scope out of the audit)"
            } else {
                "the scan did not reach it (an ignore file, a link, or a rule fixture directory)"
            };
            return Some(format!("soclint did not check this file: {why}"));
        }
        // found: read as the scan read it, to tell infrastructure code from
        // a YAML, JSON or Markdown file that holds none
        let mut one = scanned.opts.parse.clone();
        let mut texts = HashMap::new();
        texts.insert(path.to_path_buf(), Arc::<str>::from(text));
        one.overlay = Overlay::new(texts);
        let d = Discovered {
            path: path.to_path_buf(),
            rel: rel.clone(),
            size: None,
            root: 0,
        };
        let l = parse::load(&d, &one);
        (l.kind == FileKind::Other && l.error.is_none() && l.skipped.is_none()).then(|| {
            "soclint did not check this file: it holds no infrastructure code or policy document soclint has rules for"
                .to_string()
        })
    }
}

/// Whether `path`, or the nearest directory above it that exists (a buffer
/// not saved yet), resolves under `real_root` (canonical).
fn resolves_inside(path: &Path, real_root: &Path) -> bool {
    path.ancestors()
        .find(|a| std::fs::symlink_metadata(a).is_ok())
        .and_then(|a| std::fs::canonicalize(a).ok())
        .is_some_and(|real| real.starts_with(real_root))
}

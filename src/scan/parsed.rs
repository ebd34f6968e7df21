//! Files parsed by an earlier scan of the same tree (the language server's),
//! kept until they change: an edit parses the edited file again, not the
//! files of every chunk it makes scan again (the 60 root modules calling an
//! edited module parse neither their own files nor the module's others),
//! and what those chunks' own resources gave, while their parses are kept.
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::discover::{Discovered, FileKind};
use crate::evaluate::ChunkOutcome;
use crate::parse::{self, Loaded, ParseOptions};
use crate::rules::version::ProviderVersions;

/// (root, path as reported, the kind it is read as when not by its name).
type Key = (usize, String, Option<FileKind>);

/// A file's parse, made once: the chunks that read it at the same time
/// wait for the one that parses it, and share it (a chunk copies only a
/// file it changes: a CloudFormation template it resolves).
type Slot = Arc<OnceLock<Arc<Loaded>>>;

/// Parsed files by path; shared by the chunks a scan runs in parallel.
#[derive(Default)]
pub struct Parsed {
    files: Mutex<HashMap<Key, Slot>>,
    /// Files parsed (not kept) since [`Parsed::take_count`].
    count: AtomicUsize,
    /// By chunk (root, directory): what its own files' resources gave.
    own: Mutex<HashMap<(usize, String), Own>>,
    /// Own outcomes kept (not evaluated again) since [`Parsed::take_count`].
    own_kept: AtomicUsize,
}

/// The outcome of a chunk's own resources (before Terraform evaluates them
/// as a root module), with the parses and provider versions it came from.
struct Own {
    files: Vec<Arc<Loaded>>,
    providers: ProviderVersions,
    outcome: ChunkOutcome,
}

impl Parsed {
    /// `d` parsed (as `kind`, or as its name says): kept, or parsed and kept.
    pub fn load(&self, d: &Discovered, kind: Option<FileKind>, opts: &ParseOptions) -> Arc<Loaded> {
        let slot = Slot::clone(
            self.lock()
                .entry((d.root, d.rel.clone(), kind))
                .or_default(),
        );
        slot.get_or_init(|| {
            self.count.fetch_add(1, Ordering::Relaxed);
            Arc::new(match kind {
                Some(kind) => parse::load_as(d, kind, opts),
                None => parse::load(d, opts),
            })
        })
        .clone()
    }

    /// The outcome of chunk `key`'s own resources, made by `evaluate`, or
    /// kept from when it was made from the very same parses (not a copy of
    /// them: the same) and provider versions. A chunk scanned again because
    /// a module it calls changed (60 callers of an edited module) does not
    /// evaluate its own files' resources again.
    pub fn own_outcome(
        &self,
        key: (usize, &str),
        files: &[Arc<Loaded>],
        providers: &ProviderVersions,
        evaluate: impl FnOnce() -> ChunkOutcome,
    ) -> ChunkOutcome {
        let same = |o: &Own| {
            o.files.len() == files.len()
                && o.files.iter().zip(files).all(|(a, b)| Arc::ptr_eq(a, b))
                && o.providers == *providers
        };
        let k = (key.0, key.1.to_string());
        if let Some(o) = self.lock_own().get(&k).filter(|o| same(o)) {
            self.own_kept.fetch_add(1, Ordering::Relaxed);
            return o.outcome.clone();
        }
        let outcome = evaluate();
        self.lock_own().insert(
            k,
            Own {
                files: files.to_vec(),
                providers: providers.clone(),
                outcome: outcome.clone(),
            },
        );
        outcome
    }

    /// How many files were parsed, and how many chunks' own outcomes were
    /// kept, since the last call.
    pub fn take_count(&self) -> (usize, usize) {
        (
            self.count.swap(0, Ordering::Relaxed),
            self.own_kept.swap(0, Ordering::Relaxed),
        )
    }

    /// The file `rel` changed: parsed again when next read.
    pub fn changed(&mut self, rel: &str) {
        self.files
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(_, r, _), _| r != rel);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        // a panic while holding it leaves a whole map: use it
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_own(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, String), Own>> {
        self.own
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How a chunk reads a file: through the kept parses, or afresh (`check`).
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub parsed: Option<&'a Parsed>,
    /// The files of the Terraform modules chunks call, parsed once for the
    /// whole scan (`check`): 60 wrappers calling one module do not parse it
    /// 60 times.
    pub modules: Option<&'a Parsed>,
    pub opts: &'a ParseOptions,
}

impl Reader<'_> {
    pub fn load(&self, d: &Discovered) -> Arc<Loaded> {
        match self.parsed {
            Some(p) => p.load(d, None, self.opts),
            None => Arc::new(parse::load(d, self.opts)),
        }
    }

    /// A file of a module a chunk calls.
    pub fn load_module(&self, d: &Discovered) -> Arc<Loaded> {
        match self.parsed.or(self.modules) {
            Some(p) => p.load(d, None, self.opts),
            None => Arc::new(parse::load(d, self.opts)),
        }
    }

    /// [`Parsed::own_outcome`] with kept parses; `evaluate()` without.
    pub fn own_outcome(
        &self,
        key: (usize, &str),
        files: &[Arc<Loaded>],
        providers: &ProviderVersions,
        evaluate: impl FnOnce() -> ChunkOutcome,
    ) -> ChunkOutcome {
        match self.parsed {
            Some(p) => p.own_outcome(key, files, providers, evaluate),
            None => evaluate(),
        }
    }

    pub fn load_as(&self, d: &Discovered, kind: FileKind) -> Arc<Loaded> {
        match self.parsed {
            Some(p) => p.load(d, Some(kind), self.opts),
            None => Arc::new(parse::load_as(d, kind, self.opts)),
        }
    }
}

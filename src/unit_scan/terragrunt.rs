//! A directory with a `terragrunt.hcl`: the Terraform module its
//! `terraform { source }` names (a directory of the scan) is evaluated as
//! this directory's root module, with the configuration's `inputs` as its
//! variables; without a source, the `.tf` files beside it are. A finding on
//! a value the inputs set points at the input; the `source` line is shown
//! as the way there. A source outside the tree, or not known statically,
//! leaves the configuration not evaluated, and the report says so.
use crate::discover::{Discovered, FileKind};
use crate::document::{FileSpan, LineIndex, SetBy};
use crate::evaluate::locate_span;
use crate::finding::Notice;
use crate::parse::{self, Loaded, ParseOptions};
use crate::terraform::module::RootInputs;
use crate::terraform::terragrunt::{self, Config, ConfigFile, Source, Tree};
use crate::terraform::Output;
use crate::unscanned::{Reason, Skipped};

/// A `terragrunt.hcl` of the chunk, evaluated.
pub struct Terragrunt {
    /// Its index among the chunk's files.
    pub index: usize,
    pub rel: String,
    pub config: Config,
    /// The files it read (`include`, `read_terragrunt_config`), indexed
    /// after the chunk's own files.
    pub files: Vec<Loaded>,
}

/// The chunk's `terragrunt.hcl`, if it has one that parsed; `find` gives a
/// file of the scan by its path (the only files read: never outside the
/// tree, never through a link discovery did not follow).
pub fn evaluate<'d>(
    loaded: &[std::sync::Arc<Loaded>],
    parse_opts: &ParseOptions,
    repo_root: bool,
    find: &dyn Fn(&str) -> Option<&'d Discovered>,
) -> Option<Terragrunt> {
    let index = loaded
        .iter()
        .position(|f| f.kind == FileKind::Terragrunt && f.error.is_none())?;
    let f = &loaded[index];
    let (text, doc) = (f.text.as_ref()?, f.docs.first()?);
    let read = |rel: &str| -> Option<ConfigFile> {
        let l = parse::load_as(find(rel)?, FileKind::Terragrunt, parse_opts);
        if l.error.is_some() {
            return None;
        }
        Some(ConfigFile {
            rel: rel.to_string(),
            text: l.text?,
            doc: l.docs.into_iter().next()?,
        })
    };
    let exists = |rel: &str| find(rel).is_some();
    let tree = Tree {
        read: &read,
        exists: &exists,
        repo_root,
    };
    let config = terragrunt::evaluate(index, &f.rel, text, doc, loaded.len(), &tree);
    let files = config
        .files
        .iter()
        .map(|c| {
            let mut l = Loaded::placeholder(
                &Discovered {
                    path: std::path::PathBuf::new(),
                    rel: c.rel.clone(),
                    size: Some(c.text.len() as u64),
                    root: f.root,
                },
                FileKind::Terragrunt,
            );
            l.text = Some(std::sync::Arc::clone(&c.text));
            l
        })
        .collect();
    Some(Terragrunt {
        index,
        rel: f.rel.clone(),
        config,
        files,
    })
}

impl Terragrunt {
    /// The module directory to evaluate instead of the chunk's own `dir`.
    pub fn module(&self, dir: &str) -> Option<String> {
        match &self.config.source {
            Source::Local(d) if d != dir => Some(d.clone()),
            _ => None,
        }
    }

    /// The inputs as the root module's variable values, below what the
    /// variable files and the command line set (Terragrunt passes them as
    /// `TF_VAR_` variables, which Terraform ranks lowest).
    pub fn add_inputs(&self, values: &mut RootInputs, all: &[&Loaded]) {
        for (name, value, file) in &self.config.inputs {
            let shown = all.get(*file).map_or(self.rel.as_str(), |f| f.rel.as_str());
            let shown = shown.rsplit('/').next().unwrap_or(shown);
            let set_by = SetBy::new(
                Some(FileSpan::new(*file, value.span)),
                format!("input `{name}` in {shown}"),
            );
            values
                .entry(name.clone())
                .or_insert_with(|| (value.clone(), set_by));
        }
    }

    /// The module `dir` was evaluated as this configuration's: it is not a
    /// root of its own, and its findings show the `source` they came through
    /// (not those of the `.tf` files beside the configuration, the files
    /// indexed below `beside`).
    pub fn called_from(&self, out: &mut Output, dir: &str, beside: usize) {
        out.called.insert(dir.to_string());
        if let Some(at) = self.config.source_at {
            for r in out.resources.iter_mut().filter(|r| r.file >= beside) {
                r.related.insert(0, at);
            }
        }
    }

    /// What could not be read or known, at its line.
    pub fn notices(&self, all: &[&Loaded]) -> Vec<Notice> {
        self.config
            .notices
            .iter()
            .filter_map(|(file, span, message)| {
                let f = all.get(*file)?;
                let t = f.text.as_ref()?;
                let loc = locate_span(&LineIndex::new(t), t, *span);
                Some(Notice {
                    path: f.rel.clone(),
                    message: format!("{}:{}: {message}", loc.start_line, loc.start_column),
                })
            })
            .collect()
    }

    /// Why no module was evaluated for this configuration (`has_tf`: the
    /// directory has Terraform files of its own).
    pub fn not_evaluated(&self, has_tf: bool, module_found: bool) -> Option<Skipped> {
        let detail = match &self.config.source {
            Source::Beside if has_tf => return None,
            Source::Beside => "no `terraform { source }` and no Terraform files beside it: nothing to evaluate (a configuration other ones include is read where they include it)".to_string(),
            Source::Local(_) if module_found => return None,
            Source::Local(d) => format!(
                "its terraform source `{d}` is no directory of Terraform files in the scan; not evaluated"
            ),
            // never with a token the address may carry
            Source::Remote(s) => format!(
                "its terraform source `{}` is not in this repository; not evaluated",
                crate::escape::url_without_credentials(s)
            ),
            Source::Unknown(s) => format!(
                "its terraform source `{s}` is not known statically; not evaluated"
            ),
            Source::Outside(s) => format!(
                "its terraform source `{s}` is outside the scanned directory; not evaluated (scan a directory that holds both, such as the repository's root)"
            ),
        };
        Some(Skipped::new(&self.rel, Reason::NotEvaluated, detail))
    }
}

//! The node a finding's rule tested, found again in the file's text: the
//! file is parsed and its resources extracted as the scan did, and the one
//! resource with the finding's name and header is the subject. A fix that
//! adds or removes a key edits that node and nothing else.
use crate::discover::FileKind;
use crate::document::Node;
use crate::extract::ReferenceIndex;
use crate::extract::{self, Resource};
use crate::finding::Finding;
use crate::parse::{load_bytes, ParseOptions};
use crate::rules::eval::{ByScopeType, Context, Verdict};
use crate::rules::scan_scope::Hypothesis;
use crate::rules::{Cond, Settings};
use crate::target::Target;

/// The parsed documents of a text, kept so the subject can borrow them.
pub struct Parsed {
    kind: FileKind,
    docs: Vec<Node>,
}

impl Parsed {
    /// `text` (the text of `f.path`) parsed as the kind of file `f`'s rule
    /// reads; `None` when it does not parse cleanly.
    pub fn of(f: &Finding, text: &str) -> Option<Parsed> {
        let kind = kind_of(f.rule.target, &f.path)?;
        let loaded = load_bytes(
            &f.path,
            0,
            kind,
            text.as_bytes().to_vec(),
            &ParseOptions::default(),
        );
        if loaded.error.is_some() || loaded.skipped.is_some() || loaded.docs.is_empty() {
            return None;
        }
        Some(Parsed {
            kind: loaded.kind,
            docs: loaded.docs,
        })
    }

    /// The body of the resource `f` is about: the one with its name, or of
    /// several (a name repeated in a multi-document file) the one whose
    /// header `f` points at (as a finding about a missing key does), or
    /// whose body holds `f`'s value. `None` when that is not one resource.
    pub fn subject(&self, f: &Finding) -> Option<&Node> {
        let found = self.resources();
        let i = Self::pick(&found, f)?;
        Some(found[i].body)
    }

    /// Whether `cond` holds on the subject of `f`, evaluated as a rule's
    /// `where` is, with this file as the whole scan (no relations to other
    /// files, no Terraform variables).
    pub fn holds(&self, f: &Finding, cond: &Cond, text: &str) -> bool {
        let found = self.resources();
        let Some(i) = Self::pick(&found, f) else {
            return false;
        };
        let ctx = Context {
            references: ReferenceIndex::build(&found, &Default::default()),
            resources: &found,
            by_scope_type: ByScopeType::new(&found),
            vars: Default::default(),
            providers: Default::default(),
            repo_files: &[],
            today: 0,
            settings: Settings::default(),
            file_texts: vec![Some(text)],
            record_unknowns: false,
        };
        let res = &found[i];
        ctx.eval(&Hypothesis::closed(), res, res.body, cond).verdict == Verdict::Pass
    }

    fn resources(&self) -> Vec<Resource<'_>> {
        let mut found = Vec::new();
        extract::extract(self.kind, &self.docs, 0, 0, &mut found);
        found
    }

    /// The index of `f`'s resource in `found`.
    fn pick(found: &[Resource], f: &Finding) -> Option<usize> {
        let span = f.span()?;
        let named: Vec<usize> = (0..found.len())
            .filter(|&i| found[i].name() == &*f.resource)
            .collect();
        let hits: Vec<usize> = if named.len() > 1 {
            named
                .into_iter()
                .filter(|&i| {
                    let r = &found[i];
                    r.header == span
                        || (r.body.span.start <= span.start && span.end <= r.body.span.end)
                })
                .collect()
        } else {
            named
        };
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The documents, to learn the file's indentation from.
    pub fn docs(&self) -> &[Node] {
        &self.docs
    }
}

/// The kind of file a rule of `target` reads at `path` (those a key-based
/// fix can edit: YAML and JSON inputs).
fn kind_of(target: Target, path: &str) -> Option<FileKind> {
    Some(match target {
        Target::Kubernetes => FileKind::Kubernetes,
        Target::Cloudformation => FileKind::Cloudformation,
        Target::Arm => FileKind::Arm,
        Target::GithubActions if path.contains(".github/workflows/") => FileKind::GithubWorkflow,
        Target::GithubActions => FileKind::GithubAction,
        Target::GitlabCi => FileKind::GitlabCi,
        Target::DockerCompose => FileKind::Compose,
        Target::Dockerfile => FileKind::Dockerfile,
        _ => return None,
    })
}

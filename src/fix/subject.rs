//! The node a finding's rule tested, found again in the file's text: the
//! file is parsed and its resources extracted as the scan did, and the one
//! resource with the finding's name and header is the subject. A fix that
//! adds or removes a key edits that node and nothing else.
use crate::discover::FileKind;
use crate::document::Node;
use crate::extract::{self, Resource};
use crate::finding::Finding;
use crate::parse::{load_bytes, ParseOptions};
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
        let mut found: Vec<Resource> = Vec::new();
        extract::extract(self.kind, &self.docs, 0, 0, &mut found);
        let span = f.span?;
        found.retain(|r| r.name() == f.resource);
        if found.len() > 1 {
            found.retain(|r| {
                r.header == span || (r.body.span.start <= span.start && span.end <= r.body.span.end)
            });
        }
        match found.as_slice() {
            [one] => Some(one.body),
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

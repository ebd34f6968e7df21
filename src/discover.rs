//! Discovery: a gitignore-aware parallel walk of the scanned roots, and the
//! classification of each file by name (content decides later for YAML/JSON/Markdown).
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::target::Target;

/// What a file is, once known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Terraform,
    TerraformJson,
    Cloudformation,
    Kubernetes,
    GithubWorkflow,
    GithubAction,
    Compose,
    Dockerfile,
    Iam,
    PolicyDocument,
    /// A file under a Helm chart's `templates/`: its chart renders it.
    HelmTemplate,
    /// Not a kind soclint parses; seen only as a repository fact.
    Other,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Terraform => "terraform",
            FileKind::TerraformJson => "terraform-json",
            FileKind::Cloudformation => "cloudformation",
            FileKind::Kubernetes => "kubernetes",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GithubAction => "github-action",
            FileKind::Compose => "docker-compose",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Iam => "iam-policy",
            FileKind::PolicyDocument => "policy-document",
            FileKind::HelmTemplate => "helm-template",
            FileKind::Other => "other",
        }
    }
}

/// What the name alone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameClass {
    Known(FileKind),
    /// YAML: CloudFormation or Kubernetes, decided by content.
    Yaml,
    /// JSON: CloudFormation or an IAM policy, decided by content.
    Json,
    /// Markdown: a policy document when it has front matter.
    Markdown,
    Other,
}

impl NameClass {
    /// Every rule target whose resources a file of this class can yield, once
    /// its content is known (IAM statements come out of Terraform and
    /// CloudFormation too). A scan loads only the rules of these targets.
    pub fn targets(self) -> &'static [Target] {
        use Target as T;
        match self {
            NameClass::Known(kind) => match kind {
                FileKind::Terraform | FileKind::TerraformJson => &[T::Terraform, T::Iam],
                FileKind::Cloudformation => &[T::Cloudformation, T::Iam],
                FileKind::Kubernetes | FileKind::HelmTemplate => &[T::Kubernetes],
                FileKind::GithubWorkflow | FileKind::GithubAction => &[T::GithubActions],
                FileKind::Compose => &[T::DockerCompose],
                FileKind::Dockerfile => &[T::Dockerfile],
                FileKind::Iam => &[T::Iam],
                FileKind::PolicyDocument => &[T::PolicyDocument],
                FileKind::Other => &[],
            },
            NameClass::Yaml => &[T::Cloudformation, T::Kubernetes, T::Iam],
            NameClass::Json => &[T::Cloudformation, T::Iam],
            NameClass::Markdown => &[T::PolicyDocument],
            NameClass::Other => &[],
        }
    }
}

/// The rule targets a scan of these files needs: those their names allow,
/// plus the repository's own rules.
pub fn targets_of(found: &[Discovered]) -> std::collections::BTreeSet<Target> {
    let mut targets = std::collections::BTreeSet::from([Target::Repository]);
    for d in found {
        targets.extend(classify_name(&d.rel).targets().iter().copied());
        if targets.len() == Target::ALL.len() {
            break;
        }
    }
    targets
}

pub fn classify_name(rel: &str) -> NameClass {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    // case-insensitive without a lower-cased copy (asked for every file found)
    let ends = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    let starts = |prefix: &str| {
        name.len() >= prefix.len()
            && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let is_yaml = ends(".yml") || ends(".yaml");
    if ends(".tf") {
        return NameClass::Known(FileKind::Terraform);
    }
    if ends(".tf.json") {
        return NameClass::Known(FileKind::TerraformJson);
    }
    if name == "Dockerfile"
        || name == "Containerfile"
        || ends(".dockerfile")
        || name.starts_with("Dockerfile.")
    {
        return NameClass::Known(FileKind::Dockerfile);
    }
    if is_yaml {
        let parent = rel.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        if parent == ".github/workflows" || parent.ends_with("/.github/workflows") {
            return NameClass::Known(FileKind::GithubWorkflow);
        }
        if name.eq_ignore_ascii_case("action.yml") || name.eq_ignore_ascii_case("action.yaml") {
            return NameClass::Known(FileKind::GithubAction);
        }
        if starts("compose") || starts("docker-compose") {
            return NameClass::Known(FileKind::Compose);
        }
        return NameClass::Yaml;
    }
    if ends(".json") || ends(".template") {
        return NameClass::Json;
    }
    if ends(".md") || ends(".markdown") {
        return NameClass::Markdown;
    }
    NameClass::Other
}

#[derive(Debug, Clone)]
pub struct Discovered {
    pub path: PathBuf,
    /// Relative to its root (or as given), forward slashes.
    pub rel: String,
    /// Known at discovery only for files soclint does not parse (their size is
    /// a repository fact) and files named on the command line: a parsed file's
    /// size comes from the open file, which spares a lookup of its path.
    pub size: Option<u64>,
    /// Index of the root it was found under.
    pub root: usize,
}

/// A root: a directory is walked, a file is taken as it is.
#[derive(Debug, Clone)]
pub struct Root {
    pub path: PathBuf,
    pub is_dir: bool,
    /// A directory: prefix put before paths found under it (empty for a single
    /// root directory). A file: the path it is reported under (empty: as given).
    pub display_prefix: String,
}

pub fn normalise(p: &Path) -> String {
    let s = p.to_string_lossy();
    // one copy, at the end: this runs for every file found
    let s = if s.contains('\\') {
        std::borrow::Cow::Owned(s.replace('\\', "/"))
    } else {
        s
    };
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.trim_end_matches('/').to_string()
}

/// Walks the roots. Returns files sorted by relative path, and problems met on
/// the way (unreadable directories, broken links).
pub fn discover(
    roots: &[Root],
    exclude: &GlobSet,
    threads: usize,
) -> (Vec<Discovered>, Vec<(String, String)>) {
    let (tx, rx) = mpsc::channel::<Result<Discovered, (String, String)>>();
    for (ri, root) in roots.iter().enumerate() {
        if !root.is_dir {
            let rel = if root.display_prefix.is_empty() {
                normalise(&root.path)
            } else {
                root.display_prefix.clone()
            };
            if exclude.is_match(&rel) {
                continue;
            }
            // a file named on the command line (pre-commit, --changed-since) may
            // be a committed symlink to a FIFO or a device: opening a FIFO
            // blocks, and /dev/zero never ends
            let size = match std::fs::metadata(&root.path) {
                Ok(m) if !m.is_file() => {
                    let _ = tx.send(Err((rel, "not a regular file; not scanned".into())));
                    continue;
                }
                Ok(m) => Some(m.len()),
                Err(_) => None, // reading it reports why
            };
            let _ = tx.send(Ok(Discovered {
                path: root.path.clone(),
                rel,
                size,
                root: ri,
            }));
            continue;
        }
        let walker = WalkBuilder::new(&root.path)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .ignore(true)
            .parents(true)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|e| e.file_name() != ".git")
            .build_parallel();
        walker.run(|| {
            let tx = tx.clone();
            let root_path = root.path.clone();
            let prefix = root.display_prefix.clone();
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = match &err {
                            ignore::Error::WithPath { path, .. } => normalise(path),
                            _ => String::new(),
                        };
                        let _ = tx.send(Err((path, err.to_string())));
                        return WalkState::Continue;
                    }
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if !ft.is_file() {
                    return WalkState::Continue;
                }
                let rel_path = entry
                    .path()
                    .strip_prefix(&root_path)
                    .unwrap_or(entry.path());
                let rel = normalise(rel_path);
                let rel = if prefix.is_empty() {
                    rel
                } else {
                    format!("{prefix}/{rel}")
                };
                // (an empty set still builds a candidate path per file)
                if !exclude.is_empty() && exclude.is_match(&rel) {
                    return WalkState::Continue;
                }
                let size = (classify_name(&rel) == NameClass::Other)
                    .then(|| entry.metadata().map(|m| m.len()).unwrap_or(0));
                let _ = tx.send(Ok(Discovered {
                    path: entry.path().to_path_buf(),
                    rel,
                    size,
                    root: ri,
                }));
                WalkState::Continue
            })
        });
    }
    drop(tx);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for item in rx {
        match item {
            Ok(d) => files.push(d),
            Err(p) => problems.push(p),
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel).then(a.root.cmp(&b.root)));
    files.dedup_by(|a, b| a.rel == b.rel);
    problems.sort();
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            classify_name("infra/main.tf"),
            NameClass::Known(FileKind::Terraform)
        );
        assert_eq!(
            classify_name("x.tf.json"),
            NameClass::Known(FileKind::TerraformJson)
        );
        assert_eq!(
            classify_name("Dockerfile"),
            NameClass::Known(FileKind::Dockerfile)
        );
        assert_eq!(
            classify_name("svc/api.Dockerfile"),
            NameClass::Known(FileKind::Dockerfile)
        );
        assert_eq!(
            classify_name("Containerfile"),
            NameClass::Known(FileKind::Dockerfile)
        );
        assert_eq!(
            classify_name(".github/workflows/ci.yml"),
            NameClass::Known(FileKind::GithubWorkflow)
        );
        assert_eq!(
            classify_name("a/.github/workflows/ci.yaml"),
            NameClass::Known(FileKind::GithubWorkflow)
        );
        assert_eq!(
            classify_name("action.yml"),
            NameClass::Known(FileKind::GithubAction)
        );
        assert_eq!(
            classify_name("docker-compose.prod.yml"),
            NameClass::Known(FileKind::Compose)
        );
        assert_eq!(
            classify_name("compose.yaml"),
            NameClass::Known(FileKind::Compose)
        );
        assert_eq!(classify_name("k8s/deploy.yaml"), NameClass::Yaml);
        assert_eq!(classify_name("iam/policy.json"), NameClass::Json);
        assert_eq!(
            classify_name("docs/policies/access.md"),
            NameClass::Markdown
        );
        assert_eq!(classify_name("src/main.rs"), NameClass::Other);
        // names are matched without regard to case, except the exact names
        assert_eq!(
            classify_name("infra/MAIN.TF"),
            NameClass::Known(FileKind::Terraform)
        );
        assert_eq!(
            classify_name("Docker-Compose.YML"),
            NameClass::Known(FileKind::Compose)
        );
        assert_eq!(
            classify_name("ACTION.yaml"),
            NameClass::Known(FileKind::GithubAction)
        );
        assert_eq!(classify_name("README.MD"), NameClass::Markdown);
        assert_eq!(classify_name("dockerfile"), NameClass::Other);
        assert_eq!(classify_name(".tf"), NameClass::Known(FileKind::Terraform));
        assert_eq!(classify_name("tf"), NameClass::Other);
        assert_eq!(normalise(Path::new("./a/b/")), "a/b");
        assert_eq!(normalise(Path::new(".\\a\\b")), "a/b");
    }
}

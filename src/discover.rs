//! Discovery: a parallel walk of the scanned roots that leaves out what git
//! ignores (and does not track), and the
//! classification of each file by name (content decides later for YAML/JSON/Markdown).
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::git::Ignored;
use crate::target::Target;
use crate::unscanned::{Reason, Skipped};

/// What a file is, once known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Terraform,
    TerraformJson,
    Cloudformation,
    /// An Azure Resource Manager template (JSON, comments allowed).
    Arm,
    Kubernetes,
    GithubWorkflow,
    GithubAction,
    /// A GitLab CI pipeline: `.gitlab-ci.yml`, or a file one includes
    /// (`include: local:`) or triggers as a child pipeline.
    GitlabCi,
    Compose,
    Dockerfile,
    Iam,
    PolicyDocument,
    /// A file under a Helm chart's `templates/`: its chart renders it.
    HelmTemplate,
    /// A file a built Kustomize overlay reads (a manifest it lists, a patch,
    /// a generator's input): checked in the build, not on its own.
    KustomizeInput,
    /// `terragrunt.hcl`: evaluated with the Terraform module it points at
    /// (its `inputs` are that module's variables).
    Terragrunt,
    /// Not a kind soclint parses; seen only as a repository fact.
    Other,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Terraform => "terraform",
            FileKind::TerraformJson => "terraform-json",
            FileKind::Cloudformation => "cloudformation",
            FileKind::Arm => "arm",
            FileKind::Kubernetes => "kubernetes",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GithubAction => "github-action",
            FileKind::GitlabCi => "gitlab-ci",
            FileKind::Compose => "docker-compose",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Iam => "iam-policy",
            FileKind::PolicyDocument => "policy-document",
            FileKind::HelmTemplate => "helm-template",
            FileKind::KustomizeInput => "kustomize-input",
            FileKind::Terragrunt => "terragrunt",
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
    /// JSON: CloudFormation, an ARM template, a Kubernetes manifest or an IAM
    /// policy, decided by content.
    Json,
    /// `.template`, CloudFormation's other extension: JSON or YAML, decided by
    /// content, then read as [`NameClass::Json`] or [`NameClass::Yaml`].
    Template,
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
                FileKind::Terraform | FileKind::TerraformJson | FileKind::Terragrunt => {
                    &[T::Terraform, T::Iam]
                }
                FileKind::Cloudformation => &[T::Cloudformation, T::Iam],
                FileKind::Arm => &[T::Arm],
                FileKind::Kubernetes | FileKind::HelmTemplate | FileKind::KustomizeInput => {
                    &[T::Kubernetes]
                }
                FileKind::GithubWorkflow | FileKind::GithubAction => &[T::GithubActions],
                FileKind::GitlabCi => &[T::GitlabCi],
                FileKind::Compose => &[T::DockerCompose],
                FileKind::Dockerfile => &[T::Dockerfile],
                FileKind::Iam => &[T::Iam],
                FileKind::PolicyDocument => &[T::PolicyDocument],
                FileKind::Other => &[],
            },
            NameClass::Yaml => &[T::Cloudformation, T::Kubernetes, T::Iam],
            NameClass::Json | NameClass::Template => {
                &[T::Cloudformation, T::Arm, T::Kubernetes, T::Iam]
            }
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
    // OpenTofu's own extensions hold the same language
    if ends(".tf") || ends(".tofu") {
        return NameClass::Known(FileKind::Terraform);
    }
    if ends(".tf.json") || ends(".tofu.json") {
        return NameClass::Known(FileKind::TerraformJson);
    }
    if name.eq_ignore_ascii_case("terragrunt.hcl") {
        return NameClass::Known(FileKind::Terragrunt);
    }
    // any case: `docker build` takes a `dockerfile` when there is no
    // `Dockerfile`, and case-insensitive file systems take any spelling
    if name.eq_ignore_ascii_case("Dockerfile")
        || name.eq_ignore_ascii_case("Containerfile")
        || ends(".dockerfile")
        || starts("Dockerfile.")
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
        // GitLab reads `.gitlab-ci.yml` (the files it includes are found
        // from there, whatever their names)
        if name.eq_ignore_ascii_case(".gitlab-ci.yml")
            || name.eq_ignore_ascii_case(".gitlab-ci.yaml")
        {
            return NameClass::Known(FileKind::GitlabCi);
        }
        if starts("compose") || starts("docker-compose") {
            return NameClass::Known(FileKind::Compose);
        }
        return NameClass::Yaml;
    }
    if ends(".json") {
        return NameClass::Json;
    }
    if ends(".template") {
        return NameClass::Template;
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
    // one copy, at the end: this runs for every file found
    let s = match p.to_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(display_path(p)),
    };
    // a backslash separates on Windows only: elsewhere it is part of a name,
    // and `infra\main.tf` must not become (and hide behind) `infra/main.tf`
    let s = if cfg!(windows) && s.contains('\\') {
        std::borrow::Cow::Owned(s.replace('\\', "/"))
    } else {
        s
    };
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.trim_end_matches('/').to_string()
}

/// A path for reports; a name that is not UTF-8 shows its invalid bytes as
/// `\xNN` (two such names never look alike, as lossy conversion makes them).
fn display_path(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        crate::unscanned::display_bytes(p.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned()
    }
}

/// The OpenTofu file that replaces a Terraform file, when `exists` says
/// it is there: `main.tofu` for `main.tf`, `main.tofu.json` for
/// `main.tf.json` (OpenTofu then ignores the `.tf` file).
pub fn tofu_override(rel: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let lower = rel.to_ascii_lowercase();
    let stem_len = if lower.ends_with(".tf.json") {
        rel.len() - ".tf.json".len()
    } else if lower.ends_with(".tf") {
        rel.len() - ".tf".len()
    } else {
        return None;
    };
    let ext = if lower.ends_with(".json") {
        ".tofu.json"
    } else {
        ".tofu"
    };
    let tofu = format!("{}{ext}", &rel[..stem_len]);
    exists(&tofu).then_some(tofu)
}

/// A format that holds infrastructure code, named so, that soclint does
/// not read: what the reports say of it.
pub fn unsupported_format(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let detail = if lower.ends_with(".bicep") || lower.ends_with(".bicepparam") {
        "Azure Bicep: not read by soclint"
    } else if lower == "terragrunt.hcl.json" {
        "Terragrunt configuration in JSON: not evaluated (terragrunt.hcl is); the Terraform modules it points at are scanned where they are in this repository"
    } else if lower.ends_with(".jsonnet") || lower.ends_with(".libsonnet") {
        "Jsonnet: not evaluated by soclint"
    } else {
        return None;
    };
    Some(detail)
}

/// Whether reports name a file of this name that could not be scanned:
/// a kind soclint reads, or a format of [`unsupported_format`]; other files
/// (images, source code) are not worth a word.
pub fn looks_like_iac(rel: &str) -> bool {
    classify_name(rel) != NameClass::Other || unsupported_format(rel).is_some()
}

/// Whether a directory (relative to the scanned root) is a rule fixture
/// case, `<target>/<RULE-ID>/fail` or `pass`, as `soclint test` lays them
/// out: the files there break or pass a rule on purpose. Only directories
/// below the scanned root count, so scanning a case directory itself still
/// scans it.
fn is_rule_fixture_case(below_root: &Path) -> bool {
    let parts: Vec<&str> = below_root
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    let [.., target, id, case] = parts.as_slice() else {
        return false;
    };
    let rule_id = id.contains('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    matches!(*case, "fail" | "pass") && rule_id && Target::parse(target).is_some()
}

/// Whether a file or directory is an asset the AWS CDK staged in a cloud
/// assembly (`cdk.out/asset.<sha256>`, `asset.<sha256>.zip`): a copy of the
/// app's code or Docker build context made by `cdk synth`, which would
/// report the repository's own files a second time under a hash.
fn is_cdk_asset(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("asset.") else {
        return false;
    };
    let hash = rest.split_once('.').map_or(rest, |(h, _)| h);
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the walk sends back for one entry.
enum Entry {
    File(Discovered),
    /// A symbolic link (not followed by the walk): resolved once every
    /// file is known.
    Link {
        path: PathBuf,
        rel: String,
        root: usize,
    },
    Skipped(Skipped),
    /// A problem that is not about one file (an ignore file that does not parse).
    Problem(String, String),
}

/// What discovery found: the files to scan, sorted by relative path; what it
/// passed over; and problems that concern no one file.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<Discovered>,
    pub skipped: Vec<Skipped>,
    pub problems: Vec<(String, String)>,
}

/// `path` made absolute against the working directory, with `.` and `..`
/// resolved lexically (no link is followed: only where the path is written to
/// point matters, for naming files relative to a repository root).
pub fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The root of the repository `dir` belongs to, found as git finds it: the
/// nearest directory at or above it that holds `.git` (a directory, or the
/// file a worktree or submodule has). Absolute; `None` outside a repository.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    absolute(dir)
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// `path` relative to `base` (both as [`absolute`] makes them), forward
/// slashes, `""` for `base` itself; `None` when `path` is not under `base`.
pub fn relative_to(path: &Path, base: &Path) -> Option<String> {
    absolute(path)
        .strip_prefix(absolute(base))
        .ok()
        .map(normalise)
}

/// Walks the roots. Returns files sorted by relative path, what was passed
/// over (links, devices, unreadable entries, names that are not UTF-8,
/// formats soclint does not read) and problems met on the way.
pub fn discover(roots: &[Root], exclude: &GlobSet, threads: usize) -> Discovery {
    let (tx, rx) = mpsc::channel::<Entry>();
    for (ri, root) in roots.iter().enumerate() {
        if !root.is_dir {
            named_file(ri, root, exclude, &tx);
            continue;
        }
        let left_out = git_ignored(&root.path);
        let ignored_root = root.path.clone();
        // the walk itself reads no ignore file: git decides (see git_ignored)
        let walker = WalkBuilder::new(&root.path)
            .standard_filters(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(move |e| {
                e.file_name() != ".git"
                    && (left_out.is_empty()
                        || !e
                            .path()
                            .strip_prefix(&ignored_root)
                            .is_ok_and(|rel| left_out.contains(rel)))
            })
            .build_parallel();
        walker.run(|| {
            let tx = tx.clone();
            let root_path = root.path.clone();
            let walk_root = root.path.clone();
            let prefix = root.display_prefix.clone();
            let rel_of = move |path: &Path| {
                let rel = normalise(path.strip_prefix(&root_path).unwrap_or(path));
                if prefix.is_empty() {
                    rel
                } else if rel.is_empty() {
                    prefix.clone()
                } else {
                    format!("{prefix}/{rel}")
                }
            };
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let _ = tx.send(walk_error(&err, &rel_of));
                        return WalkState::Continue;
                    }
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if ft.is_dir() {
                    let below = entry.path().strip_prefix(&walk_root).unwrap_or(entry.path());
                    if is_rule_fixture_case(below) {
                        let rel = rel_of(entry.path());
                        let s = Skipped::new(
                            format!("{rel}/"),
                            Reason::RuleFixture,
                            "a rule's test case (<target>/<RULE-ID>/fail or pass): input made to break or pass a rule",
                        );
                        let _ = tx.send(Entry::Skipped(s));
                        return WalkState::Skip;
                    }
                }
                // (a path named on the command line is scanned whatever its name)
                if entry.depth() > 0 && entry.file_name().to_str().is_some_and(is_cdk_asset)
                {
                    let rel = rel_of(entry.path());
                    let slash = if ft.is_dir() { "/" } else { "" };
                    let s = Skipped::new(
                        format!("{rel}{slash}"),
                        Reason::CdkAsset,
                        "an asset `cdk synth` staged (a copy of the app's code or Docker context), not the repository's source",
                    );
                    let _ = tx.send(Entry::Skipped(s));
                    return WalkState::Skip;
                }
                if ft.is_dir() {
                    return WalkState::Continue;
                }
                let rel = rel_of(entry.path());
                // (an empty set still builds a candidate path per file)
                if !exclude.is_empty() && exclude.is_match(&rel) {
                    return WalkState::Continue;
                }
                let _ = tx.send(if ft.is_file() {
                    walked_file(entry.path(), rel, ri, || {
                        entry.metadata().map(|m| m.len()).unwrap_or(0)
                    })
                } else if ft.is_symlink() {
                    Entry::Link {
                        path: entry.path().to_path_buf(),
                        rel,
                        root: ri,
                    }
                } else if looks_like_iac(&rel) {
                    Entry::Skipped(not_regular(rel))
                } else {
                    return WalkState::Continue;
                });
                WalkState::Continue
            })
        });
    }
    drop(tx);
    let mut out = Discovery::default();
    let mut links = Vec::new();
    for item in rx {
        match item {
            Entry::File(d) => out.files.push(d),
            Entry::Link { path, rel, root } => links.push((path, rel, root)),
            Entry::Skipped(s) => out.skipped.push(s),
            Entry::Problem(p, m) => out.problems.push((p, m)),
        }
    }
    if !links.is_empty() {
        resolve_links(roots, links, &mut out);
    }
    out.files
        .sort_by(|a, b| a.rel.cmp(&b.rel).then(a.root.cmp(&b.root)));
    // the same file reached twice (two roots naming it) is scanned once;
    // two files are never merged because their names look alike
    out.files
        .dedup_by(|a, b| a.rel == b.rel && a.path == b.path);
    out.skipped.sort();
    out.skipped
        .dedup_by(|a, b| a.path == b.path && a.reason == b.reason);
    out.problems.sort();
    out
}

/// What a walk of `dir` leaves out: the files and directories git ignores
/// and does not track, relative to `dir`. The walk does not read ignore
/// files itself: git reads `.gitignore` never through a link (a committed
/// `.gitignore` linked to `/dev/zero` or a FIFO hung or exhausted the walk),
/// and a file git tracks is scanned whatever an ignore file says (a pull
/// request adding `*.tf` to `.gitignore` hid every Terraform file). Outside
/// a git work tree ignore files mean nothing, as to git, and every file is
/// scanned; `.ignore` files (a ripgrep convention) never count. A directory
/// named to be scanned inside one git ignores is scanned whole. When git
/// cannot say (not installed, a `.git` it does not take for a repository),
/// nothing is left out: the scan covers more, never less.
fn git_ignored(dir: &Path) -> HashSet<PathBuf> {
    match crate::git::Git::new(dir).ignored_untracked() {
        Ok(Some(Ignored::Below(names))) => names.into_iter().map(path_from_bytes).collect(),
        // a directory git ignores as a whole was named to be scanned: all
        // of it is; and when git cannot say, nothing is left out
        Ok(None | Some(Ignored::Itself)) | Err(_) => HashSet::new(),
    }
}

#[cfg(unix)]
fn path_from_bytes(name: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(name))
}

#[cfg(not(unix))]
fn path_from_bytes(name: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&name).replace('/', "\\"))
}

/// A regular file the walk found: to scan, unless its name is not UTF-8 or
/// names a format soclint does not read (it is still a repository fact).
fn walked_file(path: &Path, rel: String, root: usize, size: impl FnOnce() -> u64) -> Entry {
    let class = classify_name(&rel);
    if class != NameClass::Other && path.to_str().is_none() {
        return Entry::Skipped(non_utf8(rel));
    }
    if matches!(
        class,
        NameClass::Other | NameClass::Json | NameClass::Template
    ) {
        if let Some(detail) = unsupported_format(&rel) {
            return Entry::Skipped(Skipped::new(rel, Reason::Unsupported, detail));
        }
    }
    Entry::File(Discovered {
        path: path.to_path_buf(),
        size: (class == NameClass::Other).then(size),
        rel,
        root,
    })
}

fn non_utf8(rel: String) -> Skipped {
    Skipped::new(
        rel,
        Reason::NonUtf8Name,
        "its name is not valid UTF-8, so no report could name it; Terraform and kubectl would still read it",
    )
}

fn not_regular(rel: String) -> Skipped {
    Skipped::new(
        rel,
        Reason::NotRegularFile,
        "a FIFO, socket or device, not a regular file; not opened",
    )
}

/// A file named on the command line (pre-commit, `--changed-since`): never
/// opened through a link (it could point anywhere), nor when it is a FIFO
/// (opening blocks) or a device (`/dev/zero` never ends).
fn named_file(ri: usize, root: &Root, exclude: &GlobSet, tx: &mpsc::Sender<Entry>) {
    let rel = if root.display_prefix.is_empty() {
        normalise(&root.path)
    } else {
        root.display_prefix.clone()
    };
    if exclude.is_match(&rel) {
        return;
    }
    let entry = match std::fs::symlink_metadata(&root.path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(&root.path)
                .map(|t| display_path(&t))
                .unwrap_or_default();
            Entry::Skipped(Skipped::new(
                rel,
                Reason::Symlink,
                format!("a link to `{target}`; a file named on the command line is not read through a link"),
            ))
        }
        Ok(m) if !m.is_file() => Entry::Skipped(not_regular(rel)),
        Ok(m) => match walked_file(&root.path, rel, ri, || m.len()) {
            Entry::File(mut d) => {
                d.size = Some(m.len());
                Entry::File(d)
            }
            other => other,
        },
        // reading it reports why
        Err(_) => Entry::File(Discovered {
            path: root.path.clone(),
            rel,
            size: None,
            root: ri,
        }),
    };
    let _ = tx.send(entry);
}

/// The walk could not read an entry: a path too long, a directory without
/// permission, a link loop; or an ignore file did not parse.
fn walk_error(err: &ignore::Error, rel_of: &dyn Fn(&Path) -> String) -> Entry {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    let Some(path) = path_of(err) else {
        return Entry::Problem(String::new(), err.to_string());
    };
    let mut rel = rel_of(path);
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        rel.push('/');
    }
    let detail = err
        .io_error()
        .map_or_else(|| err.to_string(), ToString::to_string);
    let reason = match err.io_error().map(std::io::Error::kind) {
        _ if matches!(err, ignore::Error::Loop { .. }) => Reason::Symlink,
        Some(std::io::ErrorKind::InvalidFilename) => Reason::PathTooLong,
        Some(_) => Reason::Unreadable,
        None if err.is_io() => Reason::Unreadable,
        None => return Entry::Problem(rel, err.to_string()),
    };
    Entry::Skipped(Skipped::new(rel, reason, detail))
}

/// The symbolic links the walk met: a link to a file that is scanned itself
/// (inside the root, not ignored or excluded) is scanned under the link's
/// name too, as Terraform and kubectl read it; any other link is reported.
fn resolve_links(roots: &[Root], links: Vec<(PathBuf, String, usize)>, out: &mut Discovery) {
    let scanned: std::collections::HashSet<(usize, &str)> =
        out.files.iter().map(|d| (d.root, d.rel.as_str())).collect();
    let canonical: Vec<Option<PathBuf>> =
        roots.iter().map(|r| r.path.canonicalize().ok()).collect();
    let mut found = Vec::new();
    for (path, rel, ri) in links {
        let target = std::fs::canonicalize(&path);
        let written = std::fs::read_link(&path)
            .map(|t| display_path(&t))
            .unwrap_or_default();
        let inside = match (&target, &canonical[ri]) {
            (Ok(t), Some(root)) => t.strip_prefix(root).ok().map(normalise),
            _ => None,
        };
        let meta = target.as_ref().ok().and_then(|t| t.metadata().ok());
        let is_dir = meta.as_ref().is_some_and(std::fs::Metadata::is_dir);
        let target_rel = inside.map(|r| match roots[ri].display_prefix.as_str() {
            "" => r,
            p => format!("{p}/{r}"),
        });
        let detail = match (target, target_rel, meta) {
            (Ok(t), Some(tr), Some(m)) => {
                if m.is_dir() {
                    // a directory inside the root is scanned where it is
                    continue;
                }
                if m.is_file() && scanned.contains(&(ri, tr.as_str())) {
                    found.push(Discovered {
                        path: t,
                        rel,
                        size: None,
                        root: ri,
                    });
                    continue;
                }
                if m.is_file() {
                    format!("a link to `{tr}`, which is not scanned itself (ignored, excluded or under .git)")
                } else {
                    format!("a link to `{tr}`, which is not a regular file")
                }
            }
            (Ok(_), None, Some(m)) if m.is_dir() => {
                format!("a link to the directory `{written}`, outside the scanned directory")
            }
            (Ok(_), None, Some(_)) => {
                format!("a link to `{written}`, outside the scanned directory")
            }
            _ => format!("a link to `{written}`, which does not exist"),
        };
        if is_dir || looks_like_iac(&rel) {
            let rel = if is_dir { format!("{rel}/") } else { rel };
            out.skipped.push(Skipped::new(rel, Reason::Symlink, detail));
        }
    }
    for mut d in found {
        if classify_name(&d.rel) == NameClass::Other {
            d.size = Some(std::fs::metadata(&d.path).map_or(0, |m| m.len()));
        }
        out.files.push(d);
    }
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
        assert_eq!(
            classify_name(".gitlab-ci.yml"),
            NameClass::Known(FileKind::GitlabCi)
        );
        assert_eq!(
            classify_name("services/api/.gitlab-ci.yaml"),
            NameClass::Known(FileKind::GitlabCi)
        );
        // an included file is a pipeline because a pipeline includes it
        assert_eq!(classify_name("ci/build.gitlab-ci.yml"), NameClass::Yaml);
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
        // `docker build` takes a `dockerfile` when there is no `Dockerfile`
        assert_eq!(
            classify_name("dockerfile"),
            NameClass::Known(FileKind::Dockerfile)
        );
        assert_eq!(classify_name("mydockerfile"), NameClass::Other);
        assert_eq!(classify_name(".tf"), NameClass::Known(FileKind::Terraform));
        assert_eq!(classify_name("tf"), NameClass::Other);
        assert_eq!(normalise(Path::new("./a/b/")), "a/b");
        // a backslash separates only on Windows; elsewhere it is part of a name
        if cfg!(windows) {
            assert_eq!(normalise(Path::new(".\\a\\b")), "a/b");
        } else {
            assert_eq!(normalise(Path::new("a\\main.tf")), "a\\main.tf");
        }
    }

    /// The repository root is the nearest directory holding `.git` (a
    /// directory or a worktree's file); paths are named from it.
    #[test]
    fn repository_roots_are_found_like_git() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("infra/modules")).expect("mkdir");
        assert_eq!(repository_root(&root.join("infra")), None);
        std::fs::write(root.join(".git"), "gitdir: /elsewhere\n").expect("write");
        let found = repository_root(&root.join("infra/modules")).expect("found");
        assert_eq!(found, absolute(&root));
        assert_eq!(
            relative_to(&root.join("infra/./modules/../modules"), &root).as_deref(),
            Some("infra/modules")
        );
        assert_eq!(relative_to(&root, &root).as_deref(), Some(""));
        assert_eq!(relative_to(tmp.path(), &root), None);
    }
}

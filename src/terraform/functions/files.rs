//! Filesystem functions (`file`, `fileexists`, `fileset`, `filebase64`,
//! `file*sha*`, `filemd5`; `templatefile` reads through [`Files::read_text`])
//! and path functions.
//!
//! The scanned repository is untrusted: a path is read only when it stays
//! inside the scanned root once joined to the root module's directory and
//! normalised (no absolute path, no `..` above the root, no symlink leading
//! out), and only under `--max-file-size`. A refused path makes the value
//! unknown with a notice; a missing file is an error, as in Terraform.
//!
//! In the language server a file open in the editor is read from its
//! buffer (the parse options' [`Overlay`]), saved or not, under the same
//! checks: the path is resolved and refused exactly as for the file on
//! disk (a buffer not on disk yet: its nearest existing directory must
//! resolve inside the root), and the size cap applies to the buffer's text.
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;

use super::{all_known, arity, string};
use crate::document::{Node, Span, Value};
use crate::parse::Overlay;
use crate::terraform::value::{error, Fail, Outcome, MAX_ELEMENTS};

/// Where the file functions may read: the scanned root, the root module's
/// directory in it (Terraform resolves relative paths from there) and the
/// size cap.
#[derive(Debug, Clone)]
pub struct Files {
    /// The scanned root, canonical.
    root: PathBuf,
    /// The root module's directory, relative to `root` (forward slashes).
    cwd: String,
    max_size: u64,
    /// Every path asked for (read, tested or listed), relative to `root`,
    /// shared by the clones: what a cached result depends on.
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Open buffers read instead of the files (empty outside the language
    /// server), by the path discovery gives a file: `given` joined with
    /// the path relative to the root.
    overlay: Overlay,
    /// The scanned root as given (not resolved): what overlay paths start with.
    given: PathBuf,
}

/// A path resolved inside the root.
struct Located {
    /// On disk, under the canonical root.
    full: PathBuf,
    /// As the overlay names it.
    key: PathBuf,
    /// Something is there: on disk, or a buffer.
    present: bool,
}

impl Files {
    /// `root` is the scanned root, already canonical (the scan resolves it
    /// once, not once per directory: each `canonicalize` is a `readlink` per
    /// path component).
    pub fn new(root: &Path, module_dir: &str, max_size: u64) -> Files {
        Files {
            root: root.to_path_buf(),
            cwd: module_dir.to_string(),
            max_size,
            asked: Default::default(),
            overlay: Overlay::default(),
            given: root.to_path_buf(),
        }
    }

    /// Reads the buffers of `overlay` in place of the files at their paths;
    /// `given` is the scanned root as discovery joins file paths to it.
    pub fn with_overlay(mut self, given: &Path, overlay: Overlay) -> Files {
        self.given = given.to_path_buf();
        self.overlay = overlay;
        self
    }

    /// The paths asked for so far (relative to the root; a directory for
    /// `fileset`), in the order asked.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// The path inside the root, or a refusal (a [`Fail::Limit`] naming it).
    fn resolve(&self, path: &str) -> Result<Located, Fail> {
        self.locate(path)
    }

    /// As [`Files::resolve`], and whether anything is there (so that reading
    /// a missing file, the usual answer for `.terraform/modules/modules.json`
    /// in every Terraform directory, costs one `lstat` and no `open`).
    fn locate(&self, path: &str) -> Result<Located, Fail> {
        let refuse = |why: &str| Err(Fail::Limit(format!("{path:?}: {why}; not read")));
        if Path::new(path).is_absolute() || path.starts_with('~') {
            return refuse("an absolute path, outside the scanned tree");
        }
        let mut parts: Vec<String> = Vec::new();
        let joined = if self.cwd.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.cwd)
        };
        for c in Path::new(&joined).components() {
            match c {
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.pop().is_none() {
                        return refuse("the path leaves the scanned tree");
                    }
                }
                _ => return refuse("an absolute path, outside the scanned tree"),
            }
        }
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(parts.join("/"));
        }
        let full = parts.iter().fold(self.root.clone(), |p, c| p.join(c));
        let key = parts.iter().fold(self.given.clone(), |p, c| p.join(c));
        let buffer = self.overlay.get(&key).is_some();
        // nothing there (the usual answer, e.g. no `.terraform/modules`):
        // as for a path that cannot be resolved, reading it then fails,
        // without a `readlink` per component first
        if std::fs::symlink_metadata(&full).is_err() {
            // a buffer not saved yet: no link of its own, but a directory
            // on its way may be one leading out
            if buffer && !self.dir_inside(&full) {
                return refuse("a symbolic link leads outside the scanned tree");
            }
            return Ok(Located {
                full,
                key,
                present: buffer,
            });
        }
        match full.canonicalize() {
            Ok(real) if !real.starts_with(&self.root) => {
                refuse("a symbolic link leads outside the scanned tree")
            }
            _ => Ok(Located {
                full,
                key,
                present: true,
            }),
        }
    }

    /// Whether the nearest directory above `full` that exists resolves
    /// inside the root.
    fn dir_inside(&self, full: &Path) -> bool {
        full.ancestors()
            .skip(1)
            .find(|a| std::fs::symlink_metadata(a).is_ok())
            .and_then(|a| a.canonicalize().ok())
            .is_some_and(|real| real.starts_with(&self.root))
    }

    /// A file's bytes (an error when missing or a directory).
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Fail> {
        let missing = || {
            error(format!(
                "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code"
            ))
        };
        let Located { full, key, present } = self.locate(path)?;
        if !present {
            return missing();
        }
        match self.overlay.read_capped(&key, &full, self.max_size) {
            Ok(crate::parse::Capped::Read(bytes)) => Ok(bytes),
            Ok(crate::parse::Capped::TooLarge(size)) => Err(Fail::Limit(format!(
                "{path:?} is {size} bytes, over --max-file-size ({} bytes); not read",
                self.max_size
            ))),
            Err(_) if full.is_dir() => error(format!("{path:?} is a directory, not a file")),
            Err(_) => missing(),
        }
    }

    /// A file's text (`file`, `templatefile`): it must be UTF-8.
    pub fn read_text(&self, path: &str) -> Result<String, Fail> {
        String::from_utf8(self.read(path)?)
            .map_err(|_| Fail::Error(format!("contents of {path:?} are not valid UTF-8")))
    }

    fn exists(&self, path: &str) -> Result<bool, Fail> {
        let Located { full, key, .. } = self.resolve(path)?;
        if self.overlay.get(&key).is_some() {
            return Ok(true);
        }
        match std::fs::symlink_metadata(&full) {
            Ok(m) if m.is_dir() => error(format!("{path:?} is a directory, not a file")),
            Ok(_) => Ok(full.is_file()),
            Err(_) => Ok(false),
        }
    }

    /// `fileset(dir, pattern)`: files (not directories, no symlinks
    /// followed) under `dir` whose path relative to it matches `pattern`.
    pub fn set(&self, dir: &str, pattern: &str) -> Result<Vec<String>, Fail> {
        let Located {
            full: base,
            key: base_key,
            ..
        } = self.resolve(dir)?;
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| Fail::Error(format!("failed to glob pattern {pattern:?}: {e}")))?
            .compile_matcher();
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(&base)
            .follow_links(false)
            .min_depth(1)
        {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&base) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if glob.is_match(&rel) {
                out.push(rel);
            }
            if out.len() > MAX_ELEMENTS {
                return Err(Fail::Limit(format!(
                    "fileset({dir:?}, {pattern:?}): more than {MAX_ELEMENTS} files"
                )));
            }
        }
        // buffers not saved yet under it (a saved one was listed above)
        for p in self.overlay.paths() {
            let Ok(rel) = p.strip_prefix(&base_key) else {
                continue;
            };
            let full = base.join(rel);
            let rel = rel.to_string_lossy().replace('\\', "/");
            if glob.is_match(&rel)
                && std::fs::symlink_metadata(&full).is_err()
                && self.dir_inside(&full)
            {
                out.push(rel);
            }
        }
        out.sort();
        out.dedup();
        if out.len() > MAX_ELEMENTS {
            return Err(Fail::Limit(format!(
                "fileset({dir:?}, {pattern:?}): more than {MAX_ELEMENTS} files"
            )));
        }
        Ok(out)
    }
}

pub(super) fn call(
    name: &str,
    args: &[Node],
    span: Span,
    files: Option<&Files>,
) -> Option<Outcome> {
    let s = |v: String| Ok(Node::string(v, span));
    let reading = matches!(
        name,
        "file"
            | "fileexists"
            | "fileset"
            | "filebase64"
            | "filemd5"
            | "filesha1"
            | "filesha256"
            | "filesha512"
            | "filebase64sha256"
            | "filebase64sha512"
    );
    if !reading && !matches!(name, "abspath" | "dirname" | "basename" | "pathexpand") {
        return None;
    }
    Some((|| {
        all_known(args)?;
        if name == "fileset" {
            arity(args, 2..=2)?;
            let (dir, pattern) = (string(&args[0])?, string(&args[1])?);
            let found = files.ok_or(Fail::Unknown)?.set(&dir, &pattern)?;
            return Ok(Node::list(
                found.into_iter().map(|f| Node::string(f, span)).collect(),
                span,
            ));
        }
        arity(args, 1..=1)?;
        let path = string(&args[0])?;
        if reading {
            let files = files.ok_or(Fail::Unknown)?;
            return match name {
                "file" => s(files.read_text(&path)?),
                "fileexists" => Ok(Node::new(Value::Bool(files.exists(&path)?), span)),
                "filebase64" => {
                    s(base64::engine::general_purpose::STANDARD.encode(files.read(&path)?))
                }
                _ => s(super::crypto::digest(&name[4..], &files.read(&path)?)),
            };
        }
        match name {
            // relative to where terraform runs, or to a home directory: not known here
            "abspath" if !path.starts_with('/') => Err(Fail::Unknown),
            "abspath" => s(clean(&path)),
            "pathexpand" if path.starts_with('~') => Err(Fail::Unknown),
            "pathexpand" => s(path),
            "dirname" => s(dirname(&path)),
            _ => s(basename(&path)),
        }
    })())
}

/// Go's `filepath.Clean`.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `filepath.Dir`.
fn dirname(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    }
}

/// Go's `filepath.Base`.
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::Files;
    use crate::parse::Overlay;
    use crate::terraform::value::Fail;

    /// Open buffers are read in place of the files, under the same cap and
    /// the same refusals; `fileset` lists one not saved yet.
    #[test]
    fn buffers_are_read_with_the_cap_and_the_refusals() {
        let dir = tempfile::tempdir().expect("tempdir");
        let top = dir.path().canonicalize().expect("canonical");
        let root = top.join("root");
        std::fs::create_dir_all(root.join("files")).expect("mkdir");
        std::fs::create_dir_all(top.join("outside")).expect("mkdir");
        std::fs::write(root.join("files/a.txt"), "disk").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(top.join("outside"), root.join("out")).expect("symlink");
        let mut texts: HashMap<std::path::PathBuf, Arc<str>> = HashMap::new();
        texts.insert(root.join("files/a.txt"), Arc::from("buffer"));
        texts.insert(root.join("files/new.txt"), Arc::from("unsaved"));
        texts.insert(root.join("files/big.txt"), Arc::from("x".repeat(11)));
        texts.insert(root.join("out/x.txt"), Arc::from("through a link"));
        texts.insert(top.join("outside/y.txt"), Arc::from("outside"));
        let files = Files::new(&root, "", 10).with_overlay(&root, Overlay::new(texts));
        assert_eq!(files.read_text("files/a.txt"), Ok("buffer".to_string()));
        assert_eq!(files.read_text("files/new.txt"), Ok("unsaved".to_string()));
        assert_eq!(files.exists("files/new.txt"), Ok(true));
        assert_eq!(
            files.read_text("files/big.txt"),
            Err(Fail::Limit(
                "\"files/big.txt\" is 11 bytes, over --max-file-size (10 bytes); not read".into()
            ))
        );
        #[cfg(unix)]
        assert_eq!(
            files.read_text("out/x.txt"),
            Err(Fail::Limit(
                "\"out/x.txt\": a symbolic link leads outside the scanned tree; not read".into()
            ))
        );
        assert_eq!(
            files.read_text("../outside/y.txt"),
            Err(Fail::Limit(
                "\"../outside/y.txt\": the path leaves the scanned tree; not read".into()
            ))
        );
        assert_eq!(
            files.set("files", "*.txt"),
            Ok(vec!["a.txt".into(), "big.txt".into(), "new.txt".into()])
        );
        #[cfg(unix)]
        assert_eq!(
            files.set("out", "*"),
            Err(Fail::Limit(
                "\"out\": a symbolic link leads outside the scanned tree; not read".into()
            ))
        );
        // what a cached result depends on: every path asked for
        assert_eq!(files.asked()[..2], ["files/a.txt", "files/new.txt"]);
    }
}

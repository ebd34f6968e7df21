//! The one way soclint runs a program: `git`, for `--changed-since`,
//! `--changed-lines-only` and the files git ignores, always through
//! [`Git`].
//!
//! The scanned repository is untrusted, and that includes what git reads
//! from it: `.git/config`, `.git/hooks`, `.git/info/attributes` and the
//! committed `.gitattributes`. Each of these can make a plain `git diff` run
//! a program (`core.fsmonitor`, `diff.external`, a `diff.<driver>.command`
//! or `textconv`, a `filter.<driver>.clean`/`process`, a `post-index-change`
//! hook when git refreshes the index) or change what it reports
//! (`core.worktree` pointing at an empty directory makes every file look
//! deleted; user settings such as `diff.noprefix`, `diff.mnemonicPrefix` or
//! `diff.dstPrefix` change the patch headers soclint parses). So every
//! invocation here:
//!
//! * ignores the system config (`GIT_CONFIG_NOSYSTEM`), never prompts, never
//!   pages, takes no optional locks (nothing is written into the repository)
//!   and does not follow `refs/replace`;
//! * sets `core.fsmonitor=false`, `core.hooksPath=/dev/null` and no
//!   `core.excludesFile` or `core.attributesFile` (a FIFO there blocked
//!   git), and names
//!   the work tree itself (the directory holding `.git`), so `core.worktree`
//!   cannot move it;
//! * for a diff: `--no-ext-diff --no-textconv --no-color`, fixed
//!   `a/`/`b/` prefixes, an empty order file (`diff.orderFile` may be a
//!   FIFO), and every `filter.<driver>` the config defines
//!   blanked (`clean`, `smudge` and `process` empty, `required` false);
//! * is killed when it has not finished within a time limit: a FIFO among
//!   the files git opens that no setting can name away (`.git/info/exclude`,
//!   `.git/info/attributes`, a `.gitignore` or `.gitattributes` in the work
//!   tree of a scanned archive) would block it for ever. The call then fails:
//!   `--changed-since` is an error, and the scan leaves nothing out as
//!   git-ignored;
//! * passes user-supplied revisions only after `--end-of-options`, and refuses
//!   one that starts with `-` before git sees it.
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// git for one directory of a work tree.
pub struct Git {
    dir: PathBuf,
    /// The directory holding `.git`, named on every command line so
    /// `core.worktree` cannot redirect git; `None` when the environment names
    /// the repository (`GIT_DIR`, `GIT_WORK_TREE`: the operator's choice) or
    /// no `.git` was found (git then says so).
    work_tree: Option<PathBuf>,
    /// `GIT_DIR` or `GIT_WORK_TREE` is set: git finds the repository from them.
    named_by_env: bool,
}

/// Options before the subcommand, on every invocation.
const HARDENED: &[&str] = &[
    "--no-pager",
    "--no-replace-objects",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.quotePath=false",
    // an excludes or attributes file the config names could be a FIFO (git
    // blocks opening it) or `/dev/zero`; soclint's view of ignored files is
    // the repository's
    "-c",
    "core.excludesFile=",
    "-c",
    "core.attributesFile=",
];

/// How long one git command may take before it is killed, unless
/// `SOCLINT_GIT_TIMEOUT` (seconds) says otherwise. Files git opens that the
/// settings above cannot name away (`.git/info/exclude`,
/// `.git/info/attributes`, a `.gitignore` or `.gitattributes` in the work
/// tree) may be FIFOs in a scanned archive or work tree: git would block
/// opening them for ever.
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Options of every `git diff`: no program runs, and the output has the
/// shape [`crate::git`]'s callers parse whatever the user's config says.
const DIFF: &[&str] = &[
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-renames",
    "--relative",
    // `diff.orderFile` may name a FIFO; an empty order changes nothing
    "-O/dev/null",
];

impl Git {
    pub fn new(dir: &Path) -> Git {
        let named_by_env = ["GIT_DIR", "GIT_WORK_TREE"]
            .iter()
            .any(|v| std::env::var_os(v).is_some());
        let work_tree = if named_by_env {
            None
        } else {
            work_tree_of(dir)
        };
        Git {
            dir: dir.to_path_buf(),
            work_tree,
            named_by_env,
        }
    }

    fn command(&self, config: &[OsString]) -> Command {
        let mut cmd = Command::new("git");
        cmd.env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .arg("-C")
            .arg(&self.dir)
            .args(HARDENED);
        for c in config {
            cmd.arg("-c").arg(c);
        }
        if let Some(w) = &self.work_tree {
            let mut arg = OsString::from("--work-tree=");
            arg.push(w);
            cmd.arg(arg);
        }
        cmd
    }

    /// Runs `git ARGS` (hardened) and returns its standard output; a git
    /// that has not finished within the time limit ([`DEFAULT_TIMEOUT`]) is
    /// killed and the call fails.
    fn run(&self, config: &[OsString], args: &[&OsStr]) -> Result<Vec<u8>, String> {
        let shown = || {
            args.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let child = self
            .command(config)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let limit = timeout();
        let (out, timed_out) = finish_within(child, limit).map_err(|e| format!("git: {e}"))?;
        if timed_out {
            return Err(format!(
                "git {} did not finish within {} s and was stopped (a FIFO or device \
                 among the files git reads: .gitignore, .gitattributes, .git/info/?); \
                 SOCLINT_GIT_TIMEOUT sets the limit",
                shown(),
                limit.as_secs()
            ));
        }
        if !out.status.success() {
            return Err(format!(
                "git {} failed: {}",
                shown(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    }

    fn run_str(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        self.run(&[], &args)
    }

    /// The commit a user-supplied revision names (`--changed-since REF`),
    /// as a full hash. A revision that starts with `-` is refused before git
    /// sees it (no ref name can start with one), and the rest is passed after
    /// `--end-of-options`, so it is never taken as an option.
    pub fn commit(&self, reference: &str) -> Result<String, String> {
        if reference.starts_with('-') || reference.is_empty() {
            return Err(format!(
                "`{reference}` is not a git revision (a revision cannot start with `-`)"
            ));
        }
        let spec = format!("{reference}^{{commit}}");
        let out = self
            .run_str(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
            .map_err(|_| format!("`{reference}` does not name a commit in this repository"))?;
        hash(&out).ok_or_else(|| format!("`{reference}` does not name a commit"))
    }

    /// `git merge-base A B` of two hashes.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, String> {
        let out = self.run_str(&["merge-base", "--end-of-options", a, b])?;
        hash(&out).ok_or_else(|| "git merge-base gave no commit".to_string())
    }

    /// `git diff [ARGS] BASE --` between a commit (a hash) and the work tree,
    /// hardened: see the module documentation.
    pub fn diff(&self, args: &[&str], base: &str) -> Result<Vec<u8>, String> {
        if hash(base.as_bytes()).is_none() {
            return Err(format!("`{base}` is not a commit hash"));
        }
        let config = self.blank_filters()?;
        let mut all: Vec<&OsStr> = vec![OsStr::new("diff")];
        all.extend(DIFF.iter().map(OsStr::new));
        all.extend(args.iter().map(OsStr::new));
        all.extend(["--end-of-options", base, "--"].map(OsStr::new));
        self.run(&config, &all)
    }

    /// Every file git tracks under the directory, relative to it, as raw
    /// bytes (`ls-files -z`: names are never quoted); `None` when the
    /// directory is not in a git work tree.
    pub fn tracked_files(&self) -> Result<Option<Vec<Vec<u8>>>, String> {
        self.list_files(&[OsStr::new("--cached")])
    }

    /// What git ignores under the directory and does not track; `None`
    /// when the directory is not in a git work tree. git reads the ignore
    /// files (`.gitignore` as committed, never through a link;
    /// `.git/info/exclude`), so a tracked file is never in the list whatever
    /// they say. No `core.excludesFile` is read (see [`HARDENED`]): the
    /// scan does not depend on who runs it.
    pub fn ignored_untracked(&self) -> Result<Option<Ignored>, String> {
        // the directory as an absolute, literal pathspec: git lists what is
        // under it relative to it, or `../` when an ignored directory holds it
        // (from inside one, a relative pathspec makes ls-files fail)
        let dir = std::path::absolute(&self.dir).map_err(|e| e.to_string())?;
        let names = self.list_files(&[
            OsStr::new("--others"),
            OsStr::new("--ignored"),
            OsStr::new("--exclude-standard"),
            OsStr::new("--directory"),
            OsStr::new("--"),
            dir.as_os_str(),
        ])?;
        Ok(names.map(|names| {
            if names.iter().any(|n| n.starts_with(b"../") || n == b"./") {
                return Ignored::Itself;
            }
            Ignored::Below(
                names
                    .into_iter()
                    .map(|mut n| {
                        if n.last() == Some(&b'/') {
                            n.pop();
                        }
                        n
                    })
                    .collect(),
            )
        }))
    }

    /// `git ls-files -z ARGS` (pathspecs literal): names are never quoted.
    fn list_files(&self, args: &[&OsStr]) -> Result<Option<Vec<Vec<u8>>>, String> {
        if self.work_tree.is_none() && !self.named_by_env {
            return Ok(None);
        }
        let mut all: Vec<&OsStr> = ["--literal-pathspecs", "ls-files", "-z"]
            .map(OsStr::new)
            .to_vec();
        all.extend(args);
        let out = self.run(&[], &all)?;
        Ok(Some(
            out.split(|&b| b == 0)
                .filter(|s| !s.is_empty())
                .map(<[u8]>::to_vec)
                .collect(),
        ))
    }

    /// `-c` settings that blank every filter driver the repository's config
    /// (or the user's) defines: a `.gitattributes` line `* filter=x` would
    /// otherwise make `git diff` run `filter.x.clean` on each work-tree file
    /// it has to hash. A driver name `-c` cannot express (one holding `=` or
    /// a line break) is refused.
    fn blank_filters(&self) -> Result<Vec<OsString>, String> {
        let out = match self.run_str(&["config", "--null", "--get-regexp", r"^filter\."]) {
            Ok(out) => out,
            // exit 1: no such key, the usual case
            Err(_) => return Ok(Vec::new()),
        };
        let mut names: Vec<String> = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let key = entry.split(|&b| b == b'\n').next().unwrap_or_default();
            let key = String::from_utf8_lossy(key);
            let Some(name) = key
                .strip_prefix("filter.")
                .and_then(|rest| rest.rsplit_once('.'))
                .map(|(name, _)| name)
            else {
                continue;
            };
            if name.contains(['=', '\n', '\r', '\0']) {
                return Err(format!(
                    "the git config defines a filter driver soclint cannot switch off (`{}`); not running git diff",
                    name.escape_debug()
                ));
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        let mut config = Vec::new();
        for name in names {
            for (var, value) in [
                ("clean", ""),
                ("smudge", ""),
                ("process", ""),
                ("required", "false"),
            ] {
                config.push(OsString::from(format!("filter.{name}.{var}={value}")));
            }
        }
        Ok(config)
    }
}

/// What git ignores and does not track under a directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Ignored {
    /// Files, and directories wholly ignored (without their trailing `/`),
    /// relative to the directory, as raw bytes.
    Below(Vec<Vec<u8>>),
    /// The directory itself lies in a directory git ignores.
    Itself,
}

/// The first line of git's output if it is a full object hash.
fn hash(out: &[u8]) -> Option<String> {
    let line = std::str::from_utf8(out).ok()?.trim();
    let ok = matches!(line.len(), 40 | 64) && line.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| line.to_string())
}

/// The nearest directory at or above `dir` that holds `.git` (a directory,
/// or the file a linked work tree or submodule has), as git finds it.
fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(dir).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// The time limit of one git command: `SOCLINT_GIT_TIMEOUT` seconds (the
/// operator's environment), else [`DEFAULT_TIMEOUT`].
fn timeout() -> std::time::Duration {
    std::env::var("SOCLINT_GIT_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map(std::time::Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Collects a child's output; kills it when it is still running after
/// `limit` (then `true`). The child is reaped only after the watchdog has
/// stopped, so the watchdog never signals a process id that was reused.
fn finish_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
) -> std::io::Result<(std::process::Output, bool)> {
    use std::io::Read;
    use std::sync::{mpsc, Arc, Mutex};
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("git's output is not piped"));
    };
    let child = Arc::new(Mutex::new(child));
    let (done, wait) = mpsc::channel::<()>();
    let watchdog = {
        let child = Arc::clone(&child);
        std::thread::spawn(move || match wait.recv_timeout(limit) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.lock().map(|mut c| c.kill());
                true
            }
            _ => false,
        })
    };
    let errors = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let mut out = Vec::new();
    let read = stdout.read_to_end(&mut out);
    let err = errors.join().unwrap_or_default();
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    read?;
    let status = child
        .lock()
        .map_err(|_| std::io::Error::other("poisoned"))?
        .wait()?;
    Ok((
        std::process::Output {
            status,
            stdout: out,
            stderr: err,
        },
        timed_out,
    ))
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn hashes_are_whole_hex_object_names() {
        let sha1 = "256b5a9d4a5a08eb4ac8235a11287a268e964fe1";
        assert_eq!(hash(format!("{sha1}\n").as_bytes()).as_deref(), Some(sha1));
        assert_eq!(hash(b"--octopus\n"), None);
        assert_eq!(hash(b"256b5a9d"), None);
        assert_eq!(hash(b""), None);
    }
}

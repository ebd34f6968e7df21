//! Every file soclint writes (reports, baselines, the history file, the rule
//! reference) goes through here, so none is written through a symbolic link
//! the scanned repository planted, and none is left half-written.
//!
//! The threat: a pull request commits `soclint.sarif -> /home/runner/.bashrc`
//! (git stores symlinks) or a directory link `out -> /etc`, and CI runs
//! `soclint check . --format sarif:soclint.sarif`. Following the link would
//! overwrite a file outside the checkout with partly attacker-chosen text.
//!
//! The rules, the same for every writer:
//! - **the file named is never a link**: a symbolic link (dangling or not)
//!   where the output goes is refused, not replaced and not followed; the
//!   error names it, so the operator sees that something planted it. A file
//!   that is written whole is created as a temporary file in the same
//!   directory and renamed over the destination, which replaces a directory
//!   entry and never writes into whatever the old entry pointed at (a hard
//!   link keeps its old content), and a crash leaves either the old file or
//!   the new one, never part of one. The history file, which is appended to,
//!   is opened with `O_NOFOLLOW` and refused when it has other hard links.
//! - **no link on the way inside the repository**: a directory on the output
//!   path that is a symbolic link is refused when it sits inside a guarded
//!   directory (the working directory and the scanned directories, which the
//!   repository may control). Links above them (`/tmp` on macOS, `/home` on
//!   FreeBSD, a runner's temp directory) are the operator's and are followed.
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The directories whose symbolic links an output path may not pass through.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Canonical paths; the file-system root is never one (guarding it would
    /// refuse every link on the machine, `/tmp` on macOS included).
    dirs: Vec<PathBuf>,
}

impl Guard {
    /// The working directory and `dirs` (the scanned directories; files and
    /// paths that do not exist are passed over).
    pub fn new<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Guard {
        let mut guard = Guard::default();
        let cwd = std::env::current_dir().ok();
        let dirs = dirs.into_iter().map(Path::to_path_buf);
        for d in cwd.into_iter().chain(dirs) {
            let Ok(real) = d.canonicalize() else { continue };
            if real.is_dir() && real.parent().is_some() && !guard.dirs.contains(&real) {
                guard.dirs.push(real);
            }
        }
        guard
    }

    fn guards(&self, real: &Path) -> bool {
        self.dirs.iter().any(|d| real.starts_with(d))
    }

    /// Refuses `path` when one of the directories it names is a symbolic
    /// link inside a guarded directory (the final component is not looked at).
    pub fn check_dirs(&self, path: &Path) -> io::Result<()> {
        let mut prefix = PathBuf::new();
        let components: Vec<Component> = path.components().collect();
        for c in components.iter().take(components.len().saturating_sub(1)) {
            prefix.push(c);
            if !matches!(c, Component::Normal(_)) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&prefix) else {
                // missing from here on: nothing below can be a link yet
                return Ok(());
            };
            if meta.file_type().is_symlink() {
                let parent = real_parent(&prefix)?;
                if self.guards(&parent) {
                    return Err(refused(
                        &prefix,
                        "is a symbolic link inside the scanned repository or working directory",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The canonical directory that holds `p` (`.` for a bare name).
fn real_parent(p: &Path) -> io::Result<PathBuf> {
    match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.canonicalize(),
        _ => Path::new(".").canonicalize(),
    }
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} {why}; soclint never writes through a link (remove it or choose another path)",
            path.display()
        ),
    )
}

/// What is at `path` now, without following a link there (`None`: nothing);
/// a link is refused.
fn existing(path: &Path) -> io::Result<Option<Metadata>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(refused(path, "is a symbolic link")),
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        )),
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `path` whole: `write` fills a temporary file in the same directory,
/// which is synced and renamed over `path` (an existing file keeps its
/// permissions; a new one gets the usual `0666` less the umask).
pub fn replace(
    path: &Path,
    guard: &Guard,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    guard.check_dirs(path)?;
    let old = existing(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "names no file"))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(match &old {
        Some(m) => m.permissions(),
        None => default_permissions(),
    });
    #[cfg(not(unix))]
    let _ = old;
    let tmp = builder.tempfile_in(dir)?;
    {
        let mut out = io::BufWriter::new(tmp.as_file());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    // rename(2) replaces the directory entry `path` (a link planted since the
    // check above included); the temporary file is removed if it fails
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`replace`] with text.
pub fn replace_with_text(path: &Path, guard: &Guard, text: &str) -> io::Result<()> {
    replace(path, guard, |w| w.write_all(text.as_bytes()))
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    // masked by the umask when the file is created, as `File::create` would be
    std::fs::Permissions::from_mode(0o666)
}

/// Opens `path` to append to (created when missing), never through a link
/// (`O_NOFOLLOW`), and only when it is a regular file with no other hard link
/// (appending to a linked inode would write into the file it shares).
pub fn append(path: &Path, guard: &Guard) -> io::Result<File> {
    guard.check_dirs(path)?;
    existing(path)?;
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refused(path, "is a symbolic link");
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file",
        ));
    }
    if links(&meta) > 1 {
        return Err(refused(path, "has other hard links"));
    }
    Ok(file)
}

/// Creates directory `dir` (and its parents) for outputs, with the same
/// guard against links on the way.
pub fn create_dir_all(dir: &Path, guard: &Guard) -> io::Result<()> {
    guard.check_dirs(&dir.join("x"))?;
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn links(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_: &Metadata) -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that fails part-way leaves the old file as it was and no
    /// temporary file beside it (a crash leaves the old file too: the
    /// destination only ever changes by the final rename).
    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.sarif");
        std::fs::write(&path, "old\n").expect("write");
        let err = replace(&path, &Guard::default(), |w| {
            w.write_all(b"{\"half\":")?;
            Err(io::Error::other("disk full"))
        })
        .expect_err("fails");
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["report.sarif"]);
    }

    #[test]
    fn a_directory_is_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = replace_with_text(dir.path(), &Guard::default(), "x").expect_err("fails");
        assert_eq!(err.to_string(), "is a directory");
    }
}

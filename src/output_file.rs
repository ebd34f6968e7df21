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
//! - **no link inside the repository is followed**: a symbolic link on the
//!   output path (a directory on the way, or the file itself, dangling or
//!   not) that sits inside a guarded directory (the working directory and the
//!   scanned directories, which the repository may control) is refused, not
//!   replaced and not followed; the error names it, so the operator sees
//!   what planted it. Links elsewhere are the operator's own and are followed
//!   (`/tmp` on macOS, `/home` on FreeBSD, `/dev/stdout`, a runner's temp
//!   directory).
//! - **a file is replaced whole**: it is written to a temporary file in its
//!   directory, synced and renamed over the destination. That replaces a
//!   directory entry and never writes into what the old entry was (a hard
//!   link keeps its old content), and a crash leaves either the old file or
//!   the new one, never part of one.
//! - **a stream is written into**: an existing character device or FIFO
//!   (`/dev/null`, `/dev/stdout`, a shell's `>(…)`) receives the output as
//!   it is; it is never replaced. A FIFO without a reader is an error, not a
//!   hang.
//! - the history file, appended to in place, is opened with `O_NOFOLLOW` and
//!   refused when it has other hard links (appending to a shared inode would
//!   write into the other file).
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

/// Where an output goes, as found before writing.
enum Destination {
    /// Nothing there yet: a new file at this path.
    New(PathBuf),
    /// A regular file (reached through the operator's links, if any), to
    /// replace whole.
    File(PathBuf, Metadata),
    /// A character device, a FIFO or a process's descriptor (`/dev/stdout`),
    /// written into as it is.
    Stream(PathBuf),
}

/// What `path` leads to: a link inside a guarded directory is refused, one
/// elsewhere is followed (to its final target, so a file replaced there
/// leaves the link in place).
fn destination(path: &Path, guard: &Guard) -> io::Result<Destination> {
    guard.check_dirs(path)?;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Destination::New(path.to_path_buf()))
        }
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_symlink() {
        return classify(path.to_path_buf(), meta);
    }
    if guard.guards(&real_parent(path)?) {
        return Err(refused(path, "is a symbolic link"));
    }
    if names_a_descriptor(path) {
        return Ok(Destination::Stream(path.to_path_buf()));
    }
    match std::fs::metadata(path) {
        Ok(target) if target.is_file() => Ok(Destination::File(path.canonicalize()?, target)),
        Ok(target) => classify(path.to_path_buf(), target),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(refused(path, "is a symbolic link to nothing"))
        }
        Err(e) => Err(e),
    }
}

/// Whether the links from `path` pass through a process's descriptor table
/// (`/dev/stdout`, `/dev/fd/1` → `/proc/self/fd/1` on Linux): such a path
/// stands for a descriptor the caller opened (a shell's `> out.txt`), which
/// is written into, never replaced by a new file where its target was.
fn names_a_descriptor(path: &Path) -> bool {
    let mut at = path.to_path_buf();
    // a chain of links is at most 40 long (Linux's limit)
    for _ in 0..40 {
        if real_parent(&at).is_ok_and(|p| p.starts_with("/proc")) {
            return true;
        }
        match std::fs::read_link(&at) {
            Ok(next) => {
                at = match at.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                }
            }
            Err(_) => return false,
        }
    }
    false
}

fn classify(path: PathBuf, meta: Metadata) -> io::Result<Destination> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(Destination::File(path, meta));
    }
    if kind.is_dir() {
        return Err(invalid("is a directory"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_fifo() {
            return Ok(Destination::Stream(path));
        }
    }
    Err(invalid("is not a regular file, character device or FIFO"))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_string())
}

/// Writes the output at `path`: a file is replaced whole (`write` fills a
/// temporary file in the same directory, which is synced and renamed over
/// it; an existing file keeps its permissions, a new one gets the usual
/// `0666` less the umask); a device or FIFO is written into.
pub fn replace(
    path: &Path,
    guard: &Guard,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let (path, old) = match destination(path, guard)? {
        Destination::Stream(p) => return stream(&p, write),
        Destination::New(p) => (p, None),
        Destination::File(p, meta) => (p, Some(meta)),
    };
    let path = path.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| invalid("names no file"))?;
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

/// Writes into a device, FIFO or descriptor: opened without creating it and
/// without waiting for a FIFO's reader; truncated as `File::create` would
/// (which devices and FIFOs ignore, and a descriptor's regular file needs).
fn stream(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ENXIO) {
            return invalid("is a FIFO that nobody reads");
        }
        e
    })?;
    #[cfg(unix)]
    blocking(&file)?;
    let mut out = io::BufWriter::new(&file);
    write(&mut out)?;
    out.flush()
}

/// Clears `O_NONBLOCK` (set to open a FIFO without waiting), so writes
/// wait for the reader instead of failing with `EAGAIN`.
#[cfg(unix)]
fn blocking(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function borrows; F_GETFL/F_SETFL
    // only read and set its status flags
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
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

/// Opens `path` to append to (created when missing): the history file. A
/// link inside a guarded directory is refused and one elsewhere resolved;
/// the file itself is opened with `O_NOFOLLOW`, and only when it is a
/// regular file with no other hard link (appending to a shared inode would
/// write into the file it shares).
pub fn append(path: &Path, guard: &Guard) -> io::Result<File> {
    let path = match destination(path, guard)? {
        Destination::New(p) | Destination::File(p, _) => p,
        Destination::Stream(_) => return Err(invalid("is not a regular file")),
    };
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(&path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refused(&path, "is a symbolic link");
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(invalid("is not a regular file"));
    }
    if links(&meta) > 1 {
        return Err(refused(&path, "has other hard links"));
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

    /// `-o /dev/null` writes into the device: replacing it (as root, the
    /// rename succeeds) would leave a regular file where every program on
    /// the machine expects the null device. Checked without writing.
    #[cfg(unix)]
    #[test]
    fn a_device_is_a_stream_never_replaced() {
        let guard = Guard::new([]);
        for dev in ["/dev/null", "/dev/stdout"] {
            match destination(Path::new(dev), &guard) {
                Ok(Destination::Stream(_)) => {}
                Ok(Destination::New(_) | Destination::File(..)) => {
                    panic!("{dev} would be replaced")
                }
                // /dev/stdout leads to a pipe or terminal here; either is a stream, or
                // (closed descriptor) an error, never a file to replace
                Err(e) => assert_ne!(dev, "/dev/null", "{e}"),
            }
        }
    }

    #[test]
    fn a_directory_is_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = replace_with_text(dir.path(), &Guard::default(), "x").expect_err("fails");
        assert_eq!(err.to_string(), "is a directory");
    }
}

//! Paths the scanned repository names in its own configuration (`rules =
//! [...]` in `soclint.toml`, the config file itself when soclint finds it in
//! the tree) are resolved inside that repository, and the files behind them
//! are read only when they are regular and of bounded size.
//!
//! The threat: a pull request carries `soclint.toml` with `rules =
//! ["/proc/self/environ"]`, `["../../.git-credentials"]`, a rule directory
//! holding a link to a file outside, or a rule file that is a FIFO; soclint
//! read any of them, and its TOML error quoted the offending line (for
//! `/proc/self/environ`, NUL-separated, that is the whole environment) into
//! the CI log.
//!
//! What holds here: a configured path is relative, written with `/`, and
//! resolves (symbolic links and `..` followed, then checked) inside the
//! repository root; a file is read only if it is a regular file (never a
//! FIFO, socket or device, which are not even opened for reading) no larger
//! than the caller's limit. Which errors may quote a file's text is the
//! callers' rule (`project`, `config`): never for text that is not UTF-8
//! TOML.
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most a configuration or rule file may hold: the largest built-in rule
/// file is 17 KB; a rule file 250 times that is still accepted.
pub const MAX_CONFIG_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The repository that holds `dir`, as git finds it: the nearest directory at
/// or above `dir` that holds `.git`, else `dir` itself. Canonical.
pub fn repository_root(dir: &Path) -> std::io::Result<PathBuf> {
    let dir = dir.canonicalize()?;
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .unwrap_or(&dir)
        .to_path_buf();
    Ok(root)
}

/// Checks a path as written in a configuration file: relative, with `/`
/// separators (so it means the same on every platform), not empty.
pub fn check_relative(named: &str) -> Result<(), String> {
    let bytes = named.as_bytes();
    if named.is_empty() {
        return Err("is empty".into());
    }
    if named.contains('\\') {
        return Err("contains `\\`; write paths with `/`".into());
    }
    if named.starts_with('/') {
        return Err("is absolute; paths in soclint.toml are relative to the file".into());
    }
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("has a drive prefix; paths in soclint.toml are relative to the file".into());
    }
    if named.contains('\0') {
        return Err("contains a NUL character".into());
    }
    Ok(())
}

/// `named` (as written in a configuration file in `base`) resolved inside
/// `root` (canonical): links and `..` are followed first, then the result is
/// checked. The path must exist.
pub fn resolve_inside(root: &Path, base: &Path, named: &str) -> Result<PathBuf, String> {
    check_relative(named)?;
    let joined = base.join(named);
    let real = joined.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        _ => format!("cannot be resolved: {e}"),
    })?;
    if !real.starts_with(root) {
        return Err(format!(
            "leads outside the repository ({}); soclint reads configured files only inside it",
            root.display()
        ));
    }
    Ok(real)
}

/// A file's bytes, read only when it is a regular file of at most `max`
/// bytes, and how many hard links it has (a file with several may be the
/// same as one outside the repository, so errors about it do not quote it).
pub fn read_regular(path: &Path, max: u64) -> Result<(Vec<u8>, u64), String> {
    // the type is checked before opening: opening a FIFO for reading waits
    // for a writer (and `O_NONBLOCK` below covers a swap in between)
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file: File = options
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > max {
        return Err(format!(
            "is {} bytes, over the limit of {max} bytes for this file",
            meta.len()
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take`: a file that grows while it is read stops at the limit
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("is over the limit of {max} bytes for this file"));
    }
    Ok((bytes, links(&meta)))
}

fn not_regular(meta: &std::fs::Metadata) -> String {
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "a FIFO, socket or device"
    };
    format!("is {what}, not a regular file")
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Text that may stand in an error about a file: the 1-based line and
/// column (in characters) of byte `offset`.
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, col)
}

/// Whether an error about a file may quote its text (miette shows the line
/// and its neighbours): only when the text is TOML, so an error about a file
/// that is not (an environment block, a credentials file, a key) never puts
/// its content in a log; only when the file has no other hard link; and only
/// when it holds nothing a terminal would act on (TOML forbids raw C0
/// controls, but not C1 controls or bidirectional overrides in strings and
/// comments).
pub fn may_quote(text: &str, links: u64) -> bool {
    links <= 1
        && !text
            .chars()
            .any(|c| crate::escape::is_hidden(c) && c != '\n' && c != '\r')
        && text.parse::<toml::Table>().is_ok()
}

/// Turns an error that quotes its file into one that gives only the
/// position: `name` becomes `name:line:column` and the text is dropped.
pub fn position_only(
    name: &mut String,
    source: &mut miette::NamedSource<String>,
    span: &mut Option<miette::SourceSpan>,
) {
    if let Some(at) = span.take() {
        let (line, col) = line_col(source.inner().as_bytes(), at.offset());
        name.push_str(&format!(":{line}:{col}"));
    }
    *source = miette::NamedSource::new(name.as_str(), String::new());
}

/// Where the first byte that is not UTF-8 is: `:line:column`, to follow a
/// file name in an error.
pub fn utf8_position(e: &std::string::FromUtf8Error) -> String {
    let (line, col) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
    format!(":{line}:{col}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_paths_are_relative_with_slashes() {
        assert_eq!(check_relative("rules"), Ok(()));
        assert_eq!(check_relative("a/../b"), Ok(()));
        for bad in [
            "",
            "/etc",
            "C:rules",
            "c:/x",
            "..\\x",
            "\\\\server\\share",
            "a\0b",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col(b"ab\nc\xc3\xa9d", 6), (2, 3));
        assert_eq!(line_col(b"x", 0), (1, 1));
        assert_eq!(line_col(b"x", 99), (1, 2));
    }
}

//! What changed since a git ref: the merge base, the changed files and their
//! changed lines, asked of git through the hardened runner ([`crate::git`]).
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::git::Git;
use crate::unscanned::display_bytes;

/// Lines of a changed file that count as changed when its hunks could not
/// be read: all of them (fail closed: its findings are kept).
pub const WHOLE_FILE: (usize, usize) = (1, usize::MAX);

/// The merge base of `reference` and `HEAD` in `dir`, as a hash.
pub fn merge_base(dir: &Path, reference: &str) -> Result<String, String> {
    let git = Git::new(dir);
    let base = git.commit(reference)?;
    let head = git.commit("HEAD")?;
    git.merge_base(&base, &head)
}

/// A changed file: its path under `dir` (the name exactly as git gave it)
/// and the path it is reported under (forward slashes; a name that is not
/// UTF-8 shows its invalid bytes as `\xNN` and is reported as not scanned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: PathBuf,
    pub rel: String,
}

/// Files added, copied, modified or renamed between `base` and the work
/// tree, relative to `dir`, sorted by name.
pub fn changed_files(dir: &Path, base: &str) -> Result<Vec<ChangedFile>, String> {
    let out = Git::new(dir).diff(&["--name-only", "--diff-filter=ACMR", "-z"], base)?;
    let mut files: Vec<ChangedFile> = out
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|name| ChangedFile {
            path: dir.join(path_from_bytes(name)),
            rel: display_bytes(name),
        })
        .collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel).then_with(|| a.path.cmp(&b.path)));
    Ok(files)
}

/// Per changed file, the line ranges (1-based, inclusive) that are new or
/// changed. Every file of `changed` has an entry: one whose hunks could not
/// be read (a binary or mode-only change, a header soclint does not
/// understand) counts as changed throughout ([`WHOLE_FILE`]).
pub fn changed_lines(
    dir: &Path,
    base: &str,
    changed: &[ChangedFile],
) -> Result<HashMap<String, Vec<(usize, usize)>>, String> {
    let out = Git::new(dir).diff(&["-U0"], base)?;
    let mut map = parse_hunks(&out);
    for f in changed {
        map.entry(f.rel.clone()).or_insert_with(|| vec![WHOLE_FILE]);
    }
    Ok(map)
}

#[cfg(unix)]
fn path_from_bytes(name: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(name))
}

#[cfg(not(unix))]
fn path_from_bytes(name: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(name).into_owned())
}

/// The hunks of a `git diff -U0 --src-prefix=a/ --dst-prefix=b/` patch, by
/// new path. A file whose `+++` header was read has an entry, even with no
/// added lines (only deletions); a file with a hunk header that does not
/// parse is marked [`WHOLE_FILE`].
pub fn parse_hunks(diff: &[u8]) -> HashMap<String, Vec<(usize, usize)>> {
    let mut map: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in diff.split(|&b| b == b'\n') {
        if let Some(header) = line.strip_prefix(b"+++ ") {
            current = new_path(header).map(|p| display_bytes(&p));
            if let Some(file) = &current {
                map.entry(file.clone()).or_default();
            }
        } else if line.starts_with(b"diff --git ") {
            // a new file section; its `+++` line (absent for binary and
            // mode-only changes) names it
            current = None;
        } else if let (Some(hunk), Some(file)) = (line.strip_prefix(b"@@ "), &current) {
            let ranges = map.entry(file.clone()).or_default();
            if ranges.first() == Some(&WHOLE_FILE) {
                continue;
            }
            match added_range(hunk) {
                Some(Some(range)) => ranges.push(range),
                Some(None) => {}
                None => *ranges = vec![WHOLE_FILE],
            }
        }
    }
    map
}

/// `-a,b +c,d @@ …` → the added lines `(c, c+d-1)`; `Some(None)` when the
/// hunk only deletes; `None` when it does not parse.
fn added_range(hunk: &[u8]) -> Option<Option<(usize, usize)>> {
    let text = std::str::from_utf8(hunk.split(|&b| b == b'@').next()?).ok()?;
    let new = text.split_whitespace().find(|t| t.starts_with('+'))?;
    let mut parts = new[1..].split(',');
    let start: usize = parts.next()?.parse().ok()?;
    let count: usize = match parts.next() {
        Some(c) => c.parse().ok()?,
        None => 1,
    };
    Some((count > 0).then(|| (start, start + count - 1)))
}

/// The path of a `+++ ` header without its `b/` prefix: C-quoted when git
/// quotes it (a `"`, a backslash or a control character in the name), else
/// as written, with the tab git appends to a name holding a space removed;
/// `None` for `/dev/null` (a deleted file).
fn new_path(header: &[u8]) -> Option<Vec<u8>> {
    let raw = if header.first() == Some(&b'"') {
        unquote(&header[1..])?
    } else {
        let end = header
            .iter()
            .position(|&b| b == b'\t')
            .unwrap_or(header.len());
        header[..end].to_vec()
    };
    raw.strip_prefix(b"b/").map(<[u8]>::to_vec)
}

/// The bytes of a C-quoted string after its opening quote, up to the closing
/// one: `\a \b \t \n \v \f \r \" \\` and three-digit octal escapes.
fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => return Some(out),
            b'\\' => {
                let c = *s.get(i + 1)?;
                i += 2;
                out.push(match c {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'0'..=b'3' => {
                        let digits = s.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        (c - b'0') * 64 + (digits[0] - b'0') * 8 + (digits[1] - b'0')
                    }
                    other => other,
                });
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{parse_hunks, WHOLE_FILE};

    #[test]
    fn hunks() {
        let d = b"diff --git a/x.tf b/x.tf\n--- a/x.tf\n+++ b/x.tf\n@@ -3,0 +4,2 @@\n+a\n+b\n@@ -10 +12 @@\n-c\n+d\n@@ -20,2 +21,0 @@\n";
        let m = parse_hunks(d);
        assert_eq!(m["x.tf"], vec![(4, 5), (12, 12)]);
    }

    /// Names git quotes, or ends with a tab, map to the names findings carry.
    #[test]
    fn quoted_and_spaced_names() {
        let d = "diff --git a/my file.tf b/my file.tf\n--- /dev/null\n+++ b/my file.tf\t\n@@ -0,0 +1,3 @@\n\
                 diff --git \"a/q\\\"uote.tf\" \"b/q\\\"uote.tf\"\n+++ \"b/q\\\"uote.tf\"\n@@ -0,0 +1 @@\n\
                 +++ \"b/\\303\\274\\tn\\nl.tf\"\n@@ -0,0 +2,2 @@ locals {\n\
                 +++ b/ü.tf\n@@ -1 +1,0 @@\n\
                 +++ b/odd.tf\n@@ -1 +x @@\n@@ -3 +3 @@\n\
                 +++ /dev/null\n@@ -1 +0,0 @@\n";
        let m = parse_hunks(d.as_bytes());
        assert_eq!(m["my file.tf"], vec![(1, 3)]);
        assert_eq!(m["q\"uote.tf"], vec![(1, 1)]);
        assert_eq!(m["ü\tn\nl.tf"], vec![(2, 3)]);
        // only deletions: known, nothing added
        assert_eq!(m["ü.tf"], Vec::<(usize, usize)>::new());
        // a hunk header that does not parse: the whole file counts
        assert_eq!(m["odd.tf"], vec![WHOLE_FILE]);
        assert_eq!(m.len(), 5);
    }
}

//! The evidence manifest (`report --manifest FILE`): the SHA-256 of every
//! file the scan discovered, of the rule set (the built-in pack and each
//! custom rule file), of the config and control matrix, and of the report
//! written, so evidence can later be shown not to have been edited
//! (`soclint verify-manifest`).
//!
//! Two bases, so an evidence bundle (a directory holding the manifest and
//! its reports) can be archived apart from the repository:
//! - inputs, rule files and config are relative to the scanned directory,
//!   checked under `verify-manifest --root DIR`;
//! - reports are relative to the manifest's own directory.
//!
//! A file outside its base when the manifest is written (a config given as
//! `--config /etc/…`, a report written elsewhere) is listed under
//! `unverifiable` with its hash: verification never reads outside a base.
//!
//! **A manifest is untrusted input** when it is verified: its paths must be
//! relative, `/`-separated, without `.`/`..` components or a drive prefix;
//! no component may be a symbolic link (a link would lead out of the base);
//! a file is opened without following a link (`O_NOFOLLOW`) and without
//! blocking (`O_NONBLOCK`: a FIFO planted in its place is refused, never
//! waited on), and hashed only when the open file is regular. Verifying
//! writes nothing. The manifest proves that files match it, not that the
//! manifest itself is genuine: keep its own hash where it cannot be edited
//! (a signed release, a write-once store).
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::hash::sha256_hex;

/// The format's version (`soclint_manifest` in the file).
pub const FORMAT: u32 = 1;

/// The largest manifest `verify-manifest` reads.
pub const MAX_MANIFEST_SIZE: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub soclint_manifest: u32,
    pub soclint_version: String,
    /// The scan time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
    /// The scanned directory as it was given (for people; never read).
    pub scanned_path: String,
    pub ruleset: Ruleset,
    /// Relative to the scanned directory.
    pub inputs: Vec<FileHash>,
    /// Custom rule files, relative to the scanned directory.
    pub rule_files: Vec<FileHash>,
    /// The config and the control matrix, relative to the scanned directory.
    pub config: Vec<FileHash>,
    /// Relative to the manifest's directory.
    pub reports: Vec<FileHash>,
    /// Files outside their base when the manifest was written: named as
    /// given, never read by verification.
    #[serde(default)]
    pub unverifiable: Vec<Unverifiable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ruleset {
    /// The active rules' ids and definitions (the report's rule-set hash).
    pub active_sha256: String,
    pub active_rules: usize,
    /// The built-in pack this soclint embeds, when it was used.
    pub builtin: Option<BuiltinPack>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltinPack {
    pub version: String,
    /// SHA-256 over each embedded file's path and text, in path order.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unverifiable {
    /// `rule-file`, `config` or `report`.
    pub kind: String,
    pub name: String,
    pub sha256: String,
}

/// The built-in pack's hash: each embedded file's path and text, length
/// framed, in path order.
pub fn builtin_pack_hash() -> String {
    let mut files: Vec<&(&str, &str)> = crate::rules::builtin_files().iter().collect();
    files.sort();
    let mut text = Vec::new();
    for (path, body) in files {
        for part in [path.as_bytes(), body.as_bytes()] {
            text.extend_from_slice(format!("{}:", part.len()).as_bytes());
            text.extend_from_slice(part);
        }
    }
    sha256_hex(&text)
}

/// Why a manifest path is refused before anything is opened.
pub fn check_path(path: &str) -> Result<(), String> {
    crate::repo_path::check_relative(path)?;
    for part in path.split('/') {
        match part {
            "" => return Err("has an empty component (`//` or a trailing `/`)".into()),
            "." | ".." => return Err(format!("has a `{part}` component")),
            _ => {}
        }
    }
    Ok(())
}

/// The SHA-256 and size of the file `rel` names under `base`: the path is
/// checked ([`check_path`]), no component may be a symbolic link, and the
/// file is opened without following a link or blocking and hashed only when
/// it is regular.
pub fn hash_inside(base: &Path, rel: &str) -> Result<(String, u64), String> {
    check_path(rel)?;
    let mut at = base.to_path_buf();
    for part in rel.split('/') {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "does not exist".to_string(),
            _ => format!("cannot be read: {e}"),
        })?;
        if meta.file_type().is_symlink() {
            return Err("is or passes through a symbolic link".into());
        }
    }
    hash_file(&at)
}

/// A regular file's SHA-256 and size, read in blocks, never through a link.
fn hash_file(path: &Path) -> Result<(String, u64), String> {
    use sha2::Digest;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot be read: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot be read: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, bytes))
}

/// `path` relative to `base` with `/` separators, when it lies inside it
/// (both resolved first); `None` outside.
pub fn relative_inside(base: &Path, path: &Path) -> Option<String> {
    let base = base.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    let rel = real.strip_prefix(&base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A file for the manifest: hashed under `base` when it lies inside it,
/// else hashed where it is and listed as unverifiable.
pub fn record(
    base: &Path,
    path: &Path,
    kind: &str,
    into: &mut Vec<FileHash>,
    unverifiable: &mut Vec<Unverifiable>,
) -> Result<(), String> {
    let shown = path.display().to_string();
    match relative_inside(base, path) {
        Some(rel) => {
            let (sha256, bytes) = hash_inside(base, &rel).map_err(|e| format!("{shown} {e}"))?;
            into.push(FileHash {
                path: rel,
                sha256,
                bytes,
            });
        }
        None => {
            let (sha256, _) = hash_file(path).map_err(|e| format!("{shown} {e}"))?;
            unverifiable.push(Unverifiable {
                kind: kind.to_string(),
                name: shown,
                sha256,
            });
        }
    }
    Ok(())
}

/// Hashes the discovered files (relative to `base`) in parallel, in order.
pub fn hash_inputs(base: &Path, rels: &[String]) -> Result<Vec<FileHash>, String> {
    crate::parallel::map(rels, |rel| {
        hash_inside(base, rel)
            .map(|(sha256, bytes)| FileHash {
                path: rel.clone(),
                sha256,
                bytes,
            })
            .map_err(|e| format!("{rel} {e}"))
    })
    .into_iter()
    .collect()
}

/// One disagreement between a manifest and the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file's hash differs.
    Changed { path: String },
    /// The file is gone.
    Missing { path: String },
    /// The path was refused or the file could not be read.
    Refused { path: String, why: String },
}

/// What verification found.
#[derive(Debug, Default)]
pub struct Verdict {
    pub checked: usize,
    pub problems: Vec<Problem>,
    /// Said, not failed: unverifiable entries, a different built-in pack.
    pub notes: Vec<String>,
}

/// Checks every file the manifest lists: inputs, rule files and config under
/// `root`, reports under `reports_base` (the manifest's directory).
pub fn verify(manifest: &Manifest, root: &Path, reports_base: &Path) -> Verdict {
    let mut v = Verdict::default();
    let groups = [
        (root, &manifest.inputs),
        (root, &manifest.rule_files),
        (root, &manifest.config),
        (reports_base, &manifest.reports),
    ];
    for (base, entries) in groups {
        let results = crate::parallel::map(entries, |e| hash_inside(base, &e.path));
        for (e, got) in entries.iter().zip(results) {
            v.checked += 1;
            match got {
                Ok((sha, bytes)) if sha == e.sha256 && bytes == e.bytes => {}
                Ok(_) => v.problems.push(Problem::Changed {
                    path: e.path.clone(),
                }),
                Err(why) if why == "does not exist" => v.problems.push(Problem::Missing {
                    path: e.path.clone(),
                }),
                Err(why) => v.problems.push(Problem::Refused {
                    path: e.path.clone(),
                    why,
                }),
            }
        }
    }
    for u in &manifest.unverifiable {
        v.notes.push(format!(
            "{} {} was outside its base when the manifest was written: not verified",
            u.kind, u.name
        ));
    }
    if let Some(b) = &manifest.ruleset.builtin {
        let ours = builtin_pack_hash();
        if b.sha256 != ours {
            v.notes.push(format!(
                "the built-in rule pack in the manifest (soclint {}) is not this soclint's ({}): \
                 re-running the scan with this version may give other results",
                b.version,
                crate::version::VERSION
            ));
        }
    }
    v
}

/// The manifest as written: pretty JSON and a newline.
pub fn to_text(m: &Manifest) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(m).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// Reads a manifest (a regular file of bounded size, strict JSON).
pub fn read(path: &Path) -> Result<Manifest, String> {
    let (bytes, _) = crate::repo_path::read_regular(path, MAX_MANIFEST_SIZE)?;
    let m: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| format!("is not a soclint manifest: {e}"))?;
    if m.soclint_manifest != FORMAT {
        return Err(format!(
            "is manifest format {}; this soclint reads format {FORMAT}",
            m.soclint_manifest
        ));
    }
    Ok(m)
}

/// The directory a manifest's reports are relative to.
pub fn manifest_dir(manifest: &Path) -> PathBuf {
    match manifest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused_before_opening() {
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "./a",
            "a//b",
            "a/",
            "C:/x",
            "a\\b",
            "a\0b",
            "",
        ] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_path("infra/main.tf"), Ok(()));
        assert_eq!(check_path(".github/workflows/ci.yml"), Ok(()));
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_never_followed_or_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().join("root");
        std::fs::create_dir_all(base.join("d")).expect("mkdir");
        std::fs::write(base.join("d/f.txt"), "abc").expect("write");
        std::fs::write(dir.path().join("secret"), "s").expect("write");
        std::os::unix::fs::symlink(dir.path().join("secret"), base.join("link")).expect("ln");
        std::os::unix::fs::symlink(dir.path(), base.join("up")).expect("ln");
        let fifo = std::ffi::CString::new(base.join("fifo").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);

        assert_eq!(hash_inside(&base, "d/f.txt"), Ok((sha256_hex(b"abc"), 3)));
        assert_eq!(
            hash_inside(&base, "link"),
            Err("is or passes through a symbolic link".into())
        );
        assert_eq!(
            hash_inside(&base, "up/secret"),
            Err("is or passes through a symbolic link".into())
        );
        assert_eq!(
            hash_inside(&base, "fifo"),
            Err("is not a regular file".into())
        );
        assert_eq!(hash_inside(&base, "d"), Err("is not a regular file".into()));
        assert_eq!(hash_inside(&base, "nope"), Err("does not exist".into()));
    }

    #[test]
    fn the_builtin_pack_hash_is_stable() {
        assert_eq!(builtin_pack_hash(), builtin_pack_hash());
        assert_eq!(builtin_pack_hash().len(), 64);
    }
}

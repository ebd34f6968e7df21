//! `file:` URIs and paths, both ways (only local files are served).
use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The local path a `file:` URI names; `None` for any other scheme, a
/// remote host, or a path that is not absolute.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    // an authority: empty or localhost
    let (host, path) = rest.split_at(rest.find('/')?);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = decode(path)?;
    #[cfg(unix)]
    let p = {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    };
    #[cfg(not(unix))]
    let p = {
        // `/C:/x` on Windows
        let s = String::from_utf8(bytes).ok()?;
        PathBuf::from(s.strip_prefix('/').unwrap_or(&s))
    };
    (p.is_absolute() && !p.components().any(|c| c == std::path::Component::ParentDir)).then_some(p)
}

/// Percent-decoding; `None` for a malformed escape.
fn decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = {
        let p = path.to_string_lossy().replace('\\', "/");
        format!("/{}", p.trim_start_matches('/')).into_bytes()
    };
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a b/ü.tf");
        let u = from_path(p).expect("uri");
        assert_eq!(u.as_str(), "file:///tmp/a%20b/%C3%BC.tf");
        assert_eq!(to_path(&u).as_deref(), Some(p));
        let remote: Uri = "file://host/x.tf".parse().expect("uri");
        assert_eq!(to_path(&remote), None);
        let up: Uri = "file:///tmp/../etc/x.tf".parse().expect("uri");
        assert_eq!(to_path(&up), None);
        let other: Uri = "untitled:Untitled-1".parse().expect("uri");
        assert_eq!(to_path(&other), None);
    }
}

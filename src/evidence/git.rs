//! Commit, branch and repository name, read from the `.git` files directly
//! (HEAD, refs, packed-refs, config): no `git` process is run.
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GitInfo {
    /// The `origin` remote's URL, else the working tree's directory name.
    pub repository: Option<String>,
    pub commit: Option<String>,
    /// `None` on a detached HEAD.
    pub branch: Option<String>,
}

/// Looks for a repository at `start` or above it.
pub fn read(start: &Path) -> GitInfo {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        let dot = dir.join(".git");
        let git_dir = if dot.is_dir() {
            dot
        } else if dot.is_file() {
            // a worktree or submodule: `gitdir: <path>`
            match std::fs::read_to_string(&dot).ok().and_then(|t| {
                t.trim()
                    .strip_prefix("gitdir:")
                    .map(|p| p.trim().to_string())
            }) {
                Some(p) => dir.join(p),
                None => continue,
            }
        } else {
            continue;
        };
        return from_git_dir(&git_dir, dir);
    }
    GitInfo::default()
}

fn from_git_dir(git_dir: &Path, work_tree: &Path) -> GitInfo {
    // a linked worktree keeps HEAD in its own directory and refs in the common one
    let common: PathBuf = std::fs::read_to_string(git_dir.join("commondir"))
        .map(|p| git_dir.join(p.trim()))
        .unwrap_or_else(|_| git_dir.to_path_buf());
    let head = std::fs::read_to_string(git_dir.join("HEAD")).unwrap_or_default();
    let head = head.trim();
    let (branch, commit) = match head.strip_prefix("ref:") {
        Some(r) => {
            let r = r.trim();
            let branch = r.strip_prefix("refs/heads/").unwrap_or(r).to_string();
            (Some(branch), resolve_ref(git_dir, &common, r))
        }
        None if is_sha(head) => (None, Some(head.to_string())),
        None => (None, None),
    };
    let repository = origin_url(&common).or_else(|| {
        work_tree
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    });
    GitInfo {
        repository,
        commit,
        branch,
    }
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn resolve_ref(git_dir: &Path, common: &Path, name: &str) -> Option<String> {
    for base in [git_dir, common] {
        if let Ok(t) = std::fs::read_to_string(base.join(name)) {
            let t = t.trim();
            if is_sha(t) {
                return Some(t.to_string());
            }
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (sha, r) = line.split_once(' ')?;
        (r.trim() == name && is_sha(sha)).then(|| sha.to_string())
    })
}

/// `url` of `[remote "origin"]` in the repository's config.
fn origin_url(common: &Path) -> Option<String> {
    let config = std::fs::read_to_string(common.join("config")).ok()?;
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
        } else if in_origin {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == "url" {
                    return Some(crate::escape::url_without_credentials(v.trim()));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn branch_from_loose_and_packed_refs() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs with: peeled\n{SHA} refs/heads/main\n"),
        )
        .unwrap();
        std::fs::write(
            git.join("config"),
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://bot:secret@example.com/acme/infra.git\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let info = read(&dir.path().join("sub"));
        assert_eq!(info.commit.as_deref(), Some(SHA));
        assert_eq!(info.branch.as_deref(), Some("main"));
        assert_eq!(
            info.repository.as_deref(),
            Some("https://example.com/acme/infra.git")
        );
        let loose = "fedcba9876543210fedcba9876543210fedcba98";
        std::fs::write(git.join("refs/heads/main"), format!("{loose}\n")).unwrap();
        assert_eq!(read(dir.path()).commit.as_deref(), Some(loose));
    }

    #[test]
    fn detached_head_and_worktree_file() {
        let dir = tempfile::tempdir().unwrap();
        let common = dir.path().join("main/.git");
        let wt_git = common.join("worktrees/wt");
        std::fs::create_dir_all(&wt_git).unwrap();
        std::fs::write(wt_git.join("HEAD"), format!("{SHA}\n")).unwrap();
        std::fs::write(wt_git.join("commondir"), "../..\n").unwrap();
        let wt = dir.path().join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", wt_git.display())).unwrap();
        let info = read(&wt);
        assert_eq!(info.commit.as_deref(), Some(SHA));
        assert_eq!(info.branch, None);
        assert_eq!(info.repository.as_deref(), Some("wt"));
    }
}

//! What changed since a git ref: the only place soclint runs another program
//! (`git`), to find the merge base, the changed files and their changed lines.
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `git merge-base REF HEAD` in `dir`.
pub fn merge_base(dir: &Path, reference: &str) -> Result<String, String> {
    Ok(git(dir, &["merge-base", reference, "HEAD"])?
        .trim()
        .to_string())
}

/// Files added, copied, modified or renamed between `base` and the working
/// tree, relative to `dir`, forward slashes, sorted.
pub fn changed_files(dir: &Path, base: &str) -> Result<Vec<String>, String> {
    let out = git(
        dir,
        &[
            "diff",
            "--name-only",
            "--relative",
            "--no-renames",
            "--diff-filter=ACMR",
            "-z",
            base,
            "--",
        ],
    )?;
    let mut files: Vec<String> = out
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    files.sort();
    Ok(files)
}

/// Per file, the line ranges (1-based, inclusive) that are new or changed.
pub fn changed_lines(
    dir: &Path,
    base: &str,
) -> Result<HashMap<String, Vec<(usize, usize)>>, String> {
    let out = git(
        dir,
        &[
            "diff",
            "-U0",
            "--relative",
            "--no-renames",
            "--no-color",
            base,
            "--",
        ],
    )?;
    Ok(parse_hunks(&out))
}

pub fn parse_hunks(diff: &str) -> HashMap<String, Vec<(usize, usize)>> {
    let mut map: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = p.strip_prefix("b/").map(str::to_string);
        } else if let (Some(hunk), Some(file)) = (line.strip_prefix("@@ "), &current) {
            // @@ -a,b +c,d @@
            let Some(new) = hunk.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut parts = new[1..].split(',');
            let start: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            if count > 0 {
                map.entry(file.clone())
                    .or_default()
                    .push((start, start + count - 1));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    #[test]
    fn hunks() {
        let d = "diff --git a/x.tf b/x.tf\n--- a/x.tf\n+++ b/x.tf\n@@ -3,0 +4,2 @@\n+a\n+b\n@@ -10 +12 @@\n-c\n+d\n@@ -20,2 +21,0 @@\n";
        let m = super::parse_hunks(d);
        assert_eq!(m["x.tf"], vec![(4, 5), (12, 12)]);
    }
}

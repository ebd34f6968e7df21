//! Release coordinates agree everywhere a user or a packager reads them, and
//! `soclint --version` names the commit it was built from.
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Process::new("git")
        .arg("-C")
        .arg(root())
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit build.rs finds, when this test runs in soclint's own checkout
/// (CI runs a clean clone, so it does there).
fn checkout_commit() -> Option<(String, String)> {
    if std::env::var_os("SOCLINT_BUILD_COMMIT").is_some() {
        return None;
    }
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(top).ok()? != std::fs::canonicalize(root()).ok()? {
        return None;
    }
    let line = git(&["log", "-1", "--date=short", "--format=%H %cd"])?;
    let (hash, date) = line.split_once(' ')?;
    Some((hash.to_string(), date.to_string()))
}

fn soclint(arg: &str) -> String {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .arg(arg)
        .output()
        .expect("runs");
    assert!(out.status.success(), "soclint {arg} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let short = soclint("-V");
    let long = soclint("--version");
    match checkout_commit() {
        Some((hash, date)) => {
            let head = format!("soclint {VERSION} ({} {date})", &hash[..10]);
            assert_eq!(short, format!("{head}\n"));
            let lines: Vec<&str> = long.lines().collect();
            assert_eq!(
                lines[..3],
                [
                    head.as_str(),
                    &format!("commit-hash: {hash}"),
                    &format!("commit-date: {date}"),
                ]
            );
            assert!(lines[3].starts_with("target: "), "{long}");
            assert_eq!(lines.len(), 4, "{long}");
        }
        None => {
            assert!(short.starts_with(&format!("soclint {VERSION}")), "{short}");
            assert!(long.contains("\ncommit-hash: "), "{long}");
        }
    }
}

#[test]
fn changelog_has_a_section_for_this_version() {
    let changelog = read("CHANGELOG.md");
    let heading = format!("\n## [{VERSION}] - ");
    assert!(
        changelog.contains(&heading),
        "CHANGELOG.md has no `## [{VERSION}] - DATE`"
    );
    let link = format!("\n[{VERSION}]: https://github.com/soclint/soclint/releases/tag/v{VERSION}");
    assert!(
        changelog.contains(&link),
        "CHANGELOG.md has no link for v{VERSION}"
    );
}

#[test]
fn readme_states_the_minimum_rust_version() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let msrv = manifest["package"]["rust-version"]
        .as_str()
        .expect("rust-version");
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("Rust {msrv} or newer")),
        "README.md does not say `Rust {msrv} or newer`"
    );
}

//! Helpers shared by the report tests: the demo repository in a temporary
//! directory with its own `.git`, running soclint there, three history runs.
#![allow(dead_code)]
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const SHA: &str = "4f2a9c1d0b7e6a5f4e3d2c1b0a9f8e7d6c5b4a39";
pub const NOW: &str = "2026-11-25T09:30:00Z";

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// The demo repository in a temporary directory, with a `.git` of its own
/// (branch `main` in packed-refs, an origin URL) and every category in scope.
pub fn demo_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("acme-infra");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"),
        &root,
    );
    let git = root.join(".git");
    std::fs::create_dir_all(git.join("refs/heads")).expect("mkdir");
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").expect("write");
    std::fs::write(git.join("packed-refs"), format!("{SHA} refs/heads/main\n")).expect("write");
    std::fs::write(
        git.join("config"),
        "[remote \"origin\"]\n\turl = https://example.com/acme/infra.git\n",
    )
    .expect("write");
    std::fs::write(
        root.join("soclint.toml"),
        "policy-paths = [\"docs/policies\"]\ncategories = [\"availability\", \"confidentiality\", \"processing-integrity\", \"privacy\"]\n",
    )
    .expect("write");
    (tmp, root)
}

pub fn soclint(dir: &Path, now: &str, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", now)
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Three runs with different results: SECURITY.md missing (CC2.3 failing),
/// added (passing), then the policy documents removed (CC5.3 not evidenced).
pub fn three_runs(root: &Path, history: &str) {
    let run = |now: &str| {
        let (code, _) = soclint(
            root,
            now,
            &[
                "report",
                ".",
                "--format",
                "json",
                "--output",
                "/dev/null",
                "--append-history",
                history,
            ],
        );
        assert_eq!(code, 0);
    };
    run("2026-05-01T08:00:00Z");
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\nReport vulnerabilities to security@example.com.\n",
    )
    .expect("write");
    run("2026-07-15T08:00:00Z");
    std::fs::remove_dir_all(root.join("docs/policies")).expect("rm");
    run("2026-10-01T08:00:00Z");
}

/// The SARIF Multitool (`SOCLINT_SARIF_MULTITOOL`, installed by
/// `.ci/tools.sh`); `None` outside CI when it is missing.
pub fn multitool() -> Option<PathBuf> {
    let p = std::env::var_os("SOCLINT_SARIF_MULTITOOL").map(PathBuf::from);
    match p {
        Some(p) if p.is_file() => Some(p),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "CI is set but the SARIF Multitool is missing; .ci/run installs it (SOCLINT_SARIF_MULTITOOL)"
            );
            eprintln!(
                "SARIF Multitool not installed (run .ci/tools.sh); validation skipped outside CI"
            );
            None
        }
    }
}

/// Validates SARIF files in one Multitool run with its SARIF and GitHub
/// code-scanning rules: each error or warning as `rule level uri message`,
/// and whether the run succeeded.
pub fn sarif_problems(tool: &Path, files: &[PathBuf]) -> (Vec<String>, bool) {
    let work = tempfile::tempdir().expect("tempdir");
    let report = work.path().join("validation.sarif");
    let run = std::process::Command::new(tool)
        .arg("validate")
        .args(files)
        .arg("-o")
        .arg(&report)
        .args([
            "--rule-kind",
            "Sarif;Gh",
            "--level",
            "Error;Warning",
            "--quiet",
        ])
        .output()
        .expect("multitool runs");
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no validation output ({e}): {run:?}"));
    let v: serde_json::Value = serde_json::from_str(&text).expect("validation log");
    let problems = v["runs"][0]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    format!(
                        "{} {} {} {}",
                        r["ruleId"],
                        r["level"],
                        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                        r["message"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let ok = v["runs"][0]["invocations"][0]["executionSuccessful"] == true;
    (problems, ok)
}

/// A finding as the target tests compare them: (rule, resource, line, column).
pub type Hit = (String, String, u64, u64);

/// Each finding of a JSON report as a [`Hit`], sorted.
pub fn hits(json: &serde_json::Value) -> Vec<Hit> {
    let mut list: Vec<Hit> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    list.sort();
    list
}

/// A [`Hit`] written briefly.
pub fn hit(rule: &str, resource: &str, line: u64, column: u64) -> Hit {
    (rule.into(), resource.into(), line, column)
}

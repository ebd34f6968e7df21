//! The policy for what does not get scanned: `--on-unscanned` and
//! `on-unscanned` decide whether a file that did not parse or was skipped
//! fails the run, warns or is ignored; waivers (`unscanned = KIND`) and the
//! baseline accept such files by path, so one invalid vendored file no
//! longer forces `--fail-on never`. Exit codes and outputs are compared
//! exactly.
use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

const BAD: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("GITHUB_SHA")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check --select AWS-S3-001 --format compact ARGS`: (exit code, stdout).
fn compact(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["check", "--select", "AWS-S3-001", "--format", "compact"];
    all.extend(args);
    let (code, out, err) = run(dir, &all);
    assert!(!err.contains("panicked"), "{err}");
    (code, out)
}

fn json_report(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--select", "AWS-S3-001", "--format", "json"];
    all.extend(args);
    let (code, out, err) = run(dir, &all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}{err}"));
    (code, v)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A diagnostic's words, without the frame and line breaks miette draws.
fn words(err: &str) -> String {
    err.replace(['│', '×', '╭', '╰', '─', '·'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const PARSE_ERROR: &str = "vendor/broken.tf:2:7: ERROR parse-error invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit\n";
const BICEP: &str =
    "infra/main.bicep:1:1: WARNING not-scanned unsupported: Azure Bicep: not read by soclint\n";

/// A vendored file that does not parse and an Azure Bicep file.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "vendor/broken.tf", "locals {\n  x = \n}\n");
    write(dir.path(), "infra/main.bicep", BAD);
    dir
}

/// By default a parse error fails the run and a format soclint does not
/// read warns; `--on-unscanned` changes either, for every kind or one.
#[test]
fn on_unscanned_decides_the_exit_code() {
    let dir = repo();
    let d = dir.path();
    let both = format!("{PARSE_ERROR}{}", BICEP);
    assert_eq!(compact(d, &[]), (1, both.clone()));
    assert_eq!(
        compact(d, &["--on-unscanned", "warn"]),
        (0, both.replace("ERROR parse-error", "WARNING parse-error"))
    );
    assert_eq!(
        compact(d, &["--on-unscanned", "parse-error=ignore"]),
        (0, BICEP.to_string())
    );
    assert_eq!(
        compact(d, &["--on-unscanned", "ignore"]),
        (0, String::new())
    );
    assert_eq!(
        compact(
            d,
            &[
                "--on-unscanned",
                "ignore",
                "--on-unscanned",
                "unsupported=error"
            ]
        ),
        (1, BICEP.replace("WARNING", "ERROR"))
    );
    assert_eq!(
        compact(
            d,
            &[
                "--on-unscanned",
                "error",
                "--on-unscanned",
                "parse-error=warn"
            ]
        )
        .0,
        1
    );
    // `--fail-on never` reports only, gaps included
    assert_eq!(compact(d, &["--fail-on", "never"]), (0, both));
    // ignored gaps stay in JSON, with their status
    let (code, v) = json_report(d, &["--on-unscanned", "ignore"]);
    assert_eq!(code, 0);
    assert_eq!(v["errors"][0]["status"], "ignored");
    assert_eq!(v["skipped"][0]["status"], "ignored");
}

#[test]
fn on_unscanned_in_the_config_and_its_errors() {
    let dir = repo();
    let d = dir.path();
    write(d, "soclint.toml", "on-unscanned = \"warn\"\n");
    assert_eq!(compact(d, &[]).0, 0);
    // the command line comes after the config
    assert_eq!(compact(d, &["--on-unscanned", "parse-error=error"]).0, 1);
    write(
        d,
        "soclint.toml",
        "[on-unscanned]\nall = \"ignore\"\nunsupported = \"error\"\n",
    );
    assert_eq!(compact(d, &[]), (1, BICEP.replace("WARNING", "ERROR")));

    write(d, "soclint.toml", "on-unscanned = \"fail\"\n");
    let (code, _, err) = run(d, &["check"]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("on-unscanned: `fail` is not an action for unscanned files (expected error, warn or ignore)"),
        "{err}"
    );
    write(d, "soclint.toml", "[on-unscanned]\nsymlinks = \"warn\"\n");
    let (code, _, err) = run(d, &["check"]);
    assert_eq!(code, 2);
    assert!(words(&err).contains("`symlinks` is not a kind of unscanned file (expected parse-error, too-large, templated, unrendered, unsupported, symlink, not-regular-file, unreadable, path-too-long, ignored, non-utf8-name, not-evaluated, rule-fixture, overridden, cdk-asset)"), "{err}");
    std::fs::remove_file(d.join("soclint.toml")).expect("rm");
    let (code, _, err) = run(d, &["check", "--on-unscanned", "sometimes"]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("--on-unscanned sometimes: `sometimes` is not an action"),
        "{err}"
    );
}

/// One invalid vendored file no longer forces `--fail-on never`: a waiver
/// with `unscanned` accepts it by path (with a reason, like any waiver), and
/// the reports say so; a waiver that accepts nothing is reported unused.
#[test]
fn a_waiver_accepts_files_not_scanned_by_path() {
    let dir = repo();
    let d = dir.path();
    write(d, "infra/main.tf", BAD);
    write(
        d,
        "soclint.toml",
        "[[waiver]]\nunscanned = \"parse-error\"\npath = \"vendor/**\"\nreason = \"upstream file, fixed in v2\"\n\n\
         [[waiver]]\nunscanned = \"*\"\npath = \"legacy/**\"\nreason = \"gone\"\n",
    );
    let (code, out) = compact(d, &[]);
    assert_eq!(
        (code, out),
        (
            1,
            format!(
                "infra/main.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n\
                 soclint.toml:6:1: MEDIUM SOCLINT-SUPPRESS-003 [CC4.2,CC5.3] waiver of files not scanned (*) for `legacy/**` matches no such file\n{BICEP}"
            )
        )
    );
    let (_, v) = json_report(d, &[]);
    assert_eq!(
        v["errors"][0],
        json!({
            "path": "vendor/broken.tf",
            "line": 2,
            "column": 7,
            "message": "invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit",
            "status": "waived",
            "waiver": {"location": "soclint.toml:1", "reason": "upstream file, fixed in v2"}
        })
    );
    // the finding fixed, the unused waiver gone: the run passes with the vendored file
    write(d, "infra/main.tf", "locals {}\n");
    write(
        d,
        "soclint.toml",
        "[[waiver]]\nunscanned = \"parse-error\"\npath = \"vendor/**\"\nreason = \"upstream file, fixed in v2\"\n",
    );
    assert_eq!(compact(d, &[]), (0, BICEP.to_string()));
    let (code, out, _) = run(d, &["check", "--select", "AWS-S3-001"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Files not parsed or not scanned, accepted: 1 waived, 0 in the baseline, 0 ignored (--on-unscanned).\n"),
        "{out}"
    );
    // a waiver takes a rule or a kind of gap, not both, not neither
    write(
        d,
        "soclint.toml",
        "[[waiver]]\nrule = \"AWS-S3-001\"\nunscanned = \"symlink\"\npath = \"x\"\n",
    );
    let (code, _, err) = run(d, &["check"]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("a waiver takes `rule` or `unscanned`, not both"),
        "{err}"
    );
    write(
        d,
        "soclint.toml",
        "[[waiver]]\npath = \"x\"\nreason = \"r\"\n",
    );
    let (code, _, err) = run(d, &["check"]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("a waiver needs `rule` (a rule id) or `unscanned`"),
        "{err}"
    );
    write(
        d,
        "soclint.toml",
        "[[waiver]]\nunscanned = \"big\"\npath = \"x\"\n",
    );
    let (code, _, err) = run(d, &["check"]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("`big` is not a kind of file not scanned"),
        "{err}"
    );
}

/// `soclint baseline` records the files that did not parse or were not
/// scanned; `check --baseline` accepts them by path and kind, fails on a new
/// one, and lists an entry whose file parses again as fixed.
#[test]
fn the_baseline_records_and_accepts_files_not_scanned() {
    let dir = repo();
    let d = dir.path();
    let (code, _, err) = run(d, &["baseline", ".", "--select", "AWS-S3-001"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "wrote 0 findings and 2 files not scanned to ./.soclint-baseline.json\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join(".soclint-baseline.json")).expect("baseline"),
        "{\n  \"version\": 2,\n  \"findings\": [],\n  \"unscanned\": [\n    {\n      \"path\": \"infra/main.bicep\",\n      \"kind\": \"unsupported\"\n    },\n    {\n      \"path\": \"vendor/broken.tf\",\n      \"kind\": \"parse-error\"\n    }\n  ]\n}\n"
    );
    let base = ["--baseline", ".soclint-baseline.json"];
    assert_eq!(compact(d, &base), (0, String::new()));
    // a new file that does not parse is not in the baseline
    write(d, "infra/new.tf", "locals {\n  x = \n}\n");
    let (code, out) = compact(d, &base);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("infra/new.tf:2:7: ERROR parse-error"),
        "{out}"
    );
    std::fs::remove_file(d.join("infra/new.tf")).expect("rm");
    // the vendored file fixed: its entry is listed as fixed
    write(d, "vendor/broken.tf", "locals {}\n");
    let (code, v) = json_report(d, &base);
    assert_eq!(code, 0);
    assert_eq!(
        v["fixed"],
        json!([{
            "fingerprint": "",
            "rule_id": "unscanned:parse-error",
            "path": "vendor/broken.tf",
            "resource": "",
            "message": "no longer a file that is not scanned"
        }])
    );
    // a baseline without gaps is written as before (readable by older versions)
    std::fs::remove_file(d.join("infra/main.bicep")).expect("rm");
    let (code, _, _) = run(d, &["baseline", ".", "--select", "AWS-S3-001"]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(d.join(".soclint-baseline.json")).expect("baseline"),
        "{\n  \"version\": 2,\n  \"findings\": []\n}\n"
    );
}

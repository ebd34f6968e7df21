//! The gate's policy from a trusted place (issue 13 item 8): a pull request
//! that carries its own `soclint.toml` (rules off, a lower threshold, a
//! waiver, a baseline accepting everything) changes nothing under
//! `--no-config` or `--config FILE`, in `check`, `baseline` and `report`;
//! a `--config` file's baseline is read from beside it, not from the tree.
use std::path::Path;

use assert_cmd::Command;

/// `soclint ARGS` in `dir`: exit code, standard output, standard error.
fn soclint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

const FINDING: &str = "infra/main.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n";

/// A repository whose pull request added a `soclint.toml` that would hide
/// its public bucket four ways at once.
fn pull_request() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir .git");
    write(
        root,
        "infra/main.tf",
        "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n",
    );
    write(
        root,
        "soclint.toml",
        "ignore = [\"AWS-S3-001\"]\nfail-on = \"never\"\nbaseline = \"accepted.json\"\n\n[[waiver]]\nrule = \"AWS-S3-001\"\npath = \"infra/**\"\nreason = \"approved\"\n",
    );
    write(
        root,
        "accepted.json",
        "{\"version\": 2, \"findings\": []}\n",
    );
    dir
}

#[test]
fn a_pull_requests_soclint_toml_hides_the_finding_unless_the_config_is_trusted() {
    let pr = pull_request();
    let root = pr.path();
    let check = ["check", "--select", "AWS-S3", "--format", "compact"];
    // the tree's own soclint.toml applies by default
    assert_eq!(soclint(root, &check), (0, String::new(), String::new()));
    // --no-config: the defaults
    let (code, out, err) = soclint(root, &[&check[..], &["--no-config"]].concat());
    assert_eq!((code, out.as_str(), err.as_str()), (1, FINDING, ""));
    // --config FILE outside the tree: that file's settings only
    let trusted = tempfile::tempdir().expect("tempdir");
    let config = trusted.path().join("soclint.toml");
    write(trusted.path(), "soclint.toml", "fail-on = \"high\"\n");
    let config = config.to_str().expect("UTF-8 path");
    let (code, out, err) = soclint(root, &[&check[..], &["--config", config]].concat());
    assert_eq!((code, out.as_str(), err.as_str()), (1, FINDING, ""));
}

/// A trusted config's `baseline` is the one beside it (copied from the base
/// branch), never the file of that name in the pull request's tree.
#[test]
fn a_trusted_configs_baseline_is_read_beside_it() {
    let pr = pull_request();
    let root = pr.path();
    // the pull request's tree holds a baseline of the trusted name too, accepting the finding
    let (code, _, err) = soclint(
        root,
        &[
            "baseline",
            ".",
            "--no-config",
            "--select",
            "AWS-S3",
            "-o",
            "base.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let trusted = tempfile::tempdir().expect("tempdir");
    write(trusted.path(), "soclint.toml", "baseline = \"base.json\"\n");
    write(
        trusted.path(),
        "base.json",
        "{\"version\": 2, \"findings\": []}\n",
    );
    let config = trusted.path().join("soclint.toml");
    let config = config.to_str().expect("UTF-8 path");
    let (code, out, err) = soclint(
        root,
        &[
            "check", "--select", "AWS-S3", "--format", "compact", "--config", config,
        ],
    );
    assert_eq!((code, out.as_str(), err.as_str()), (1, FINDING, ""));
}

/// `baseline` and `report` take `--no-config` too: the baseline records the
/// finding the tree's config ignores, the evidence report counts it.
#[test]
fn baseline_and_report_ignore_the_trees_config_with_no_config() {
    let pr = pull_request();
    let root = pr.path();
    let (code, _, err) = soclint(
        root,
        &["baseline", ".", "--select", "AWS-S3", "-o", "b.json"],
    );
    assert_eq!(code, 0, "{err}");
    let with_tree = std::fs::read_to_string(root.join("b.json")).expect("baseline");
    assert!(!with_tree.contains("AWS-S3-001"), "{with_tree}");
    let (code, _, err) = soclint(
        root,
        &[
            "baseline",
            ".",
            "--no-config",
            "--select",
            "AWS-S3",
            "-o",
            "b.json",
        ],
    );
    assert_eq!(
        (code, err.as_str()),
        (0, "wrote 1 finding and 0 files not scanned to b.json\n")
    );
    let trusted = std::fs::read_to_string(root.join("b.json")).expect("baseline");
    assert!(trusted.contains("\"rule_id\": \"AWS-S3-001\""), "{trusted}");

    let totals = |args: &[&str]| {
        let (code, out, err) = soclint(root, args);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        // failing members of the populations are the findings
        let fails = v["population"]
            .as_array()
            .expect("population")
            .iter()
            .filter(|i| i["verdict"] == "fail")
            .count();
        (
            serde_json::Value::from(fails),
            v["totals"]["failed"].clone(),
        )
    };
    let report = ["report", ".", "--format", "json", "--select", "AWS-S3"];
    assert_eq!(totals(&report), (0.into(), 0.into()));
    assert_eq!(
        totals(&[&report[..], &["--no-config"]].concat()),
        (1.into(), 1.into())
    );
}

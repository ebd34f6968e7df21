//! The CI-gate features end to end: inline suppressions in each state,
//! waivers, fingerprints, baselines, `check FILE...` and `--changed-since`
//! (on a temporary git repository), and the new report formats.
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn rules_dir() -> String {
    format!("{}/fixtures/cli/rules", env!("CARGO_MANIFEST_DIR"))
}

fn soclint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("soclint").expect("binary built");
    cmd.current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_SHA");
    cmd
}

/// `check` with the test rules; returns the exit code and the JSON report.
fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let rules = rules_dir();
    let mut args = vec![
        "check",
        "--no-builtin",
        "--rules",
        &rules,
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = soclint(dir).args(&args).output().expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule_id"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or(""),
                f["start_line"]
            )
        })
        .collect()
}

const BUCKETS: &str = r#"resource "aws_s3_bucket" "valid" {
  # soclint:ignore TEST-S3-001 reason="public website, reviewed by security" until=2027-06-30
  acl = "public-read"
}

resource "aws_s3_bucket" "trailing" {
  acl = "public-read" // soclint:ignore TEST-S3-001 reason="marketing assets"
}

resource "aws_s3_bucket" "no_reason" {
  # soclint:ignore TEST-S3-001
  acl = "public-read"
}

resource "aws_s3_bucket" "expired" {
  /* soclint:ignore TEST-S3-001 reason="temporary" until=2026-01-31 */
  acl = "public-read"
}

resource "aws_s3_bucket" "unused" {
  # soclint:ignore TEST-S3-001 reason="was public once"
  acl = "private"
}
"#;

#[test]
fn each_suppression_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", BUCKETS);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        ids(&v["findings"]),
        vec![
            "SOCLINT-SUPPRESS-001 main.tf:11",
            "TEST-S3-001 main.tf:12",
            "SOCLINT-SUPPRESS-002 main.tf:16",
            "TEST-S3-001 main.tf:17",
            "SOCLINT-SUPPRESS-003 main.tf:21",
        ]
    );
    assert_eq!(
        ids(&v["suppressed"]),
        vec!["TEST-S3-001 main.tf:3", "TEST-S3-001 main.tf:7"]
    );
    let s = &v["suppressed"][0]["suppression"];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["justification"], "public website, reviewed by security");
    assert_eq!(s["expires"], "2027-06-30");
    assert_eq!(v["summary"]["suppressed"], 2);
    let unused = &v["findings"].as_array().expect("array")[4];
    assert_eq!(unused["severity"], "medium");

    // SARIF carries suppressed results with their justification
    let rules = rules_dir();
    let out = soclint(dir.path())
        .args([
            "check",
            "--no-builtin",
            "--rules",
            &rules,
            "--format",
            "sarif",
        ])
        .output()
        .expect("runs");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");

    // --show-suppressed lists them in the text reports
    let out = soclint(dir.path())
        .args([
            "check",
            "--no-builtin",
            "--rules",
            &rules,
            "--format",
            "compact",
            "--show-suppressed",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[suppressed: comment at main.tf:2: public website"),
        "{text}"
    );
}

#[test]
fn waivers_in_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"site\" {\n  acl = \"public-read\"\n}\nresource \"aws_s3_bucket\" \"other\" {\n  acl = \"public-read\"\n}\n",
    );
    write(dir.path(), "policies/p.json", "{}\n");
    write(
        dir.path(),
        "soclint.toml",
        r#"[[waiver]]
rule = "TEST-S3-001"
path = "infra/*.tf"
resource = "aws_s3_bucket.site"
reason = "static website"
owner = "platform-team"
expires = "2027-03-31"
ticket = "SEC-123"

[[waiver]]
rule = "TEST-S3-001"
path = "infra/**"
resource = "aws_s3_bucket.other"

[[waiver]]
rule = "TEST-RDS-001"
path = "db/**"
reason = "legacy"
expires = "2026-01-01"

[[waiver]]
rule = "TEST-K8S-001"
path = "k8s/**"
reason = "no longer needed"
"#,
    );
    let (_, v) = check_json(dir.path(), &[]);
    assert_eq!(
        ids(&v["findings"]),
        vec![
            "TEST-S3-001 infra/main.tf:5",
            "SOCLINT-SUPPRESS-001 soclint.toml:10",
            "SOCLINT-SUPPRESS-002 soclint.toml:15",
            "SOCLINT-SUPPRESS-003 soclint.toml:21",
        ]
    );
    let s = &v["suppressed"][0]["suppression"];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["owner"], "platform-team");
    assert_eq!(s["ticket"], "SEC-123");
    assert_eq!(s["location"], "soclint.toml:1");
}

fn fingerprints(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["fingerprint"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprint_survives_ten_inserted_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tf = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";
    write(dir.path(), "main.tf", tf);
    let (_, before) = check_json(dir.path(), &[]);
    write(
        dir.path(),
        "main.tf",
        &format!("{}{tf}", "# padding\n".repeat(10)),
    );
    let (_, after) = check_json(dir.path(), &[]);
    assert_eq!(before["findings"][0]["start_line"], 2);
    assert_eq!(after["findings"][0]["start_line"], 12);
    assert_eq!(fingerprints(&before), fingerprints(&after));
    assert_eq!(fingerprints(&before).len(), 1);

    // the same resource in another file is another finding
    write(dir.path(), "copy/main.tf", tf);
    let (_, two) = check_json(dir.path(), &[]);
    let fps = fingerprints(&two);
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0].1, fps[1].1);
}

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_dir();
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\nresource \"aws_db_instance\" \"db\" {\n  storage_encrypted = false\n}\n",
    );
    soclint(dir.path())
        .args(["baseline", "--no-builtin", "--rules", &rules])
        .assert()
        .success();
    let text =
        std::fs::read_to_string(dir.path().join(".soclint-baseline.json")).expect("baseline");
    let b: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["version"], 2);
    assert_eq!(b["findings"].as_array().expect("array").len(), 2);
    assert!(!text.contains("line"), "no line numbers: {text}");

    // nothing new: clean, and the baselined findings are counted
    let (code, v) = check_json(dir.path(), &["--baseline", ".soclint-baseline.json"]);
    assert_eq!(code, 0);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["summary"]["baselined"], 2);

    // lines moved, one fixed, one new
    write(
        dir.path(),
        "main.tf",
        "\n\n\nresource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\nresource \"aws_db_instance\" \"db\" {\n  storage_encrypted = true\n}\nresource \"aws_s3_bucket\" \"new\" {\n  acl = \"public-read-write\"\n}\n",
    );
    let (code, v) = check_json(dir.path(), &["--baseline", ".soclint-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&v["findings"]), vec!["TEST-S3-001 main.tf:11"]);
    let fixed = v["fixed"].as_array().expect("fixed");
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["rule_id"], "TEST-RDS-001");
    assert_eq!(fixed[0]["resource"], "aws_db_instance.db");
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Std::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(ok.status.success(), "git {args:?}: {ok:?}");
}

const VARIABLES: &str = "variable \"acl\" {\n  default = \"public-read\"\n}\n";

#[test]
fn named_files_keep_their_module() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "mod/variables.tf", VARIABLES);
    write(
        dir.path(),
        "mod/main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  acl = var.acl\n}\n",
    );
    write(
        dir.path(),
        "mod/other.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    // the variable's default lives in another file of the module; only main.tf's
    // findings are reported: the one whose value (set in variables.tf) lands there
    let (code, v) = check_json(dir.path(), &["mod/main.tf"]);
    assert_eq!(code, 1);
    assert_eq!(ids(&v["findings"]), vec!["TEST-S3-001 mod/variables.tf:2"]);
    assert_eq!(v["findings"][0]["related"][0]["role"], "landing");
    assert_eq!(v["findings"][0]["related"][0]["path"], "mod/main.tf");
    assert_eq!(v["findings"][0]["related"][0]["start_line"], 2);
}

#[test]
fn changed_since_a_git_ref() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "mod/variables.tf", VARIABLES);
    write(
        d,
        "mod/main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n",
    );
    write(
        d,
        "k8s/web.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\n      securityContext:\n        privileged: true\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "feature"]);
    write(
        d,
        "mod/main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  acl = var.acl\n}\n",
    );
    git(d, &["commit", "-qam", "change"]);

    let (code, v) = check_json(d, &["--changed-since", "main"]);
    assert_eq!(code, 1);
    // k8s/web.yaml did not change; both findings of the changed file, one
    // through the module's variable (reported where its default is set)
    assert_eq!(
        ids(&v["findings"]),
        vec![
            "TEST-S3-001 mod/main.tf:2",
            "TEST-S3-001 mod/variables.tf:2"
        ]
    );
    // the variable's use on line 6 is the changed line
    let (_, v) = check_json(d, &["--changed-since", "main", "--changed-lines-only"]);
    assert_eq!(ids(&v["findings"]), vec!["TEST-S3-001 mod/variables.tf:2"]);

    let (code, v) = check_json(d, &["--changed-since", "HEAD"]);
    assert_eq!(code, 0);
    assert_eq!(v["findings"], serde_json::json!([]));
}

#[test]
fn several_formats_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"public-read\"\n}\n",
    );
    let rules = rules_dir();
    let out = soclint(dir.path())
        .args([
            "check",
            "--no-builtin",
            "--rules",
            &rules,
            "--format",
            "github",
            "--format",
            "sarif",
            "--output",
            "report.sarif",
            "--format",
            "junit:report.xml",
            "--output",
            "markdown=summary.md",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "::error file=main.tf,line=2,col=9,endLine=2,endColumn=22,title=TEST-S3-001 "
        ),
        "{stdout}"
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.sarif")).expect("sarif"),
    )
    .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let junit = std::fs::read_to_string(dir.path().join("report.xml")).expect("junit");
    assert!(junit.contains("<failure message=\""), "{junit}");
    let md = std::fs::read_to_string(dir.path().join("summary.md")).expect("md");
    assert!(md.contains("| critical | 1 |"), "{md}");

    // two reports to standard output is a usage error
    soclint(dir.path())
        .args(["check", "--format", "json", "--format", "sarif"])
        .assert()
        .code(2);
}

/// A SARIF report's structure, with the volatile parts left out.
#[test]
fn sarif_snapshot() {
    // a repository of its own (outside the checkout), scanned from elsewhere
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/repo");
    common::copy_dir(&from, &repo);
    let out = soclint(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["check", "--no-builtin", "--rules", "fixtures/cli/rules"])
        .arg(&repo)
        .args(["--format", "sarif"])
        .output()
        .expect("runs");
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    // the TSC taxonomy is long and pinned by the catalogue; keep its first taxon
    let taxa = &mut v["runs"][0]["taxonomies"][0]["taxa"];
    let n = taxa.as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(n, 61);
    *taxa = Value::Array(vec![taxa[0].clone()]);
    insta::assert_json_snapshot!(v, {
        ".runs[0].tool.driver.version" => "[version]",
        ".runs[0].tool.driver.semanticVersion" => "[version]",
    });
}

/// SARIF from the demo and from every fixture directory, validated in one
/// Multitool run with its SARIF and GitHub code-scanning rules: no error, no warning.
#[test]
fn sarif_validates_with_the_multitool() {
    let Some(tool) = common::multitool() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().expect("tempdir");
    let mut inputs: Vec<(String, PathBuf)> = vec![("demo".into(), root.join("fixtures/demo"))];
    for group in std::fs::read_dir(root.join("fixtures"))
        .expect("fixtures")
        .flatten()
    {
        let name = group.file_name().to_string_lossy().into_owned();
        if name == "demo" || !group.path().is_dir() {
            continue;
        }
        inputs.push((name, group.path()));
    }
    inputs.sort();
    let mut files = Vec::new();
    for (name, path) in &inputs {
        let out = work.path().join(format!("{name}.sarif"));
        let status = soclint(root)
            .arg("check")
            .arg(path)
            .arg("--format")
            .arg(format!("sarif:{}", out.display()))
            .output()
            .expect("runs");
        assert!(out.is_file(), "no SARIF for {name}: {status:?}");
        files.push(out);
    }
    // the demo again with a taxonomy for every other framework
    let out = work.path().join("demo-frameworks.sarif");
    let _ = soclint(root)
        .arg("check")
        .arg(root.join("fixtures/demo"))
        .args(["--framework", "iso27001,nist80053,cis8,pci4,hipaa,soc1"])
        .arg("--format")
        .arg(format!("sarif:{}", out.display()))
        .output()
        .expect("runs");
    assert!(out.is_file(), "no SARIF with frameworks");
    files.push(out);
    let (problems, ok) = common::sarif_problems(&tool, &files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ok, "the Multitool run failed");
}

//! Terraform evaluation cannot be made to exhaust memory or time by the
//! scanned repository (issue 13, item 7): instance counts, module fan-out,
//! string and collection growth and variable files are capped, and each cap
//! is a notice naming the file and the limit, never an abort. The file
//! functions read only inside the scanned tree.
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn scan(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("SOCLINT_TODAY", "2026-11-25")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--fail-on", "never"])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// (path, message) of each notice.
fn notices(v: &serde_json::Value) -> Vec<(String, String)> {
    v["notices"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    (
                        n["path"].as_str().unwrap_or("").to_string(),
                        n["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// (rule, path, line) of each finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// V14: `count = 1e9` made a 72 GB allocation and aborted. Now the block is
/// evaluated once with its index unknown (its constant attributes are still
/// checked), and a notice says which count was over which limit.
#[test]
fn count_and_for_each_over_the_limit_are_evaluated_once() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"resource "aws_s3_bucket_acl" "x" {
  count = 1e9
  acl   = "public-read"
}

resource "aws_s3_bucket_acl" "y" {
  for_each = toset([for i in range(5000) : "b${i}"])
  acl      = "public-read"
}
"#,
        )],
    );
    let v = scan(t.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(
        findings(&v),
        vec![
            ("AWS-S3-001".to_string(), "main.tf".to_string(), 3),
            ("AWS-S3-001".to_string(), "main.tf".to_string(), 8),
        ]
    );
    assert_eq!(
        notices(&v),
        vec![
            (
                "main.tf".to_string(),
                "2:11: count = 1000000000 is over the limit of 1024 instances per block; evaluated once with its index unknown".to_string()
            ),
            (
                "main.tf".to_string(),
                "7:14: for_each over 5000 elements is over the limit of 1024 instances per block; evaluated once with its index unknown".to_string()
            ),
        ]
    );
}

/// `dynamic` blocks multiply like instances: over the limit their blocks
/// are unknown (rules on them skip), with a notice.
#[test]
fn dynamic_blocks_over_the_limit_are_unknown() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"resource "aws_security_group" "x" {
  count = 1000

  dynamic "ingress" {
    for_each = range(5000)

    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#,
        )],
    );
    let v = scan(t.path(), &["--select", "AWS-EC2-001"]);
    assert!(findings(&v).is_empty(), "{:?}", findings(&v));
    let n = notices(&v);
    assert_eq!(
        n,
        vec![(
            "main.tf".to_string(),
            "5:16: dynamic \"ingress\" over 5000 elements is over the limit of 1024 instances per block; its blocks are unknown".to_string()
        )]
    );
    // the thousand groups and the file's facts (a plain directory: no
    // repository resource)
    assert_eq!(v["summary"]["resources"], 1001);
}

/// V14: module calls fanning out (six directories of twelve calls each,
/// 12^5 instances) stop at the root's instance limit, with a notice.
#[test]
fn module_fan_out_stops_at_the_instance_limit() {
    let t = tempfile::tempdir().expect("tmp");
    let mut files: Vec<(String, String)> = Vec::new();
    for level in 0..6 {
        let mut text = String::new();
        if level < 5 {
            for i in 0..12 {
                text.push_str(&format!(
                    "module \"m{i}\" {{\n  source = \"../l{}\"\n}}\n",
                    level + 1
                ));
            }
        } else {
            text.push_str("resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"private\"\n}\n");
        }
        files.push((format!("l{level}/main.tf"), text));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(t.path(), &refs);
    let v = scan(t.path(), &["--select", "AWS-S3-001"]);
    let capped: Vec<(String, String)> = notices(&v)
        .into_iter()
        .filter(|(_, m)| m.contains("the root module reached the limit of 20000 instances"))
        .collect();
    assert!(!capped.is_empty(), "{:?}", notices(&v));
    assert!(capped.iter().all(|(p, _)| p.starts_with('l')), "{capped:?}");
    assert!(v["summary"]["resources"].as_u64().unwrap_or(0) < 40_000);
}

/// V14: a string doubling through 39 locals (`format("%s%s", s, s)`, and
/// the same with `replace(s, "", s)` and a template) would reach terabytes;
/// it becomes unknown at 1 MiB, with a notice on the local that crossed it.
#[test]
fn string_growth_through_locals_stops_at_one_mebibyte() {
    for (name, step) in [
        ("format", r#"format("%s%s", local.s{p}, local.s{p})"#),
        ("replace", r#"replace(local.s{p}, "a", "aa")"#),
        ("template", r#""${local.s{p}}${local.s{p}}""#),
        ("join", r#"join("", [local.s{p}, local.s{p}])"#),
    ] {
        let t = tempfile::tempdir().expect("tmp");
        let mut text = format!("locals {{\n  s0 = \"{}\"\n", "a".repeat(64));
        for i in 1..40 {
            text.push_str(&format!(
                "  s{i} = {}\n",
                step.replace("{p}", &(i - 1).to_string())
            ));
        }
        text.push_str("}\n\nresource \"aws_s3_bucket\" \"x\" {\n  bucket = local.s39\n}\n");
        write(t.path(), &[("main.tf", &text)]);
        let v = scan(t.path(), &["--select", "AWS-S3-001"]);
        let n = notices(&v);
        assert_eq!(n.len(), 1, "{name}: {n:?}");
        assert_eq!(n[0].0, "main.tf", "{name}");
        assert!(
            n[0].1
                .contains("over the evaluation limit of 1048576 bytes"),
            "{name}: {n:?}"
        );
        assert_eq!(v["summary"]["unknown_attributes"], 1, "{name}");
    }
}

/// `range()` and `setproduct()` cannot build billions of elements.
#[test]
fn range_and_setproduct_are_capped() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"locals {
  many = range(1e9)
  r    = range(1000)
  prod = setproduct(local.r, local.r, local.r)
}

resource "aws_s3_bucket" "x" {
  bucket = length(local.many)
  tags   = { n = length(local.prod) }
}
"#,
        )],
    );
    let v = scan(t.path(), &["--select", "AWS-S3-001"]);
    let n = notices(&v);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(
        n[0].1.starts_with(
            "2:10: range(): 1000000000 elements is over the evaluation limit of 100000"
        ),
        "{n:?}"
    );
    assert!(
        n[1].1
            .starts_with("4:10: setproduct(): more than 100000 elements"),
        "{n:?}"
    );
}

/// V15: variable files were read whole whatever `--max-file-size` said.
#[test]
fn variable_files_over_max_file_size_are_not_read() {
    let t = tempfile::tempdir().expect("tmp");
    let big = format!("acl = \"public-read\"\nx = [{}]\n", "\"a\",".repeat(1000));
    write(
        t.path(),
        &[
            (
                "main.tf",
                "variable \"acl\" {\n  default = \"private\"\n}\n\nresource \"aws_s3_bucket_acl\" \"b\" {\n  acl = var.acl\n}\n",
            ),
            ("terraform.tfvars", &big),
        ],
    );
    // within the limit the file is read: the public ACL is reported
    let v = scan(t.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(findings(&v).len(), 1);
    let v = scan(
        t.path(),
        &["--select", "AWS-S3-001", "--max-file-size", "1000"],
    );
    assert!(findings(&v).is_empty(), "{:?}", findings(&v));
    assert_eq!(
        notices(&v),
        vec![(
            "terraform.tfvars".to_string(),
            format!(
                "variables file of {} bytes is over --max-file-size (1000 bytes); its values were not read",
                big.len()
            )
        )]
    );
}

/// `file()` and friends read inside the scanned tree only: no absolute
/// path, no `..` above the root, no symbolic link leading out; a refused
/// path is unknown with a notice. Inside the tree they work (a policy read
/// with `file()` is checked).
#[test]
fn file_functions_stay_inside_the_scanned_tree() {
    let outside = tempfile::tempdir().expect("tmp");
    write(
        outside.path(),
        &[(
            "secret.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
        )],
    );
    let t = tempfile::tempdir().expect("tmp");
    let root = t.path().join("repo");
    write(
        &root,
        &[
            (
                "infra/main.tf",
                r#"resource "aws_iam_policy" "inside" {
  policy = file("${path.module}/policies/admin.json")
}

resource "aws_iam_policy" "dotdot" {
  policy = file("${path.module}/../../secret.json")
}

resource "aws_iam_policy" "link" {
  policy = file("${path.module}/policies/link.json")
}

resource "aws_iam_policy" "missing" {
  policy = try(file("${path.module}/nope.json"), "{}")
}
"#,
            ),
            (
                "infra/policies/admin.json",
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
            ),
        ],
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        root.join("infra/policies/link.json"),
    )
    .expect("symlink");
    std::fs::copy(
        outside.path().join("secret.json"),
        t.path().join("secret.json"),
    )
    .expect("copy");
    let v = scan(&root, &["--select", "IAM-ADMIN-001"]);
    let f = findings(&v);
    assert_eq!(
        f,
        vec![("IAM-ADMIN-001".to_string(), "infra/main.tf".to_string(), 2)],
        "only the policy inside the tree is read"
    );
    let n = notices(&v);
    assert!(
        n.iter().any(|(p, m)| p == "infra/main.tf"
            && m.contains("the path leaves the scanned tree; not read")),
        "{n:?}"
    );
    #[cfg(unix)]
    assert!(
        n.iter().any(|(p, m)| p == "infra/main.tf"
            && m.contains("a symbolic link leads outside the scanned tree; not read")),
        "{n:?}"
    );
}

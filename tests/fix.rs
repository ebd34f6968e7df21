//! `check --fix` and `--diff` (issue 19 item 2): fixes from the rules' `fix`
//! data as minimal edits (formatting and comments kept, exact bytes
//! asserted), checked by a rescan; none where the value is set elsewhere or
//! the file is reached through a link.
use std::path::Path;

use assert_cmd::Command;

fn soclint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DB: &str = r#"# the application database
resource "aws_db_instance" "app" {
  identifier          = "app"
  engine              = "mysql" # pinned by the platform team
  publicly_accessible = true    # TODO
  instance_class      = "db.t4g.medium"
}

resource "aws_db_instance" "var" {
  identifier          = "var"
  publicly_accessible = var.public
  deletion_protection = true
}

variable "public" {
  default = true
}
"#;

const DB_FIXED: &str = r#"# the application database
resource "aws_db_instance" "app" {
  identifier          = "app"
  engine              = "mysql" # pinned by the platform team
  publicly_accessible = false    # TODO
  instance_class      = "db.t4g.medium"
  deletion_protection = true
}

resource "aws_db_instance" "var" {
  identifier          = "var"
  publicly_accessible = var.public
  deletion_protection = true
}

variable "public" {
  default = true
}
"#;

const SELECT: &[&str] = &["--select", "AWS-RDS-002,AWS-RDS-004", "--format", "compact"];

#[test]
fn fix_edits_terraform_in_place_and_the_findings_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), DB).expect("write");
    let mut args = vec!["check", "."];
    args.extend(SELECT);
    let (code, before, _) = soclint(dir.path(), &args);
    assert_eq!(code, 1);
    // the second is reported where the variable's value is set (line 16)
    assert_eq!(before.matches("AWS-RDS-002").count(), 2, "{before}");
    assert_eq!(before.matches("AWS-RDS-004").count(), 1, "{before}");
    args.push("--fix");
    let (code, after, err) = soclint(dir.path(), &args);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).expect("read"),
        DB_FIXED
    );
    assert!(err.contains("fixed 2 findings in 1 file"), "{err}");
    // the variable's value is set elsewhere: reported, not fixed
    assert_eq!(code, 1);
    assert_eq!(after.matches("AWS-RDS-002").count(), 1, "{after}");
    assert!(
        after.contains("main.tf:17:13: CRITICAL AWS-RDS-002"),
        "{after}"
    );
    assert!(!after.contains("AWS-RDS-004"), "{after}");
    // a second run has nothing left to fix
    let (_, _, err) = soclint(dir.path(), &args);
    assert!(err.contains("fixed 0 findings in 0 files"), "{err}");
}

#[test]
fn diff_prints_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), DB).expect("write");
    let mut args = vec!["check", "."];
    args.extend(SELECT);
    args.push("--diff");
    let (code, out, err) = soclint(dir.path(), &args);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        r#"--- a/main.tf
+++ b/main.tf
@@ -2,8 +2,9 @@
 resource "aws_db_instance" "app" {
   identifier          = "app"
   engine              = "mysql" # pinned by the platform team
-  publicly_accessible = true    # TODO
+  publicly_accessible = false    # TODO
   instance_class      = "db.t4g.medium"
+  deletion_protection = true
 }
 
 resource "aws_db_instance" "var" {
"#
    );
    assert!(err.contains("2 fixes available in 1 file"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).expect("read"),
        DB
    );
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app # the app
      image: app:1.0
      securityContext:
        privileged: true   # needed? no
        allowPrivilegeEscalation: 'true'
    - {name: side, image: side:1.0, securityContext: {privileged: true, allowPrivilegeEscalation: false}}
";

const POD_FIXED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app # the app
      image: app:1.0
      securityContext:
        privileged: false   # needed? no
        allowPrivilegeEscalation: false
    - {name: side, image: side:1.0, securityContext: {privileged: false, allowPrivilegeEscalation: false}}
";

#[test]
fn fix_edits_yaml_block_and_flow_style() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let args = [
        "check",
        ".",
        "--select",
        "K8S-CTR-001,K8S-CTR-002",
        "--format",
        "compact",
        "--fix",
    ];
    let (code, out, err) = soclint(dir.path(), &args);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).expect("read"),
        POD_FIXED
    );
    assert!(err.contains("fixed 3 findings in 1 file"), "{err}");
    assert_eq!(code, 0, "{out}");
}

/// A file reached through a link is not scanned, so not fixed; the file
/// the link points at (outside the tree) is untouched.
#[cfg(unix)]
#[test]
fn no_fix_through_a_link() {
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("db.tf");
    std::fs::write(&target, DB).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(&target, dir.path().join("main.tf")).expect("link");
    let mut args = vec!["check", "."];
    args.extend(SELECT);
    args.push("--fix");
    let (_, _, err) = soclint(dir.path(), &args);
    assert!(err.contains("fixed 0 findings in 0 files"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), DB);
    assert!(std::fs::symlink_metadata(dir.path().join("main.tf"))
        .expect("link")
        .file_type()
        .is_symlink());
}

/// Keys added where they are missing: a parent mapping created in the
/// file's own indentation (4 spaces here, CRLF line endings kept), a JSON
/// member in the object's column, `permissions` above `jobs` and the
/// comment that belongs to `jobs`; no edit in a flow mapping, next to a
/// merge key, or where the value comes from a parameter.
#[test]
fn fix_adds_missing_keys_in_the_files_own_style() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n    name: p\r\nspec:\r\n    containers:\r\n    -   name: app\r\n        image: app:1.0\r\n    -   {name: flow, image: flow:1.0}\r\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).expect("write");
    let base = "x-defaults: &defaults\n  securityContext:\n    runAsNonRoot: true\napiVersion: v1\nkind: Pod\nmetadata:\n  name: merged\nspec:\n  containers:\n    - <<: *defaults\n      name: app\n      image: app:1.0\n";
    std::fs::write(dir.path().join("merged.yaml"), base).expect("write");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("mkdir");
    let wf = "name: CI\non: push\n\n# the jobs\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), wf).expect("write");
    let cfn = "{\n    \"Parameters\": {\n        \"Public\": { \"Type\": \"String\", \"Default\": \"true\" }\n    },\n    \"Resources\": {\n        \"Db\": {\n            \"Type\": \"AWS::RDS::DBInstance\",\n            \"Properties\": {\n                \"Engine\": \"mysql\"\n            }\n        },\n        \"Param\": {\n            \"Type\": \"AWS::RDS::DBInstance\",\n            \"Properties\": {\n                \"Engine\": \"mysql\",\n                \"DeletionProtection\": true,\n                \"PubliclyAccessible\": { \"Ref\": \"Public\" }\n            }\n        }\n    }\n}\n";
    std::fs::write(dir.path().join("db.template.json"), cfn).expect("write");
    std::fs::write(
        dir.path().join("soclint.toml"),
        "categories = [\"availability\"]\n",
    )
    .expect("write");
    let args = [
        "check",
        ".",
        "--select",
        "K8S-CTR-002,GHA-PERM-001,CFN-RDS-004,CFN-RDS-002",
        "--format",
        "compact",
        "--fix",
    ];
    let (code, out, err) = soclint(dir.path(), &args);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).expect("read"),
        "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n    name: p\r\nspec:\r\n    containers:\r\n    -   name: app\r\n        image: app:1.0\r\n        securityContext:\r\n            allowPrivilegeEscalation: false\r\n    -   {name: flow, image: flow:1.0}\r\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("merged.yaml")).expect("read"),
        base
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".github/workflows/ci.yml")).expect("read"),
        "name: CI\non: push\n\npermissions:\n  contents: read\n\n# the jobs\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("db.template.json")).expect("read"),
        cfn.replacen(
            "\"Engine\": \"mysql\"\n",
            "\"Engine\": \"mysql\",\n                \"DeletionProtection\": true\n",
            1
        )
    );
    assert!(err.contains("fixed 3 findings in 3 files"), "{err}");
    // left for a person: the flow-style container, the merged one, the parameter
    assert_eq!(code, 1);
    assert_eq!(out.matches("K8S-CTR-002").count(), 2, "{out}");
    assert_eq!(out.matches("CFN-RDS-002").count(), 1, "{out}");
}

/// A suggestion (a value only a person knows) is never written by `--fix`.
#[test]
fn suggestions_are_not_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tf = "resource \"aws_cloudtrail\" \"t\" {\n  name           = \"t\"\n  s3_bucket_name = \"b\"\n}\n";
    std::fs::write(dir.path().join("main.tf"), tf).expect("write");
    let (_, _, err) = soclint(
        dir.path(),
        &["check", ".", "--select", "AWS-CT-003", "--fix"],
    );
    assert!(err.contains("fixed 0 findings in 0 files"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).expect("read"),
        tf
    );
    // where it is seen instead: the report, and `explain`
    let (_, json, _) = soclint(
        dir.path(),
        &["check", ".", "--select", "AWS-CT-003", "--format", "json"],
    );
    assert!(
        json.contains(r#""suggestion": "set `kms_key_id` to \"<KMS key ARN>\"""#),
        "{json}"
    );
    let (code, explain, _) = soclint(dir.path(), &["explain", "AWS-CT-003"]);
    assert_eq!(code, 0);
    assert!(
        explain.contains("  suggestion: set `kms_key_id` to \"<KMS key ARN>\" (fill in the placeholder; `--fix` never applies it)\n"),
        "{explain}"
    );
    let (_, explain, _) = soclint(dir.path(), &["explain", "K8S-CTR-002"]);
    assert!(
        explain.contains("  fix: set `securityContext.allowPrivilegeEscalation` to false (`soclint check --fix` applies it where unambiguous)\n"),
        "{explain}"
    );
}

/// Minimal cases of what `--fix` met in real repositories (issue 19 field
/// runs): a CloudFormation JSON template with CRLF lines and `"Key" :
/// value` members (aws-cloudformation-templates' DMS sample), quoted
/// booleans in a template (kept quoted), YAML `True` (cfngoat, kept
/// capitalised), and a workflow whose sections are separated by blank lines
/// (runner-images: the blank line stays between `permissions` and `jobs`;
/// its `${{ }}` expressions once kept the fix away).
#[test]
fn fix_keeps_the_conventions_field_files_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = "{\r\n  \"Resources\" : {\r\n    \"Db\" : {\r\n      \"Type\" : \"AWS::RDS::DBInstance\",\r\n      \"Properties\" : {\r\n        \"Engine\" : \"aurora\",\r\n        \"PubliclyAccessible\" : \"true\",\r\n        \"VpcSecurityGroupIds\"  : [ { \"Ref\" : \"Sg\" } ]\r\n      }\r\n    }\r\n  }\r\n}\r\n";
    std::fs::write(dir.path().join("dms.json"), json).expect("write");
    let yaml = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n      PubliclyAccessible: True\n      BackupRetentionPeriod: 7\n";
    std::fs::write(dir.path().join("db.yaml"), yaml).expect("write");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("mkdir");
    // a `${{ }}` expression is no template: the workflow is still edited
    let wf = "name: tests\non:\n  pull_request:\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make ${{ github.sha }}\n";
    std::fs::write(dir.path().join(".github/workflows/t.yml"), wf).expect("write");
    let args = [
        "check",
        ".",
        "--select",
        "CFN-RDS-002,CFN-RDS-003,GHA-PERM-001",
        "--format",
        "compact",
        "--fix",
    ];
    let (code, out, err) = soclint(dir.path(), &args);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dms.json")).expect("read"),
        json.replace("\"true\"", "\"false\"").replace(
            "\"Sg\" } ]\r\n",
            "\"Sg\" } ],\r\n        \"BackupRetentionPeriod\" : 7\r\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("db.yaml")).expect("read"),
        yaml.replace("True", "False")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".github/workflows/t.yml")).expect("read"),
        "name: tests\non:\n  pull_request:\n\npermissions:\n  contents: read\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make ${{ github.sha }}\n"
    );
    assert!(err.contains("fixed 4 findings in 3 files"), "{err}");
    assert_eq!(code, 0, "{out}");
}

/// A public repository's trail (found by code search), as written: both
/// fixes add an attribute at the end of the block, at the same place, so the
/// second waits for a second pass on the fixed text.
const TRAIL: &str = r#"data "aws_caller_identity" "current" {}

resource "aws_cloudtrail" "weinvest-audit-cloudtrail-v2" {
  name                          = "${var.cloudtrail_name}"
  s3_bucket_name                = "${var.cloudtrail_bucket}"
  #s3_key_prefix                 = "prefix"
  include_global_service_events = false
}
output "cloudtrail_name" {
  value = "${aws_cloudtrail.weinvest-audit-cloudtrail-v2.name}"
}
"#;

const TRAIL_FIXED: &str = r#"data "aws_caller_identity" "current" {}

resource "aws_cloudtrail" "weinvest-audit-cloudtrail-v2" {
  name                          = "${var.cloudtrail_name}"
  s3_bucket_name                = "${var.cloudtrail_bucket}"
  #s3_key_prefix                 = "prefix"
  include_global_service_events = false
  is_multi_region_trail         = true
  enable_log_file_validation    = true
}
output "cloudtrail_name" {
  value = "${aws_cloudtrail.weinvest-audit-cloudtrail-v2.name}"
}
"#;

#[test]
fn fix_goes_again_until_no_fix_is_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cloudtrail.tf");
    std::fs::write(&file, TRAIL).expect("write");
    let args = ["check", ".", "--no-config", "--format", "compact"];
    let (_, out, err) = soclint(dir.path(), &[&args[..], &["--diff"]].concat());
    assert_eq!(
        out,
        r#"--- a/cloudtrail.tf
+++ b/cloudtrail.tf
@@ -5,6 +5,8 @@
   s3_bucket_name                = "${var.cloudtrail_bucket}"
   #s3_key_prefix                 = "prefix"
   include_global_service_events = false
+  is_multi_region_trail         = true
+  enable_log_file_validation    = true
 }
 output "cloudtrail_name" {
   value = "${aws_cloudtrail.weinvest-audit-cloudtrail-v2.name}"
"#
    );
    assert_eq!(
        err,
        "2 fixes available in 1 file in 2 passes (--fix applies them)\n"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), TRAIL);
    let (code, out, err) = soclint(dir.path(), &[&args[..], &["--fix"]].concat());
    assert_eq!(err, "fixed 2 findings in 1 file in 2 passes\n");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), TRAIL_FIXED);
    // the KMS key is a suggestion: still reported, not fixed
    assert_eq!(code, 1);
    assert!(
        !out.contains("AWS-CT-001") && !out.contains("AWS-CT-002"),
        "{out}"
    );
    assert!(
        out.contains("cloudtrail.tf:3:1: MEDIUM AWS-CT-003"),
        "{out}"
    );
    let (_, _, err) = soclint(dir.path(), &[&args[..], &["--fix"]].concat());
    assert_eq!(err, "fixed 0 findings in 0 files\n");
}

#[test]
fn fix_stops_at_its_bound_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cloudtrail.tf");
    std::fs::write(&file, TRAIL).expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir.path())
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_MAX_FIX_PASSES", "1")
        .args(["check", ".", "--no-config", "--format", "compact", "--fix"])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: stopped after 1 fix pass: fixes are left to apply (run `soclint check --fix` again)\n\
         fixed 1 finding in 1 file in 1 pass\n"
    );
    let once = TRAIL_FIXED.replace("  enable_log_file_validation    = true\n", "");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), once);
    // the next run takes the one left
    let (_, _, err) = soclint(
        dir.path(),
        &["check", ".", "--no-config", "--format", "compact", "--fix"],
    );
    assert_eq!(err, "fixed 1 finding in 1 file in 1 pass\n");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), TRAIL_FIXED);
}

#[test]
fn reports_mark_the_findings_fix_would_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("cloudtrail.tf"), TRAIL).expect("write");
    let (code, out, _) = soclint(dir.path(), &["check", ".", "--no-config"]);
    assert_eq!(code, 1);
    // ruff's marking: `[*]` after the rule id, the fix under the help, the count
    assert!(
        out.contains(
            "AWS-CT-001 [*]\n\n  × high CloudTrail trail records all regions [CC2.1 · CC7.2 · PI1.3]\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  help: Set `enable_log_file_validation = true`.\n        [*] fix: set `enable_log_file_validation` to true (`soclint check --fix` applies it)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "\nScanned 1 file (11 lines, 3 resources) with 126 rules: 3 findings, 0 files not parsed.\n\
             [*] 2 findings fixable with `soclint check --fix` (`--diff` shows the edits).\n"
        ),
        "{out}"
    );
    // the KMS key is a suggestion with a placeholder: not marked
    assert!(out.contains("\nAWS-CT-003\n\n"), "{out}");
    assert!(!out.contains("AWS-CT-003 [*]"), "{out}");
    let (_, json, _) = soclint(
        dir.path(),
        &["check", ".", "--no-config", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let marks: Vec<(String, Option<bool>, Option<String>)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["fixable"].as_bool(),
                f["suggestion"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        marks,
        [
            ("AWS-CT-001".into(), Some(true), None),
            ("AWS-CT-002".into(), Some(true), None),
            (
                "AWS-CT-003".into(),
                None,
                Some("set `kms_key_id` to \"<KMS key ARN>\"".into())
            ),
        ]
    );
    assert!(json.contains("      \"remediation\": \"Set `enable_log_file_validation = true`.\",\n      \"fixable\": true,\n      \"fingerprint\""), "{json}");
}

#[test]
fn a_finding_its_rule_cannot_fix_here_is_not_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), DB).expect("write");
    let (_, out, _) = soclint(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "AWS-RDS-002,AWS-RDS-004",
            "--sort",
            "path",
        ],
    );
    // the literal and the missing key are fixed; the variable's value is not
    assert_eq!(out.matches("AWS-RDS-002 [*]\n").count(), 1, "{out}");
    assert_eq!(out.matches("AWS-RDS-004 [*]\n").count(), 1, "{out}");
    assert_eq!(out.matches("\nAWS-RDS-002\n").count(), 1, "{out}");
    assert!(
        out.contains("[*] 2 findings fixable with `soclint check --fix`"),
        "{out}"
    );
    // no finding with a fix: no marking, no line
    let (_, out, _) = soclint(dir.path(), &["check", ".", "--select", "AWS-RDS-001"]);
    assert!(!out.contains("[*]"), "{out}");
    assert!(!out.contains("fixable"), "{out}");
}

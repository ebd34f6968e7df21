//! `check -v` says which values stayed unknown, why, and which rule
//! evaluations each one skipped (issue 14 item 10): a user can see why a
//! rule never ran instead of a bare total.
use std::path::Path;

use assert_cmd::Command;

const MAIN_TF: &str = r#"variable "allowed_cidr" {
  type = string
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.allowed_cidr]
  }
}

resource "aws_db_instance" "db" {
  identifier        = "db"
  storage_encrypted = aws_kms_key.k.enabled
}
"#;

/// The field case (aws-cloudformation-templates): SSH open to a parameter
/// the template gives no default, so CFN-EC2-001 cannot decide.
const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  SSHLocation:
    Type: String
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref SSHLocation
"#;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in [("tf/main.tf", MAIN_TF), ("cfn/template.yaml", TEMPLATE)] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn check(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .arg("check")
        .arg(dir)
        .args(["--fail-on", "never"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn verbose_human_report_names_each_unknown_value_its_reason_and_the_rules_it_skipped() {
    let dir = repo();
    let out = check(dir.path(), &["-v"]);
    let from = out
        .find("Skipped on a value")
        .expect("the unknowns section");
    let section: Vec<&str> = out[from..].lines().take(4).collect();
    assert_eq!(
        section,
        [
            "Skipped on a value not known statically: 3 rule evaluations (AWS-EC2-001 1, AWS-RDS-001 1, CFN-EC2-001 1)",
            "  cfn/template.yaml:14:19: `!Ref SSHLocation` — `Ref SSHLocation`: a parameter without a default (or overridden at deploy), or a resource's physical id known only after deployment; skipped 1 evaluation (CFN-EC2-001)",
            "  tf/main.tf:11:20: `var.allowed_cidr` — variable `allowed_cidr` has no value here: no default, no tfvars or -var, no caller argument that soclint could evaluate; skipped 1 evaluation (AWS-EC2-001)",
            "  tf/main.tf:17:23: `aws_kms_key.k.enabled` — attribute `enabled` of `aws_kms_key.k` is known only after apply; skipped 1 evaluation (AWS-RDS-001)",
        ]
    );
    // without -v, only the findings and the usual summary
    assert!(!check(dir.path(), &[]).contains("Skipped on a value"));
}

#[test]
fn verbose_json_report_lists_every_unknown_value_and_counts_skips_per_rule() {
    let dir = repo();
    let v: serde_json::Value =
        serde_json::from_str(&check(dir.path(), &["-v", "--format", "json"])).expect("json");
    let unknowns: Vec<(String, u64, u64, String, serde_json::Value)> = v["unknowns"]
        .as_array()
        .expect("unknowns")
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap_or_default().to_string(),
                u["line"].as_u64().unwrap_or_default(),
                u["column"].as_u64().unwrap_or_default(),
                u["expression"].as_str().unwrap_or_default().to_string(),
                u["skipped"].clone(),
            )
        })
        .collect();
    assert_eq!(
        unknowns,
        [
            (
                "cfn/template.yaml".to_string(),
                14,
                19,
                "!Ref SSHLocation".to_string(),
                serde_json::json!({"CFN-EC2-001": 1})
            ),
            (
                "tf/main.tf".to_string(),
                11,
                20,
                "var.allowed_cidr".to_string(),
                serde_json::json!({"AWS-EC2-001": 1})
            ),
            (
                "tf/main.tf".to_string(),
                17,
                23,
                "aws_kms_key.k.enabled".to_string(),
                serde_json::json!({"AWS-RDS-001": 1})
            ),
        ]
    );
    assert_eq!(
        v["unknowns"][1]["reason"],
        "variable `allowed_cidr` has no value here: no default, no tfvars or -var, no caller argument that soclint could evaluate"
    );
    assert_eq!(
        v["summary"]["skipped_on_unknown"],
        serde_json::json!({"AWS-EC2-001": 1, "AWS-RDS-001": 1, "CFN-EC2-001": 1})
    );
    // the JSON report without -v keeps its shape
    let plain: serde_json::Value =
        serde_json::from_str(&check(dir.path(), &["--format", "json"])).expect("json");
    assert!(plain.get("unknowns").is_none());
    assert!(plain["summary"].get("skipped_on_unknown").is_none());
}

/// An expression is the repository's text: an escape sequence written in
/// it is shown, never sent to the terminal.
#[test]
fn an_unknown_expression_cannot_inject_into_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        MAIN_TF.replace(
            "[var.allowed_cidr]",
            "[format(\"%s\u{1b}]0;owned\u{7}\u{1b}[2J\", var.allowed_cidr)]",
        ),
    )
    .expect("write");
    let out = check(dir.path(), &["-v"]);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(!out.contains('\u{7}'), "{out:?}");
    assert!(
        out.contains(r#"main.tf:11:20: `format("%s\x1b]0;owned\x07\x1b[2J", var.allowed_cidr)`"#),
        "{out}"
    );
}

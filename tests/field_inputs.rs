//! Files read as the wrong format or not at all (issue 14 items 6 and 9),
//! each case a minimal file in the shape of the public repository where it
//! was met (bench/field/FAILURES.md, "Parse errors" and M7).
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// (rule, path, line, column) of a finding.
type Place = (String, String, u64, u64);

/// The findings of `check DIR --select SELECT`, and the JSON report.
fn check(dir: &Path, select: &str) -> (Vec<Place>, Value) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .env("SOCLINT_TODAY", "2026-11-25")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--select", select])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let list = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    (list, json)
}

fn place(rule: &str, path: &str, line: u64, column: u64) -> Place {
    (rule.into(), path.into(), line, column)
}

/// (path, line, message) of each file that could not be parsed.
fn errors(json: &Value) -> Vec<(String, u64, String)> {
    json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or("").into(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

const SSH_OPEN: &str = "  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
";

/// `.template` is CloudFormation's name for JSON and YAML alike: 16 YAML
/// `.template` files of aws-cloudformation-templates were parse errors
/// (read as JSON), `---` or `AWSTemplateFormatVersion:` on line 1.
#[test]
fn template_files_are_json_or_yaml_by_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let json = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Web": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "web",
        "SecurityGroupIngress": [
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
        ]
      }
    }
  }
}
"#;
    write(
        tmp.path(),
        &[
            (
                "agent/dashes.template",
                &format!("---\nAWSTemplateFormatVersion: '2010-09-09'\nResources:\n{SSH_OPEN}"),
            ),
            (
                "agent/plain.template",
                &format!("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{SSH_OPEN}"),
            ),
            ("agent/json.template", json),
            // a .template that is neither (a mail template) is nobody's business
            (
                "mail/welcome.template",
                "Hello {{ name }},\nwelcome aboard.\n",
            ),
        ],
    );
    let (found, report) = check(tmp.path(), "CFN-EC2-001");
    assert_eq!(errors(&report), vec![]);
    assert_eq!(
        found,
        vec![
            place("CFN-EC2-001", "agent/dashes.template", 12, 19),
            place("CFN-EC2-001", "agent/json.template", 9, 73),
            place("CFN-EC2-001", "agent/plain.template", 11, 19),
        ]
    );
    assert_eq!(report["summary"]["files_scanned"], 3);
}

/// A privileged Deployment in a file whose alert annotation holds
/// `{{ $labels.instance }}` in a quoted string was skipped as templated;
/// the string itself is unknown (never read as the value it will hold).
/// Markup YAML reads as structure (`name: {{ .Values.name }}`) is still a
/// template, skipped with a word.
#[test]
fn markup_inside_strings_is_yaml_as_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let alerts = "apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node
spec:
  groups:
    - name: node
      rules:
        - alert: NodeDown
          annotations:
            summary: \"{{ $labels.instance }} is down\"
            description: |
              {{ $value }} targets
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: exporter
  namespace: monitoring
spec:
  template:
    spec:
      containers:
        - name: exporter
          image: \"prom/node-exporter:v1.8.0\"
          securityContext:
            privileged: true
";
    let helm = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n";
    // a value that is all markup stays unknown: no finding about `{{ … }}`
    let image = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n    - name: a\n      image: \"{{ .Values.image }}\"\n";
    write(
        tmp.path(),
        &[
            ("monitoring/alerts.yaml", alerts),
            ("loose/pod.yaml", helm),
            ("web/pod.yaml", image),
        ],
    );
    let (found, report) = check(tmp.path(), "K8S-CTR-001,K8S-CTR-008");
    assert_eq!(
        found,
        vec![place("K8S-CTR-001", "monitoring/alerts.yaml", 27, 25)]
    );
    let skipped: Vec<(&str, &str)> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or(""),
                s["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(skipped, vec![("loose/pod.yaml", "templated")]);
}

/// Duplicate keys stay a parse error (YAML 1.2; PyYAML keeps the last), and
/// the message says which key and both lines (`CloudFront.yaml` repeats an
/// output 24 lines apart).
#[test]
fn duplicate_yaml_keys_name_the_key_and_both_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[(
            "cfn/site.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Site:\n    Type: AWS::S3::Bucket\nOutputs:\n  SGID:\n    Value: a\n  Other:\n    Value: b\n  SGID:\n    Value: c\n",
        )],
    );
    let (_, report) = check(tmp.path(), "CFN-S3-001");
    assert_eq!(
        errors(&report),
        vec![(
            "cfn/site.yaml".into(),
            10,
            "duplicated key `SGID` in mapping (lines 6 and 10)".into()
        )]
    );
}

/// Two indentation forms a strict YAML 1.2 parser rejects and PyYAML,
/// cfn-lint and CloudFormation accept (aws-cloudformation-templates:
/// `FindInMap_Inside_Sub.yaml`, `CreateHanaBackupSecureBackut.yaml`): read,
/// and a finding after them lands on its own line.
#[test]
fn indentation_cloudformation_accepts_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {{Service: s3.amazonaws.com}}
            Condition:
              StringLikeIfExists:
                    's3:x-amz-server-side-encryption': [
                        \"aws:kms\",
                        \"AES256\"
                    ]
{SSH_OPEN}Outputs:
  Steps:
    Description: how
    Value: 'Log in to the console, select
    your instance from the list'
"
    );
    write(tmp.path(), &[("cfn/stack.yaml", &text)]);
    let (found, report) = check(tmp.path(), "CFN-EC2-001");
    assert_eq!(errors(&report), vec![]);
    assert_eq!(found, vec![place("CFN-EC2-001", "cfn/stack.yaml", 25, 19)]);
}

/// An object literal that repeats a key is legal HCL (Terraform keeps the
/// last; a terraform-google-modules `main.tf` was dropped as a parse
/// error): the file is scanned with the value Terraform would use. A
/// `.tftpl` file is a template `templatefile()` reads, never a module file.
#[test]
fn repeated_object_keys_keep_the_last_and_tftpl_is_no_module() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let main = "locals {
  volume = {
    encrypted = true
    size      = 10
    encrypted = false
  }
}

resource \"aws_ebs_volume\" \"data\" {
  availability_zone = \"eu-west-1a\"
  size              = local.volume.size
  encrypted         = local.volume.encrypted
}
";
    let template =
        "resource \"aws_ebs_volume\" \"tpl\" {\n  availability_zone = \"${zone}\"\n  size = 1\n}\n";
    write(
        tmp.path(),
        &[("infra/main.tf", main), ("infra/volume.tftpl", template)],
    );
    let (found, report) = check(tmp.path(), "AWS-EBS-001");
    assert_eq!(errors(&report), vec![]);
    // the finding points at the local the value was set in (the object that
    // repeats the key), used on line 12
    assert_eq!(found, vec![place("AWS-EBS-001", "infra/main.tf", 2, 12)]);
    let landing = &report["findings"][0]["related"][0];
    assert_eq!(landing["role"], "landing");
    assert_eq!(
        (&landing["start_line"], &landing["start_column"]),
        (&12.into(), &23.into())
    );
    assert_eq!(report["summary"]["files_scanned"], 1);
}

//! CloudFormation values known before deployment (issue 14 item 5):
//! parameter defaults and `--cfn-parameters`, conditions, and the intrinsic
//! functions of known arguments; what depends on the deployment stays
//! unknown and rules skip it. 33 templates of aws-cloudformation-templates
//! default `SSHLocation` to `0.0.0.0/0`; none was reported.
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// (rule, resource, line, column) of each finding of `check DIR ARGS`.
fn findings(dir: &Path, args: &[&str]) -> (Vec<(String, String, u64, u64)>, Value) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .env("SOCLINT_TODAY", "2026-11-25")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--select", "CFN-EC2-001"])
        .args(args)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let list = json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule_id"].as_str().unwrap_or("").to_string(),
                        f["resource"].as_str().unwrap_or("").to_string(),
                        f["start_line"].as_u64().unwrap_or(0),
                        f["start_column"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (list, json)
}

fn hit(resource: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    ("CFN-EC2-001".into(), resource.into(), line, column)
}

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  SSHLocation:
    Type: String
    Default: 0.0.0.0/0
  Env:
    Type: String
    Default: prod
  Ports:
    Type: CommaDelimitedList
    Default: '22,3389'
  Shared:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /net/cidr
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Mappings:
  Regions:
    eu:
      Cidr: 0.0.0.0/0
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref SSHLocation
  DevOnly:
    Type: AWS::EC2::SecurityGroup
    Condition: IsDev
    Properties:
      GroupDescription: dev
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  ByIf:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: if
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: !Select [1, !Ref Ports]
          ToPort: 3389
          CidrIp: !If [IsProd, !FindInMap [Regions, eu, Cidr], 10.0.0.0/8]
  Joined:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: joined
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Join ['/', !Split ['|', !Sub '0.0.0.0|${Zero}', ]]
  Unknowns:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: deployment-time values
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !ImportValue shared-cidr}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Shared}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Sub '${AWS::Region}'}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !GetAtt Vpc.CidrBlock}
";

/// Defaults, conditions and functions of known values, in YAML's short form.
#[test]
fn parameter_defaults_conditions_and_functions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = TEMPLATE.replace("${Zero}", "0");
    std::fs::write(tmp.path().join("stack.yaml"), text).expect("write");
    let (found, report) = findings(tmp.path(), &[]);
    // `Web` takes `SSHLocation`'s default: the finding points at the
    // `Default` line (where the fix goes), the `!Ref` is where it lands
    assert_eq!(
        found,
        vec![
            hit("Web", 5, 14),
            hit("ByIf", 47, 32),
            hit("Joined", 56, 19)
        ]
    );
    let web = &report["findings"][0];
    assert_eq!(web["related"][0]["role"], "landing");
    assert_eq!(
        web["related"][0]["note"],
        "default of parameter `SSHLocation` is used by `Web`"
    );
    assert_eq!(web["related"][0]["start_line"], 31);
    assert_eq!(web["related"][0]["start_column"], 19);
    assert_eq!(report["errors"], serde_json::json!([]));
}

/// `--cfn-parameters` in each of the AWS CLI's forms overrides the defaults:
/// `Env=dev` creates the `DevOnly` group and turns `ByIf` to its other
/// branch; a narrow `SSHLocation` passes. A file outside the scanned
/// directory is refused.
#[test]
fn parameter_files_override_defaults() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("stack.yaml"), TEMPLATE.replace("${Zero}", "0")).expect("write");
    for (name, params) in [
        (
            "deploy.json",
            r#"{"Parameters": {"SSHLocation": "10.0.0.0/8", "Env": "dev"}}"#,
        ),
        ("overrides.json", r#"["SSHLocation=10.0.0.0/8", "Env=dev"]"#),
        (
            "create-stack.json",
            r#"[{"ParameterKey": "SSHLocation", "ParameterValue": "10.0.0.0/8"},
                {"ParameterKey": "Env", "ParameterValue": "dev"}]"#,
        ),
    ] {
        std::fs::write(dir.join(name), params).expect("write");
        let file = dir.join(name);
        let (found, _) = findings(&dir, &["--cfn-parameters", file.to_str().expect("utf-8")]);
        assert_eq!(
            found,
            vec![hit("DevOnly", 38, 63), hit("Joined", 56, 19)],
            "{name}"
        );
    }
    std::fs::write(tmp.path().join("outside.json"), "[]").expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .arg("check")
        .arg(&dir)
        .arg("--cfn-parameters")
        .arg(tmp.path().join("outside.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let words: Vec<&str> = err.split_whitespace().filter(|w| *w != "│").collect();
    assert!(
        words
            .join(" ")
            .contains("outside.json: not inside the scanned directory"),
        "{err}"
    );
}

/// JSON's long form (`{"Ref": …}`, `{"Fn::If": …}`; the finding points at
/// the parameter's `Default`), and `AWS::NoValue`
/// leaving a property out.
#[test]
fn long_form_functions_and_no_value() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"SSHLocation": {"Type": "String", "Default": "0.0.0.0/0"}},
  "Conditions": {"Open": {"Fn::Equals": [{"Ref": "SSHLocation"}, "0.0.0.0/0"]}},
  "Resources": {
    "Web": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": "web",
        "SecurityGroupIngress": [
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": {"Ref": "SSHLocation"}},
          {"Fn::If": ["Open", {"Ref": "AWS::NoValue"}, {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}
        ]
      }
    }
  }
}
"#;
    std::fs::write(tmp.path().join("stack.json"), template).expect("write");
    let (found, _) = findings(tmp.path(), &[]);
    assert_eq!(found, vec![hit("Web", 3, 63)]);
}

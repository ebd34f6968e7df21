//! AWS SAM templates (issue 18 item 6): the serverless resources are checked
//! by the CloudFormation rules under their own types and property paths, with
//! the template's `Globals` applied as the transform applies them — a finding
//! on a value set in `Globals` points at the `Globals` line. SAM's own test
//! templates (tests/translator/input) leave `Transform` out, so a serverless
//! resource is enough to make a template SAM.
use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::hit;

/// (rule, resource, line, column) of each finding of `check FILE`, sorted.
fn findings(text: &str, select: &str) -> Vec<common::Hit> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text).expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .arg("check")
        .arg(&path)
        .args(["--format", "json", "--select", select])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    common::hits(&json)
}

const GLOBALS: &str = "Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Tracing: PassThrough
    Environment:
      Variables:
        STRIPE_API_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc
Resources:
  Ingest:
    Type: AWS::Serverless::Function
    Properties:
      Handler: main.handler
      Environment:
        Variables:
          TABLE: ingest
  Traced:
    Type: AWS::Serverless::Function
    Properties:
      Tracing: Active
      Environment:
        Variables:
          STRIPE_API_KEY: '{{resolve:secretsmanager:stripe}}'
";

#[test]
fn a_value_set_in_globals_is_reported_at_its_globals_line() {
    assert_eq!(
        findings(GLOBALS, "CFN-LAMBDA-002,CFN-SEC-001"),
        vec![
            // the function's own variables are merged with Globals' ones
            hit("CFN-LAMBDA-002", "Ingest", 5, 14),
            hit("CFN-SEC-001", "Ingest", 8, 25),
        ]
    );
}

#[test]
fn a_function_value_wins_over_globals_and_globals_fill_the_gaps() {
    // `Traced` sets its own `Tracing` and its own `STRIPE_API_KEY` (a
    // dynamic reference): neither Globals value holds for it
    let found = findings(GLOBALS, "CFN-LAMBDA-002,CFN-SEC-001");
    assert!(found.iter().all(|f| f.1 != "Traced"), "{found:?}");
    // a function with no Properties at all takes Globals whole
    let text = "Globals:\n  Function:\n    Tracing: Active\nResources:\n  Bare:\n    Type: AWS::Serverless::Function\n";
    assert_eq!(findings(text, "CFN-LAMBDA-002"), vec![]);
}

#[test]
fn globals_apply_only_to_their_own_kind() {
    // `Globals: Api` says nothing about functions
    let text = "Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    TracingEnabled: true
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: main.handler
";
    assert_eq!(
        findings(text, "CFN-LAMBDA-002"),
        vec![hit("CFN-LAMBDA-002", "Fn", 6, 3)]
    );
}

#[test]
fn a_simple_table_keeps_its_data_when_removed() {
    let text = "Transform: AWS::Serverless-2016-10-31
Resources:
  Sessions:
    Type: AWS::Serverless::SimpleTable
  Kept:
    Type: AWS::Serverless::SimpleTable
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
";
    assert_eq!(
        findings(text, "CFN-STACK-001,CFN-STACK-002"),
        vec![
            hit("CFN-STACK-001", "Sessions", 3, 3),
            hit("CFN-STACK-002", "Sessions", 3, 3),
        ]
    );
}

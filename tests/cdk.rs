//! AWS CDK output (issue 18 item 6): `cdk.out/*.template.json` is
//! CloudFormation, read by its rules; a finding names the construct path
//! (`Metadata: aws:cdk:path`) a CDK user finds in their code, while
//! relations still follow the logical ids the template uses. The cloud
//! assembly's bookkeeping (`manifest.json`, `tree.json`, `*.assets.json`)
//! is no infrastructure and passes without a word; staged assets
//! (`asset.<sha256>`, copies of the app's code and Docker context) are
//! listed as skipped (`cdk-asset`) instead of being reported a second time.
//! Measured on Adel2k/Transcendence-cdk's committed cdk.out (8 stacks).
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

const TEMPLATE: &str = r#"{
 "Resources": {
  "MediaBucketB1A2C3D4": {
   "Type": "AWS::S3::Bucket",
   "Properties": {
    "LoggingConfiguration": {
     "DestinationBucketName": {
      "Ref": "AccessLogsE5F6A7B8"
     }
    }
   },
   "UpdateReplacePolicy": "Retain",
   "DeletionPolicy": "Retain",
   "Metadata": {
    "aws:cdk:path": "Media/MediaBucket/Resource"
   }
  },
  "AccessLogsE5F6A7B8": {
   "Type": "AWS::S3::Bucket",
   "UpdateReplacePolicy": "Retain",
   "DeletionPolicy": "Delete",
   "Metadata": {
    "aws:cdk:path": "Media/AccessLogs/Resource"
   }
  },
  "CDKMetadata": {
   "Type": "AWS::CDK::Metadata",
   "Properties": {
    "Analytics": "v2:deflate64:H4sIAAAAAAAA"
   },
   "Metadata": {
    "aws:cdk:path": "Media/CDKMetadata/Default"
   }
  }
 }
}
"#;

const HASH: &str = "0f4c1b9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";

/// A CDK project with its synthesised cloud assembly.
fn project(root: &Path) {
    let out = root.join("cdk.out");
    let asset = out.join(format!("asset.{HASH}"));
    std::fs::create_dir_all(&asset).expect("mkdir");
    std::fs::write(out.join("Media.template.json"), TEMPLATE).expect("write");
    std::fs::write(
        out.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"Media": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Media.template.json"}}}}"#,
    )
    .expect("write");
    std::fs::write(
        out.join("tree.json"),
        r#"{"version": "tree-0.1", "tree": {"id": "App", "path": "", "children": {"Media": {"id": "Media", "path": "Media", "attributes": {"aws:cdk:cloudformation:type": "AWS::S3::Bucket"}}}}}"#,
    )
    .expect("write");
    std::fs::write(
        out.join("Media.assets.json"),
        r#"{"version": "36.0.0", "files": {}, "dockerImages": {}}"#,
    )
    .expect("write");
    std::fs::write(out.join("cdk.out"), r#"{"version":"36.0.0"}"#).expect("write");
    // a Docker image asset: a copy of the app's own Dockerfile
    std::fs::write(asset.join("Dockerfile"), "FROM node\nRUN npm ci\n").expect("write");
    std::fs::write(
        out.join(format!("asset.{HASH}.yaml")),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
    )
    .expect("write");
}

fn check(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

/// (rule, resource, line, column) of each finding, sorted.
fn findings(json: &Value) -> Vec<common::Hit> {
    common::hits(json)
}

#[test]
fn findings_name_the_construct_and_relations_follow_logical_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let json = check(
        tmp.path(),
        &["--select", "CFN-S3-004,CFN-STACK-001,CFN-STACK-002"],
    );
    let hit = |rule: &str, resource: &str, line, column| {
        (rule.to_string(), resource.to_string(), line, column)
    };
    assert_eq!(
        findings(&json),
        vec![
            // the access-log bucket is exempt from CFN-S3-004: MediaBucket
            // logs into it by logical id (`Ref`)
            hit("CFN-STACK-001", "Media/AccessLogs/Resource", 21, 22),
        ]
    );
    // the message names the construct too
    assert_eq!(
        json["findings"][0]["message"],
        "`Media/AccessLogs/Resource` holds data and is deleted with the stack (DeletionPolicy: `Delete`)"
    );
}

#[test]
fn assembly_bookkeeping_is_quiet_and_assets_are_listed_as_skipped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let json = check(tmp.path(), &[]);
    // the template only: no manifest, tree, assets file, asset Dockerfile
    assert_eq!(json["summary"]["files_scanned"], 1, "{json:#}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let skipped: Vec<(&str, &str, &str)> = json["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or(""),
                s["reason"].as_str().unwrap_or(""),
                s["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let dir = format!("cdk.out/asset.{HASH}/");
    let file = format!("cdk.out/asset.{HASH}.yaml");
    let mut want = vec![
        (dir.as_str(), "cdk-asset", "ignored"),
        (file.as_str(), "cdk-asset", "ignored"),
    ];
    want.sort();
    assert_eq!(skipped, want);
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        paths.iter().all(|p| *p == "cdk.out/Media.template.json"),
        "{paths:?}"
    );
}

#[test]
fn an_asset_named_on_the_command_line_is_scanned() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let json = check(tmp.path(), &[&format!("cdk.out/asset.{HASH}")]);
    assert_eq!(json["summary"]["files_scanned"], 1, "{json:#}");
    assert_eq!(json["skipped"], serde_json::json!([]));
}

//! Minimal cases, in the shape of the real files, of what the field corpus
//! showed soclint getting wrong (bench/field/FAILURES.md) and that is not a
//! rule fixture: identities and fingerprints, subjects chosen across files.
use std::path::Path;

use soclint::config::Config;
use soclint::project::{build_rules, RuleOverrides};
use soclint::scan::{scan, ScanOptions};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// (rule, resource, line, fingerprint) of every finding of the built-in pack.
fn findings(dir: &Path) -> Vec<(String, String, usize, String)> {
    let rules = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let result = scan(&ScanOptions::for_directory(dir, 0), &rules);
    result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.id.clone(),
                f.resource.to_string(),
                f.location.start_line as usize,
                f.fingerprint.to_string(),
            )
        })
        .collect()
}

const WORKFLOW: &str = "\
name: release
on: push
permissions: {contents: read}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Tests
        run: make test
      - id: publish
        uses: pypa/gh-action-pypi-publish@release/v1
";

/// FAILURES.md item 7 (GitHub Actions fingerprints): a step is known by its
/// `id`, `name` or `uses`, so inserting a step keeps the other steps'
/// findings (and a baseline of them) as they were.
#[test]
fn inserting_a_step_keeps_the_other_steps_fingerprints() {
    let before = tempfile::tempdir().expect("tempdir");
    write(
        before.path(),
        &[(".github/workflows/release.yml", WORKFLOW)],
    );
    let after = tempfile::tempdir().expect("tempdir");
    let inserted = WORKFLOW.replace("    steps:\n", "    steps:\n      - run: echo start\n");
    write(
        after.path(),
        &[(".github/workflows/release.yml", &inserted)],
    );
    let strip = |v: Vec<(String, String, usize, String)>| -> Vec<(String, String, String)> {
        v.into_iter().map(|(r, res, _, fp)| (r, res, fp)).collect()
    };
    let old = strip(findings(before.path()));
    let new = strip(findings(after.path()));
    let addresses: Vec<&str> = old.iter().map(|(_, r, _)| r.as_str()).collect();
    assert!(
        addresses.contains(&"jobs.build.steps[actions/checkout@v4]")
            && addresses.contains(&"jobs.build.steps[publish]"),
        "{old:?}"
    );
    for f in &old {
        assert!(
            new.contains(f),
            "{f:?} changed when a step was inserted: {new:?}"
        );
    }
}

/// FAILURES.md F7: a VPC endpoint policy names `Principal: "*"` and AWS's
/// default allows every action; it narrows what passes the endpoint and is
/// neither an identity policy nor a public resource policy. The same
/// statement in a bucket policy is public.
#[test]
fn vpc_endpoint_policies_are_not_judged_as_iam_policies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let statement = "{ Effect: Allow, Principal: \"*\", Action: \"*\", Resource: \"*\" }";
    write(
        dir.path(),
        &[
            (
                "cfn/endpoints.yaml",
                &format!(
                    "AWSTemplateFormatVersion: \"2010-09-09\"\n\
                     Resources:\n\
                     \x20 DynamoDBEndpoint:\n\
                     \x20   Type: AWS::EC2::VPCEndpoint\n\
                     \x20   Properties:\n\
                     \x20     ServiceName: com.amazonaws.eu-west-1.dynamodb\n\
                     \x20     VpcId: vpc-0123456789abcdef0\n\
                     \x20     PolicyDocument:\n\
                     \x20       Statement:\n\
                     \x20         - {statement}\n\
                     \x20 DataPolicy:\n\
                     \x20   Type: AWS::S3::BucketPolicy\n\
                     \x20   Properties:\n\
                     \x20     Bucket: data\n\
                     \x20     PolicyDocument:\n\
                     \x20       Statement:\n\
                     \x20         - {statement}\n"
                ),
            ),
            (
                "tf/main.tf",
                "resource \"aws_vpc_endpoint\" \"s3\" {\n\
                 \x20 vpc_id       = \"vpc-0123456789abcdef0\"\n\
                 \x20 service_name = \"com.amazonaws.eu-west-1.s3\"\n\
                 \x20 policy = jsonencode({\n\
                 \x20   Statement = [{ Effect = \"Allow\", Principal = \"*\", Action = \"*\", Resource = \"*\" }]\n\
                 \x20 })\n\
                 }\n\
                 \n\
                 resource \"aws_vpc_endpoint_policy\" \"dynamodb\" {\n\
                 \x20 vpc_endpoint_id = \"vpce-0123456789abcdef0\"\n\
                 \x20 policy = jsonencode({\n\
                 \x20   Statement = [{ Effect = \"Allow\", Principal = \"*\", Action = \"*\", Resource = \"*\" }]\n\
                 \x20 })\n\
                 }\n",
            ),
        ],
    );
    let iam: Vec<(String, String, usize)> = findings(dir.path())
        .into_iter()
        .filter(|(rule, ..)| rule.starts_with("IAM-"))
        .map(|(rule, resource, line, _)| (rule, resource, line))
        .collect();
    let on = |res: &str| iam.iter().filter(|(_, r, _)| r.starts_with(res)).count();
    assert_eq!(on("DynamoDBEndpoint"), 0, "{iam:?}");
    assert_eq!(on("aws_vpc_endpoint"), 0, "{iam:?}");
    assert!(
        iam.contains(&(
            "IAM-PUBLIC-001".to_string(),
            "DataPolicy.PolicyDocument.Statement[0]".to_string(),
            17
        )),
        "{iam:?}"
    );
}

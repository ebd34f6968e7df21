//! OpenTofu files: `.tofu` and `.tofu.json` are read as Terraform, a `.tofu`
//! file replaces the `.tf` file of the same name (as OpenTofu loads them),
//! in a root module and in a module it calls, and the replaced file is said.
use std::path::Path;

use assert_cmd::Command;

mod common;

/// `check` run in a copy of the fixture tree (outside any repository).
fn check(args: &[&str]) -> (i32, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opentofu");
    common::copy_dir(&from, tmp.path());
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(tmp.path())
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text)
}

fn report_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains(": ") && !l.starts_with("Scanned"))
        .collect()
}

#[test]
fn tofu_files_are_read_and_replace_the_tf_file_of_their_name() {
    let (code, out) = check(&[".", "--format", "compact", "--select", "AWS-S3-001"]);
    assert_eq!(code, 1);
    assert_eq!(
        report_lines(&out),
        vec![
            "extra.tofu.json:1:71: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.logs` readable by anyone",
            // main.tf's `public-read` is not what OpenTofu applies
            "main.tofu:14:12: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read-write` makes `aws_s3_bucket_acl.site` readable by anyone",
            // the called module's main.tofu (not its private main.tf) uses
            // the value the caller set
            "main.tofu:19:12: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `module.store.aws_s3_bucket_acl.store` readable by anyone (used at modules/store/main.tofu:7:12) (via main.tofu:17:1)",
            "main.tf:1:1: WARNING not-scanned overridden: OpenTofu loads main.tofu instead of this file, and so does soclint",
            "modules/store/main.tf:1:1: WARNING not-scanned overridden: OpenTofu loads main.tofu instead of this file, and so does soclint",
        ]
    );
}

#[test]
fn a_tofu_file_named_alone_is_scanned_and_provider_for_each_parses() {
    let (code, out) = check(&[
        "main.tofu",
        "--format",
        "compact",
        "--select",
        "AWS-S3-001",
        "-v",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        report_lines(&out),
        vec!["main.tofu:14:12: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read-write` makes `aws_s3_bucket_acl.site` readable by anyone"]
    );
}

/// OpenTofu allows variables and locals in a module's `source` (evaluated
/// early); soclint follows literal sources only, and says so of the others.
#[test]
fn a_module_source_that_is_an_expression_is_said() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(tmp.path().join("modules/store")).expect("mkdir");
    std::fs::write(
        tmp.path().join("main.tofu"),
        "variable \"kind\" {\n  default = \"store\"\n}\n\nmodule \"store\" {\n  source = \"./modules/${var.kind}\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("modules/store/main.tf"),
        "resource \"aws_s3_bucket_acl\" \"s\" {\n  bucket = \"s\"\n  acl    = \"private\"\n}\n",
    )
    .expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .args(["check", ".", "--select", "AWS-S3-001"])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        text.contains("note: main.tofu: 6:12: module.store is not evaluated: its source is an expression, not a literal string\n"),
        "{text}"
    );
}

//! Modules `terraform init` downloaded (`.terraform/modules/modules.json`):
//! registry and git modules are evaluated from where it put them, with the
//! caller's arguments, even when `.terraform/` is git-ignored; a remote
//! module not downloaded is named as such.
use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// The tree as a checkout: `.gitignore` counts only in a git work tree
/// (outside one, soclint lets no ignore file hide anything).
fn git_init(dir: &Path) {
    if !dir.join(".git").exists() {
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("git runs");
        assert!(status.success());
    }
}

fn check(dir: &Path, format: &str) -> (i32, String) {
    git_init(dir);
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .args(["check", ".", "--select", "AWS-S3-001", "--format", format])
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

const CALLER: &str = r#"module "logs" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.2.2"
  acl     = "public-read"
}

module "other" {
  source = "git::https://example.com/other.git"
}
"#;

const MANIFEST: &str = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"logs","Source":"registry.terraform.io/terraform-aws-modules/s3-bucket/aws","Version":"4.2.2","Dir":".terraform/modules/logs"},{"Key":"logs.acl","Source":"./modules/acl","Dir":".terraform/modules/logs/modules/acl"}]}"#;

const DOWNLOADED: &str = r#"variable "acl" {
  type = string
}

module "acl" {
  source = "./modules/acl"
  acl    = var.acl
}

resource "aws_s3_bucket_acl" "own" {
  bucket = "own"
  acl    = "authenticated-read"
}
"#;

const NESTED: &str = r#"variable "acl" {}

resource "aws_s3_bucket_acl" "this" {
  bucket = "b"
  acl    = var.acl
}
"#;

#[test]
fn downloaded_modules_are_evaluated_with_the_callers_arguments() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("infra/main.tf", CALLER),
            ("infra/.terraform/modules/modules.json", MANIFEST),
            ("infra/.terraform/modules/logs/main.tf", DOWNLOADED),
            ("infra/.terraform/modules/logs/modules/acl/main.tf", NESTED),
            (".gitignore", ".terraform/\n"),
        ],
    );
    let (code, out) = check(tmp.path(), "compact");
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            // a value the downloaded module holds itself, at its line there
            "infra/.terraform/modules/logs/main.tf:12:12: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `authenticated-read` makes `module.logs.aws_s3_bucket_acl.own` readable by anyone (via infra/main.tf:1:1)",
            // the caller's argument, through a module the downloaded one calls
            "infra/main.tf:4:13: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `module.logs.module.acl.aws_s3_bucket_acl.this` readable by anyone (used at infra/.terraform/modules/logs/modules/acl/main.tf:5:12) (via infra/main.tf:1:1) (via infra/.terraform/modules/logs/main.tf:5:1)",
        ]
    );
    let (_, human) = check(tmp.path(), "human");
    assert!(
        human.contains("note: 1 remote Terraform module source not downloaded (`terraform init` puts them under .terraform/modules, where soclint evaluates them), not evaluated: git::https://example.com/other.git\n"),
        "{human}"
    );
}

#[test]
fn without_a_manifest_remote_modules_are_named_not_evaluated() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("main.tf", CALLER),
            // downloaded files without the manifest that says what they are
            (".terraform/modules/logs/main.tf", DOWNLOADED),
            (".gitignore", ".terraform/\n"),
        ],
    );
    let (code, out) = check(tmp.path(), "human");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("note: 2 remote Terraform module sources not downloaded (`terraform init` puts them under .terraform/modules, where soclint evaluates them), not evaluated: git::https://example.com/other.git, terraform-aws-modules/s3-bucket/aws\n"),
        "{out}"
    );
}

/// The manifest is the scanned repository's: a `Dir` that leaves the tree
/// (or a link out of it) is not read.
#[cfg(unix)]
#[test]
fn a_manifest_cannot_lead_outside_the_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), &[("main.tf", DOWNLOADED)]);
    let escape = format!(
        r#"{{"Modules":[{{"Key":"logs","Source":"x/y/aws","Dir":".terraform/modules/../../../{}"}},{{"Key":"other","Source":"git::https://example.com/other.git","Dir":".terraform/modules/other"}}]}}"#,
        outside.path().display()
    );
    write(
        tmp.path(),
        &[
            ("main.tf", CALLER),
            (".terraform/modules/modules.json", &escape),
            (".gitignore", ".terraform/\n"),
        ],
    );
    std::os::unix::fs::symlink(outside.path(), tmp.path().join(".terraform/modules/other"))
        .expect("symlink");
    let (code, out) = check(tmp.path(), "compact");
    assert_eq!((code, out.as_str()), (0, ""));
}

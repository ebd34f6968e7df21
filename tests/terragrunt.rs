//! Terragrunt: a `terragrunt.hcl` is evaluated as a root module — the module
//! its `terraform { source }` names, with its `inputs` (merged from the files
//! it includes, through `locals` and `read_terragrunt_config`) as the
//! module's variables. A finding on a value an input set points at the input;
//! what cannot be known (a remote source, `get_env`, a dependency's outputs)
//! is said, never guessed.
use std::path::Path;

use assert_cmd::Command;

mod common;

/// `check` run in a copy of a fixture tree (outside any repository).
fn check_in(fixture: &str, args: &[&str]) -> (i32, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    common::copy_dir(&from, tmp.path());
    run(tmp.path(), args)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(dir)
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

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

#[test]
fn a_live_tree_is_evaluated_through_its_modules_with_the_inputs() {
    let (code, out) = check_in(
        "tests/fixtures/terragrunt",
        &[".", "--format", "compact", "--select", "AWS-S3-001", "-v"],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        report_lines(&out),
        vec![
            // a source written in the configuration, the input it sets
            "live/prod/bucket/terragrunt.hcl:10:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read-write` makes `aws_s3_bucket_acl.this` readable by anyone (used at modules/bucket/main.tf:12:12) (via live/prod/bucket/terragrunt.hcl:6:12)",
            // the source from an included file (through its local and
            // get_parent_terragrunt_dir), its `acl = "private"` overridden
            "live/qa/bucket/terragrunt.hcl:11:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.this` readable by anyone (used at modules/bucket/main.tf:12:12) (via _envcommon/bucket.hcl:6:12)",
            "live/prod/from-env/terragrunt.hcl:1:1: WARNING not-scanned not-evaluated: its terraform source `\"${get_env(\"MODULES_DIR\", \"../../../modules\")}//bucket\"` is not known statically; not evaluated",
            // gruntwork-io/terragrunt-infrastructure-live-example's layout: an
            // exposed include's local, `?ref=` appended (shown without the
            // user part, as every remote address is)
            "live/prod/remote/terragrunt.hcl:1:1: WARNING not-scanned not-evaluated: its terraform source `github.com:acme/infrastructure-modules.git//modules/bucket?ref=v0.8.0` is not in this repository; not evaluated",
        ],
        "{out}"
    );
    // live/prod/after-vpc's acl is a dependency's output (its mock_outputs
    // are not used): unknown, so the rule skips; root.hcl's `environment`
    // reached both buckets (through read_terragrunt_config of env.hcl)
    let (_, json) = check_in(
        "tests/fixtures/terragrunt",
        &[".", "--format", "json", "--select", "AWS-S3-001"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["summary"]["unknown_attributes"], 1, "{json}");
    assert_eq!(v["summary"]["files_scanned"], 6, "{json}");
}

/// Cray-HPE/fawkes-terraform's layout: a root `terragrunt.hcl` that only
/// children include (found by `find_in_parent_folders()`), children whose
/// source is under `get_parent_terragrunt_dir()`.
#[test]
fn a_root_configuration_is_read_where_it_is_included_and_said_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            (
                "terragrunt.hcl",
                "locals {\n  acl = \"public-read\"\n}\n\ninputs = {\n  acl = local.acl\n}\n",
            ),
            (
                "dev/terragrunt.hcl",
                "include {\n  path = find_in_parent_folders()\n}\n\nterraform {\n  source = \"${get_parent_terragrunt_dir()}/modules/store\"\n}\n",
            ),
            (
                "modules/store/main.tf",
                "variable \"acl\" {}\n\nresource \"aws_s3_bucket_acl\" \"s\" {\n  bucket = \"s\"\n  acl    = var.acl\n}\n",
            ),
        ],
    );
    let (code, out) = run(
        tmp.path(),
        &[".", "--format", "compact", "--select", "AWS-S3-001"],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        report_lines(&out),
        vec![
            "terragrunt.hcl:6:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.s` readable by anyone (used at modules/store/main.tf:5:12) (via dev/terragrunt.hcl:6:12)",
            "terragrunt.hcl:1:1: WARNING not-scanned not-evaluated: no `terraform { source }` and no Terraform files beside it: nothing to evaluate (a configuration other ones include is read where they include it)",
        ],
        "{out}"
    );
}

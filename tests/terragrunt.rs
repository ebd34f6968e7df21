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
            // user part, as every remote address is, its `git::` kept)
            "live/prod/remote/terragrunt.hcl:1:1: WARNING not-scanned not-evaluated: its terraform source `git::github.com:acme/infrastructure-modules.git//modules/bucket?ref=v0.8.0` is not in this repository; not evaluated",
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

/// Terragrunt copies the configuration's directory into the module's before
/// it runs: a `.tf` file beside a `terragrunt.hcl` with a local source is part
/// of the root module (its findings were lost without a word), and a module
/// file of the same name is replaced by it.
#[test]
fn terraform_files_beside_the_configuration_join_its_module() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            (
                "modules/store/main.tf",
                "variable \"acl\" {}\n\nresource \"aws_s3_bucket_acl\" \"s\" {\n  bucket = \"s\"\n  acl    = var.acl\n}\n",
            ),
            (
                "modules/store/override_me.tf",
                "resource \"aws_db_instance\" \"replaced\" {\n  publicly_accessible = true\n}\n",
            ),
            (
                "live/prod/terragrunt.hcl",
                "terraform {\n  source = \"../../modules/store\"\n}\n\ninputs = {\n  acl = \"public-read\"\n}\n",
            ),
            (
                "live/prod/extra.tf",
                "resource \"aws_db_instance\" \"db\" {\n  identifier          = \"db\"\n  publicly_accessible = true\n}\n",
            ),
            ("live/prod/override_me.tf", "# nothing here\n"),
        ],
    );
    let (code, out) = run(
        tmp.path(),
        &[
            ".",
            "--format",
            "compact",
            "--select",
            "AWS-S3-001,AWS-RDS-002",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        report_lines(&out),
        vec![
            // beside the configuration: no `via` the source, which it did not come through
            "live/prod/extra.tf:3:25: CRITICAL AWS-RDS-002 [CC6.1,CC6.6] database `aws_db_instance.db` is publicly accessible",
            "live/prod/terragrunt.hcl:6:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.s` readable by anyone (used at modules/store/main.tf:5:12) (via live/prod/terragrunt.hcl:2:12)",
        ],
        "{out}"
    );
}

/// Scanning a live directory alone: the module is outside what was scanned,
/// which is what the report says (not "not known statically").
#[test]
fn a_source_outside_the_scanned_directory_is_named_as_such() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("modules/store/main.tf", "variable \"acl\" {}\n"),
            (
                "live/prod/terragrunt.hcl",
                "terraform {\n  source = \"../../modules/store\"\n}\n",
            ),
        ],
    );
    let (_, out) = run(&tmp.path().join("live"), &[".", "--format", "compact"]);
    assert_eq!(
        report_lines(&out),
        vec![
            "prod/terragrunt.hcl:1:1: WARNING not-scanned not-evaluated: its terraform source `../../modules/store` is outside the scanned directory; not evaluated (scan a directory that holds both, such as the repository's root)",
        ],
        "{out}"
    );
}

/// A `generate` block that writes resources, and an included configuration
/// that includes another: code and configuration soclint does not read, said
/// at their line; a generated provider (which no rule reads) is not.
#[test]
fn generated_code_and_nested_includes_are_said() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("modules/store/main.tf", "variable \"acl\" {}\n"),
            (
                "live/root.hcl",
                "locals {\n  region = \"us-east-1\"\n}\n\ngenerate \"provider\" {\n  path     = \"provider.tf\"\n  contents = <<EOT\nprovider \"aws\" {\n  region = \"${local.region}\"\n}\nEOT\n}\n\ngenerate \"extras\" {\n  path     = \"extras.tf\"\n  contents = <<EOT\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs-${local.region}\"\n}\nEOT\n}\n\ninclude \"deeper\" {\n  path = \"other.hcl\"\n}\n",
            ),
            (
                "live/prod/terragrunt.hcl",
                "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\nterraform {\n  source = \"../../modules/store\"\n}\n",
            ),
        ],
    );
    let (_, out) = run(tmp.path(), &[".", "-v"]);
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        vec![
            "note: live/root.hcl: 16:14: generate \"extras\" writes `extras.tf` with resource, module or data blocks when Terragrunt runs; generated code is not evaluated",
            "note: live/root.hcl: 24:10: an included configuration's own `include` is not followed (Terragrunt does not support nested includes)",
        ],
        "{out}"
    );
}

/// Cray-HPE/fawkes-terraform: `generate` blocks whose contents loop over a
/// value not known statically; the one writing module calls is named, the one
/// writing providers is not.
#[test]
fn generated_code_from_unknown_contents_is_judged_by_its_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("modules/hv/main.tf", "variable \"name\" {}\n"),
            (
                "terragrunt.hcl",
                "locals {\n  hypervisors = jsondecode(get_env(\"HVS\", \"{}\"))\n}\n\ngenerate \"hypervisors\" {\n  path     = \"hypervisors.tf\"\n  contents = <<EOF\n%{for name, attrs in local.hypervisors~}\nmodule \"${name}-hv\" {\n  source = \"./modules/hv\"\n}\n%{endfor~}\nEOF\n}\n\ngenerate \"provider\" {\n  path     = \"providers.tf\"\n  contents = <<EOF\n%{for name, attrs in local.hypervisors~}\nprovider \"libvirt\" {\n  alias = \"${name}\"\n}\n%{endfor~}\nEOF\n}\n",
            ),
        ],
    );
    let (_, out) = run(tmp.path(), &["."]);
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        vec![
            "note: terragrunt.hcl: 7:14: generate \"hypervisors\" writes `hypervisors.tf` with resource, module or data blocks from contents not known statically; generated code is not evaluated",
        ],
        "{out}"
    );
}

//! How Terraform directories that call each other are evaluated: calls come
//! from parsed `module` blocks only, a directory counts as called only when a
//! kept root evaluated an instance of it, and every other directory is a root
//! of its own, so no finding or evidence vanishes because of the call graph.
use std::path::Path;

use assert_cmd::Command;

/// A resource with one critical finding (AWS-S3-001) on line 2.
const BAD: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn soclint(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args(args)
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Exit code and (rule, path:line, resource) of each finding of `check .`
/// for the AWS rules.
fn check(dir: &Path) -> (i32, Vec<(String, String, String)>) {
    let (code, v) = soclint(dir, &["check", ".", "--select", "AWS", "--format", "json"]);
    let findings = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                format!("{}:{}", f["path"].as_str().unwrap_or(""), f["start_line"]),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (code, findings)
}

fn finding(path_line: &str, resource: &str) -> (String, String, String) {
    ("AWS-S3-001".into(), path_line.into(), resource.into())
}

/// FINDINGS H1: a comment that reads like a module call hid the directory it
/// names (a text search took it for a call, and the directory was dropped as
/// a root).
#[test]
fn a_comment_naming_a_directory_does_not_hide_it() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            ("infra/main.tf", BAD),
            (
                "docs/notes.tf",
                "# Historical note: this used to be wired with source = \"../infra\" before the split.\nlocals {}\n",
            ),
            // a string that reads like one is not a call either
            (
                "docs/more.tf",
                "locals {\n  note = \"source = \\\"../infra\\\"\"\n}\n",
            ),
        ],
    );
    let (code, findings) = check(t.path());
    assert_eq!(
        findings,
        vec![finding("infra/main.tf:2", "aws_s3_bucket_acl.x")]
    );
    assert_eq!(code, 1);
}

/// FINDINGS H1: a call that makes no instance (`count = 0`, an empty
/// `for_each`) does not evaluate the directory, so it stays a root.
#[test]
fn a_call_that_makes_no_instance_leaves_the_directory_a_root() {
    for call in [
        "count  = 0",
        "for_each = {}",
        "for_each = toset([])",
        "count = false ? 1 : 0",
    ] {
        let t = tempfile::tempdir().expect("tmp");
        write(
            t.path(),
            &[
                ("infra/main.tf", BAD),
                (
                    "legacy/main.tf",
                    &format!("module \"legacy\" {{\n  source = \"../infra\"\n  {call}\n}}\n"),
                ),
            ],
        );
        let (code, findings) = check(t.path());
        assert_eq!(
            findings,
            vec![finding("infra/main.tf:2", "aws_s3_bucket_acl.x")],
            "{call}"
        );
        assert_eq!(code, 1, "{call}");
    }
}

/// A caller that itself is only called with `count = 0` is a root of its own,
/// and so still evaluates the directory it calls (once: not also as a root).
#[test]
fn a_dead_caller_is_a_root_and_evaluates_its_callee() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            ("infra/main.tf", BAD),
            (
                "caller/main.tf",
                "module \"infra\" {\n  source = \"../infra\"\n}\n",
            ),
            (
                "top/main.tf",
                "module \"caller\" {\n  source = \"../caller\"\n  count  = 0\n}\n",
            ),
        ],
    );
    let (_, findings) = check(t.path());
    assert_eq!(
        findings,
        vec![finding(
            "infra/main.tf:2",
            "module.infra.aws_s3_bucket_acl.x"
        )]
    );
}

/// FINDINGS H1: directories that call each other in a cycle were all dropped
/// as called; the first of the cycle is now a root that evaluates the rest.
/// The evidence report says the criteria have exceptions rather than needing manual evidence.
#[test]
fn a_cycle_of_two_is_evaluated_from_its_first_directory() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            (
                "cyc/a/main.tf",
                &format!("{BAD}module \"b\" {{\n  source = \"../b\"\n}}\n"),
            ),
            ("cyc/b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
        ],
    );
    let (code, findings) = check(t.path());
    assert_eq!(
        findings,
        vec![finding("cyc/a/main.tf:2", "aws_s3_bucket_acl.x")]
    );
    assert_eq!(code, 1);
    let (_, report) = soclint(
        t.path(),
        &["report", ".", "--select", "AWS", "--format", "json"],
    );
    let status = |id: &str| {
        report["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].clone())
    };
    assert_eq!(status("CC6.1"), Some("exceptions-found".into()));
    assert_eq!(status("CC6.6"), Some("exceptions-found".into()));
}

/// A cycle of three with a finding in each directory: each is reported once,
/// in the module instances the first directory's evaluation made.
#[test]
fn a_cycle_of_three_reports_each_directory_once() {
    let t = tempfile::tempdir().expect("tmp");
    let call = |to: &str| format!("{BAD}module \"{to}\" {{\n  source = \"../{to}\"\n}}\n");
    write(
        t.path(),
        &[
            ("a/main.tf", &call("b")),
            ("b/main.tf", &call("c")),
            ("c/main.tf", &call("a")),
        ],
    );
    let (_, findings) = check(t.path());
    assert_eq!(
        findings,
        vec![
            finding("a/main.tf:2", "aws_s3_bucket_acl.x"),
            finding("b/main.tf:2", "module.b.aws_s3_bucket_acl.x"),
            finding("c/main.tf:2", "module.b.module.c.aws_s3_bucket_acl.x"),
        ]
    );
}

/// A file that fails to parse calls nothing: the directory its broken
/// `module` block names is a root, and the parse error is reported.
#[test]
fn a_call_from_a_file_that_fails_to_parse_does_not_hide_the_callee() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            ("infra/main.tf", BAD),
            (
                "broken/main.tf",
                "module \"infra\" {\n  source = \"../infra\"\n}\nresource \"x\" {\n",
            ),
        ],
    );
    let (code, v) = soclint(
        t.path(),
        &["check", ".", "--select", "AWS", "--format", "json"],
    );
    assert_eq!(v["findings"][0]["path"], "infra/main.tf");
    assert_eq!(v["findings"][0]["resource"], "aws_s3_bucket_acl.x");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["errors"][0]["path"], "broken/main.tf");
    assert_eq!(code, 1);
}

/// A source that climbs above the scanned root names no scanned directory
/// (it used to be clamped to the root: `a` + `../../infra` was `infra`).
#[test]
fn a_source_above_the_root_calls_nothing_in_the_scan() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            ("infra/main.tf", BAD),
            (
                "a/main.tf",
                "module \"infra\" {\n  source = \"../../infra\"\n}\n",
            ),
        ],
    );
    let (_, findings) = check(t.path());
    assert_eq!(
        findings,
        vec![finding("infra/main.tf:2", "aws_s3_bucket_acl.x")]
    );
}

/// issue 14 item 1, FAILURES.md M14: two example directories call one module
/// under the same `module "db"`. Their findings inside the module used to
/// merge into one (same path, line, rule and address), so one example's
/// `deletion_protection = false` was never reported. The call chain is part
/// of a finding's identity: each caller gets its own.
#[test]
fn two_callers_of_one_module_name_keep_their_findings_apart() {
    let t = tempfile::tempdir().expect("tmp");
    let example = |protect: &str| {
        format!("module \"db\" {{\n  source              = \"../../modules/db\"\n  deletion_protection = {protect}\n}}\n")
    };
    write(
        t.path(),
        &[
            (
                "modules/db/main.tf",
                "variable \"deletion_protection\" {\n  default = true\n}\n\nresource \"aws_db_instance\" \"this\" {\n  deletion_protection = var.deletion_protection\n}\n",
            ),
            ("examples/a/main.tf", &example("false")),
            ("examples/b/main.tf", &example("false")),
            ("examples/c/main.tf", &example("true")),
        ],
    );
    let (_, v) = soclint(
        t.path(),
        &["check", ".", "--select", "AWS-RDS-004", "--format", "json"],
    );
    let findings: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap_or("").to_string(),
                // where the example sets the argument, then the call
                format!(
                    "{}:{} via {}:{}",
                    f["path"].as_str().unwrap_or(""),
                    f["start_line"],
                    f["related"][1]["path"].as_str().unwrap_or(""),
                    f["related"][1]["start_line"]
                ),
            )
        })
        .collect();
    assert_eq!(
        findings,
        vec![
            (
                "module.db.aws_db_instance.this".into(),
                "examples/a/main.tf:3 via examples/a/main.tf:1".into()
            ),
            (
                "module.db.aws_db_instance.this".into(),
                "examples/b/main.tf:3 via examples/b/main.tf:1".into()
            ),
        ]
    );
}

/// Issue 14 item 7: a module called with `create = false` (terraform-aws-modules'
/// convention: `create`, `create_bucket`, … feeding `count`/`for_each`, often
/// through `local.create = var.create && var.putin_khuylo`, and down to
/// nested modules) creates nothing, so nothing of it is reported, even when
/// the rest of the condition is unknown (`false && unknown` is false, as in
/// Terraform); the same module called with `create = true` is reported.
#[test]
fn a_module_called_with_create_false_creates_nothing() {
    let t = tempfile::tempdir().expect("tmp");
    let module = r#"variable "create" {
  type    = bool
  default = true
}

variable "create_bucket" {
  type    = bool
  default = true
}

variable "putin_khuylo" {
  type    = bool
  default = true
}

locals {
  create = var.create && var.putin_khuylo
}

resource "aws_s3_bucket_acl" "counted" {
  count  = local.create && var.create_bucket ? 1 : 0
  bucket = "a"
  acl    = "public-read"
}

resource "aws_s3_bucket_acl" "unknown_rest" {
  count  = local.create && data.aws_caller_identity.current.id != "" ? 1 : 0
  bucket = "b"
  acl    = "public-read"
}

resource "aws_s3_bucket_acl" "each" {
  for_each = local.create ? toset(data.aws_s3_bucket.names.ids) : toset([])
  bucket   = each.key
  acl      = "public-read"
}

module "nested" {
  source = "./nested"
  count  = local.create ? 1 : 0
}
"#;
    let nested = "resource \"aws_s3_bucket_acl\" \"inner\" {\n  bucket = \"n\"\n  acl    = \"public-read\"\n}\n";
    write(
        t.path(),
        &[
            ("modules/bucket/main.tf", module),
            ("modules/bucket/nested/main.tf", nested),
            (
                "examples/disabled/main.tf",
                "module \"off\" {\n  source = \"../../modules/bucket\"\n  create = false\n}\n\nmodule \"no_bucket\" {\n  source        = \"../../modules/bucket\"\n  create_bucket = false\n}\n",
            ),
        ],
    );
    let (_, found) = check(t.path());
    // `no_bucket` only turns the counted bucket off (the ones whose count or
    // for_each stays unknown are evaluated once, without an index); `off`
    // makes nothing
    assert_eq!(
        found,
        vec![
            finding(
                "modules/bucket/main.tf:29",
                "module.no_bucket.aws_s3_bucket_acl.unknown_rest"
            ),
            finding(
                "modules/bucket/main.tf:35",
                "module.no_bucket.aws_s3_bucket_acl.each"
            ),
            finding(
                "modules/bucket/nested/main.tf:3",
                "module.no_bucket.module.nested[0].aws_s3_bucket_acl.inner"
            ),
        ]
    );
}

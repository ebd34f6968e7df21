//! Provenance (issue 14 item 2): a finding whose offending value was set
//! elsewhere (a variables file, a variable's default, a module argument)
//! points where it was set, the line a person edits, with the attribute that
//! uses it as a related "landing" site in every format; a value set on the
//! command line leaves the finding at its use with a note saying so.
use std::path::Path;

use assert_cmd::Command;

const MAIN: &str = r#"variable "acl" {
  default = "private"
}

variable "retention" {
  default = 14
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "x"
  acl    = var.acl
}

resource "aws_cloudwatch_log_group" "g" {
  name              = "g"
  retention_in_days = var.retention
}
"#;

/// The module's variables: `acl` from terraform.tfvars, `retention` from its default.
fn layout(tfvars: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), MAIN).expect("write");
    std::fs::write(dir.path().join("terraform.tfvars"), tfvars).expect("write");
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(["check", ".", "--select", "AWS-S3-001,AWS-CW-001"])
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The report in `format` (json or sarif).
fn report(dir: &Path, format: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", format];
    all.extend(args);
    let (_, out) = run(dir, &all);
    serde_json::from_str(&out).expect("json")
}

/// (path, line, column, end line, end column) of a JSON place.
fn place(v: &serde_json::Value) -> (String, u64, u64, u64, u64) {
    (
        v["path"].as_str().unwrap_or("").to_string(),
        v["start_line"].as_u64().unwrap_or(0),
        v["start_column"].as_u64().unwrap_or(0),
        v["end_line"].as_u64().unwrap_or(0),
        v["end_column"].as_u64().unwrap_or(0),
    )
}

fn at(path: &str, l: u64, c: u64, el: u64, ec: u64) -> (String, u64, u64, u64, u64) {
    (path.to_string(), l, c, el, ec)
}

#[test]
fn json_points_where_the_value_was_set_and_names_where_it_lands() {
    let dir = layout("acl = \"public-read\"\n");
    let v = report(dir.path(), "json", &[]);
    let f = v["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 2, "{v}");
    // the default of `retention` (main.tf:6), used on line 16
    assert_eq!(f[0]["rule_id"], "AWS-CW-001");
    assert_eq!(place(&f[0]), at("main.tf", 6, 13, 6, 15));
    assert_eq!(f[0]["related"][0]["role"], "landing");
    assert_eq!(
        f[0]["related"][0]["note"],
        "default of variable `retention` is used by `aws_cloudwatch_log_group.g`"
    );
    assert_eq!(place(&f[0]["related"][0]), at("main.tf", 16, 23, 16, 36));
    // the value in terraform.tfvars, used on line 11
    assert_eq!(f[1]["rule_id"], "AWS-S3-001");
    assert_eq!(place(&f[1]), at("terraform.tfvars", 1, 7, 1, 20));
    assert_eq!(
        f[1]["related"][0]["note"],
        "`acl` in terraform.tfvars is used by `aws_s3_bucket_acl.b`"
    );
    assert_eq!(place(&f[1]["related"][0]), at("main.tf", 11, 12, 11, 19));
    assert_eq!(f[1]["related"].as_array().map(Vec::len), Some(1));
}

#[test]
fn human_labels_the_use_in_the_same_snippet_or_names_it_below() {
    let dir = layout("acl = \"public-read\"\n");
    let (code, out) = run(dir.path(), &[]);
    assert_eq!(code, 1);
    let diagnostics = out.split("Scanned ").next().unwrap_or("");
    assert_eq!(
        diagnostics,
        r#"── critical (1 finding) ──

AWS-S3-001

  × critical S3 bucket ACL does not grant public access [CC6.1 · CC6.6]
   ╭─[terraform.tfvars:1:7]
 1 │ acl = "public-read"
   ·       ──────┬──────
   ·             ╰── bucket ACL `public-read` makes `aws_s3_bucket_acl.b` readable by anyone
   ╰────
  help: Remove the public ACL (use `private`) and grant access through IAM or bucket policies
        scoped to known principals.
  = `acl` in terraform.tfvars is used by `aws_s3_bucket_acl.b` at main.tf:11:12

── medium (1 finding) ──

AWS-CW-001

  ⚠ medium CloudWatch log group keeps logs for at least a year [CC7.2 · CC7.3 · C1.2]
   ╭─[main.tf:6:13]
 5 │ variable "retention" {
 6 │   default = 14
   ·             ─┬
   ·              ╰── log group `aws_cloudwatch_log_group.g` keeps logs for only `14` day(s)
 7 │ }
   ╰────
    ╭─[main.tf:16:23]
 15 │   name              = "g"
 16 │   retention_in_days = var.retention
    ·                       ──────┬──────
    ·                             ╰── default of variable `retention` is used by `aws_cloudwatch_log_group.g`
 17 │ }
    ╰────
  help: Set `retention_in_days` to 365 or more (or leave it unset / 0 to never expire).

"#
    );
}

#[test]
fn sarif_related_locations_are_linked_from_the_message() {
    let dir = layout("acl = \"public-read\"\n");
    let v = report(dir.path(), "sarif", &[]);
    let results = v["runs"][0]["results"].as_array().expect("results");
    let s3 = results
        .iter()
        .find(|r| r["ruleId"] == "AWS-S3-001")
        .expect("AWS-S3-001");
    assert_eq!(
        s3["message"]["text"],
        "bucket ACL `public-read` makes `aws_s3_bucket_acl.b` readable by anyone (value used at [main.tf:11](1))."
    );
    let primary = &s3["locations"][0]["physicalLocation"];
    assert_eq!(primary["artifactLocation"]["uri"], "terraform.tfvars");
    assert_eq!(
        primary["region"],
        serde_json::json!({ "startLine": 1, "startColumn": 7, "endLine": 1, "endColumn": 20 })
    );
    let related = &s3["relatedLocations"];
    assert_eq!(related.as_array().map(Vec::len), Some(1));
    assert_eq!(related[0]["id"], 1);
    assert_eq!(related[0]["properties"]["role"], "landing");
    assert_eq!(
        related[0]["message"]["text"],
        "`acl` in terraform.tfvars is used by `aws_s3_bucket_acl.b`."
    );
    assert_eq!(
        related[0]["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
    assert_eq!(
        related[0]["physicalLocation"]["region"],
        serde_json::json!({ "startLine": 11, "startColumn": 12, "endLine": 11, "endColumn": 19 })
    );
}

#[test]
fn a_value_from_the_command_line_stays_at_its_use_and_says_so() {
    let dir = layout("");
    let v = report(dir.path(), "json", &["--var", "acl=public-read"]);
    let f = &v["findings"][1];
    assert_eq!(f["rule_id"], "AWS-S3-001");
    assert_eq!(place(f), at("main.tf", 11, 12, 11, 19));
    assert_eq!(
        f["related"],
        serde_json::json!([{ "role": "set-at", "note": "the value is set by --var acl" }])
    );
    let v = report(dir.path(), "sarif", &["--var", "acl=public-read"]);
    let s3 = &v["runs"][0]["results"][1];
    assert_eq!(
        s3["message"]["text"],
        "bucket ACL `public-read` makes `aws_s3_bucket_acl.b` readable by anyone (the value is set by --var acl)."
    );
    assert!(s3["relatedLocations"][0].get("physicalLocation").is_none());
}

#[test]
fn a_suppression_where_the_value_is_set_or_where_it_lands_covers_it() {
    let dir =
        layout("# soclint:ignore AWS-S3-001 reason=\"a public website\"\nacl = \"public-read\"\n");
    let v = report(dir.path(), "json", &[]);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(rules, ["AWS-CW-001"]);
    assert_eq!(v["suppressed"][0]["rule_id"], "AWS-S3-001", "{v}");

    // the same comment beside the use in the module
    let dir = layout("acl = \"public-read\"\n");
    let main = MAIN.replace(
        "  acl    = var.acl\n",
        "  acl    = var.acl # soclint:ignore AWS-S3-001 reason=\"a public website\"\n",
    );
    std::fs::write(dir.path().join("main.tf"), main).expect("write");
    let v = report(dir.path(), "json", &[]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1), "{v}");
}

/// terraform-aws-modules' shape: an example directory calls the module with
/// a literal argument; the finding is at the example's argument, the module's
/// attribute and the call are related places, and the fingerprint is the
/// landing's (the same as before findings moved, so baselines still match).
#[test]
fn a_module_argument_in_an_example_is_where_the_fix_goes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("examples/complete")).expect("mkdir");
    std::fs::write(
        d.join("main.tf"),
        "variable \"acl\" {\n  type    = string\n  default = null\n}\n\nresource \"aws_s3_bucket_acl\" \"this\" {\n  count  = var.acl != null ? 1 : 0\n  bucket = \"b\"\n  acl    = var.acl\n}\n",
    )
    .expect("write");
    std::fs::write(
        d.join("examples/complete/main.tf"),
        "module \"s3_bucket\" {\n  source = \"../../\"\n\n  acl = \"public-read\"\n}\n",
    )
    .expect("write");
    let v = report(d, "json", &[]);
    let f = &v["findings"][0];
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(f["resource"], "module.s3_bucket.aws_s3_bucket_acl.this[0]");
    assert_eq!(place(f), at("examples/complete/main.tf", 4, 9, 4, 22));
    assert_eq!(f["related"][0]["role"], "landing");
    assert_eq!(
        f["related"][0]["note"],
        "module argument `acl` is used by `module.s3_bucket.aws_s3_bucket_acl.this[0]`"
    );
    assert_eq!(place(&f["related"][0]), at("main.tf", 9, 12, 9, 19));
    assert_eq!(f["related"][1]["role"], "module-call");
    assert_eq!(
        place(&f["related"][1]),
        at("examples/complete/main.tf", 1, 1, 1, 19)
    );
    let (_, compact) = run(d, &["--format", "compact"]);
    assert_eq!(
        compact,
        "examples/complete/main.tf:4:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `module.s3_bucket.aws_s3_bucket_acl.this[0]` readable by anyone (used at main.tf:9:12) (via examples/complete/main.tf:1:1)\n"
    );
}

/// A value a local chose (a conditional's branch) is set at that branch.
#[test]
fn a_local_points_at_the_part_of_its_expression_the_value_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"public\" {\n  default = true\n}\n\nlocals {\n  acl = var.public ? \"public-read\" : \"private\"\n}\n\nresource \"aws_s3_bucket_acl\" \"b\" {\n  bucket = \"x\"\n  acl    = local.acl\n}\n",
    )
    .expect("write");
    let v = report(dir.path(), "json", &[]);
    let f = &v["findings"][0];
    assert_eq!(place(f), at("main.tf", 6, 22, 6, 35));
    assert_eq!(
        f["related"][0]["note"],
        "local `acl` is used by `aws_s3_bucket_acl.b`"
    );
    assert_eq!(place(&f["related"][0]), at("main.tf", 11, 12, 11, 21));
}

/// A secret set in a variables file is masked there, where the finding now
/// points, in every format that shows source.
#[test]
fn a_secret_set_in_a_variables_file_is_masked_where_it_was_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"db_password\" {\n  type = string\n}\n\nresource \"aws_lambda_function\" \"billing\" {\n  function_name = \"billing\"\n  environment {\n    variables = {\n      DB_PASSWORD = var.db_password\n    }\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("terraform.tfvars"),
        "db_password = \"hunter2-very-secret\"\n",
    )
    .expect("write");
    for format in [
        "human", "json", "sarif", "compact", "markdown", "junit", "gitlab", "github",
    ] {
        let out = Command::cargo_bin("soclint")
            .expect("binary built")
            .current_dir(dir.path())
            .args(["check", ".", "--select", "AWS-LMB-001", "--format", format])
            .output()
            .expect("runs");
        let out = String::from_utf8_lossy(&out.stdout);
        assert!(out.contains("AWS-LMB-001"), "{format}: {out}");
        assert!(!out.contains("hunter2-very-secret"), "{format}: {out}");
    }
    let (_, human) = run(dir.path(), &["--select", "AWS-LMB-001"]);
    assert!(
        human.contains(" 1 │ db_password = \"hun*****************\n"),
        "{human}"
    );
}

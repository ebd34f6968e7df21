//! The static Terraform evaluator, end to end: each construct with a
//! false-positive trap next to it, and a module-heavy fixture.
use std::path::Path;

use assert_cmd::Command;

mod common;

/// (rule, path, line, resource) of each finding, plus the JSON report.
fn scan(dir: &Path, extra: &[&str]) -> (Vec<(String, String, u64, String)>, serde_json::Value) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("SOCLINT_TODAY", "2026-11-25")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--fail-on", "never"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (findings, v)
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

#[test]
fn module_heavy_fixture_reports_each_instance_at_the_module_line() {
    // a copy outside the checkout: paths are then relative to it
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform_modules");
    common::copy_dir(&from, tmp.path());
    let (findings, v) = scan(tmp.path(), &["--select", "AWS-S3-001,AWS-RDS-001"]);
    assert_eq!(
        findings,
        vec![
            // where the values were set: the caller's argument, the caller's local
            (
                "AWS-S3-001".into(),
                "main.tf".into(),
                5,
                "module.public_site.aws_s3_bucket_acl.this".into()
            ),
            (
                "AWS-RDS-001".into(),
                "main.tf".into(),
                23,
                "module.db.aws_db_instance.main".into()
            ),
        ]
    );
    // where each value lands inside the module, then the call that led there
    let sites = |f: &serde_json::Value| -> Vec<(String, String, u64, u64)> {
        f["related"]
            .as_array()
            .expect("related")
            .iter()
            .map(|r| {
                (
                    r["role"].as_str().unwrap_or("").to_string(),
                    r["path"].as_str().unwrap_or("").to_string(),
                    r["start_line"].as_u64().unwrap_or(0),
                    r["start_column"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let s = |role: &str, path: &str, line, col| (role.to_string(), path.to_string(), line, col);
    assert_eq!(v["findings"][0]["start_column"], 12);
    assert_eq!(
        sites(&v["findings"][0]),
        vec![
            s("landing", "modules/bucket/main.tf", 13, 12),
            s("module-call", "main.tf", 2, 1)
        ]
    );
    assert_eq!(
        v["findings"][0]["related"][0]["note"],
        "module argument `acl` is used by `module.public_site.aws_s3_bucket_acl.this`"
    );
    assert_eq!(v["findings"][1]["start_column"], 16);
    assert_eq!(
        sites(&v["findings"][1]),
        vec![
            s("landing", "modules/db/main.tf", 8, 29),
            s("module-call", "main.tf", 13, 1)
        ]
    );
    assert_eq!(
        v["summary"]["remote_modules"][0],
        "terraform-aws-modules/vpc/aws"
    );
    // the prod environment encrypts: the module input follows the root variable
    let (findings, _) = scan(
        tmp.path(),
        &["--select", "AWS-RDS-001", "--var", "environment=prod"],
    );
    assert!(findings.is_empty(), "{findings:?}");
}

const BUCKET_ACL: &str = r#"variable "acl" {
  default = "private"
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "x"
  acl    = var.acl
}
"#;

#[test]
fn variables_defaults_tfvars_var_file_and_cli() {
    // the scanned module in `repo/`, the variable file beside it (not
    // scanned), both inside this test's own temporary directory
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    let t = repo.as_path();
    write(t, &[("main.tf", BUCKET_ACL)]);
    // trap: a compliant default
    let (f, _) = scan(t, &["--select", "AWS-S3-001"]);
    assert!(f.is_empty(), "{f:?}");
    // --var overrides the default
    let (f, _) = scan(t, &["--select", "AWS-S3-001", "--var", "acl=public-read"]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].2, 7);
    // --var-file
    write(
        tmp.path(),
        &[("prod.tfvars", "acl = \"public-read-write\"\n")],
    );
    let vf = tmp.path().join("prod.tfvars");
    let (f, _) = scan(
        t,
        &[
            "--select",
            "AWS-S3-001",
            "--var-file",
            vf.to_str().expect("utf8"),
        ],
    );
    assert_eq!(f.len(), 1);
    // terraform.tfvars, then *.auto.tfvars wins
    write(t, &[("terraform.tfvars", "acl = \"public-read\"\n")]);
    let (f, _) = scan(t, &["--select", "AWS-S3-001"]);
    assert_eq!(f.len(), 1);
    write(t, &[("z.auto.tfvars", "acl = \"private\"\n")]);
    let (f, _) = scan(t, &["--select", "AWS-S3-001"]);
    assert!(f.is_empty(), "{f:?}");
    // a variable file git ignores (and does not track) is not read: CI's
    // checkout would not have it
    let init = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(t)
        .status()
        .expect("git");
    assert!(init.success());
    write(t, &[(".gitignore", "*.auto.tfvars\n")]);
    let (f, _) = scan(t, &["--select", "AWS-S3-001"]);
    assert_eq!(f.len(), 1, "{f:?}");
}

#[test]
fn apply_time_values_are_unknown_and_skip() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"data "aws_ssm_parameter" "acl" {
  name = "/acl"
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "x"
  acl    = data.aws_ssm_parameter.acl.value
}

resource "aws_db_instance" "db" {
  storage_encrypted = aws_kms_key.k.enabled ? true : false
}
"#,
        )],
    );
    let (f, v) = scan(t.path(), &["--select", "AWS-S3-001,AWS-RDS-001"]);
    assert!(f.is_empty(), "{f:?}");
    assert!(v["summary"]["unknown_attributes"].as_u64().unwrap_or(0) >= 2);
}

#[test]
fn count_and_for_each() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"variable "public" {
  default = false
}

resource "aws_s3_bucket_acl" "off" {
  count  = var.public ? 1 : 0
  bucket = "x"
  acl    = "public-read"
}

resource "aws_s3_bucket_acl" "two" {
  count  = 2
  bucket = "b${count.index}"
  acl    = count.index == 1 ? "public-read" : "private"
}

resource "aws_s3_bucket_acl" "none" {
  for_each = {}
  bucket   = each.key
  acl      = "public-read"
}

resource "aws_s3_bucket_acl" "each" {
  for_each = { site = "public-read", logs = "private" }
  bucket   = each.key
  acl      = each.value
}
"#,
        )],
    );
    let (f, _) = scan(t.path(), &["--select", "AWS-S3-001"]);
    let addrs: Vec<&str> = f.iter().map(|x| x.3.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "aws_s3_bucket_acl.two[1]",
            "aws_s3_bucket_acl.each[\"site\"]"
        ]
    );
    assert_eq!(f[0].2, 14);
    assert_eq!(f[1].2, 26);
}

#[test]
fn locals_templates_functions_and_cycles() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"locals {
  env      = "prod"
  acls     = { prod = "public-read", dev = "private" }
  acl      = lookup(local.acls, lower(upper(local.env)), "private")
  name     = format("%s-%s", "acme", join("-", split(",", "a,b")))
  tags     = merge({ a = "1" }, { b = coalesce("", "x") })
  items    = [for s in concat(["x"], ["y"]) : upper(s) if s != "y"]
  a        = local.b
  b        = local.a
  safe     = try(local.acls.missing, "private")
  ok       = can(local.acls.prod) && contains(["x"], "x") && length(local.items) == 1
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "${local.name}-${local.tags.b}"
  acl    = local.ok ? local.acl : "private"
}

resource "aws_s3_bucket_acl" "safe" {
  bucket = "s"
  acl    = local.safe
}

resource "aws_s3_bucket_acl" "cyclic" {
  bucket = "c"
  acl    = local.a
}
"#,
        )],
    );
    let (f, v) = scan(t.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].3, "aws_s3_bucket_acl.b");
    // the map the value was looked up in, used by the resource on line 16
    assert_eq!(f[0].2, 3);
    assert_eq!(v["findings"][0]["related"][0]["role"], "landing");
    assert_eq!(v["findings"][0]["related"][0]["start_line"], 16);
    let notices = v["notices"].to_string();
    assert!(notices.contains("cycle"), "{notices}");
}

#[test]
fn dynamic_blocks_expand_when_known() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"variable "ports" {
  default = [443, 22]
}

resource "aws_security_group" "known" {
  name = "k"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group" "unknown" {
  name = "u"
  dynamic "ingress" {
    for_each = data.external.rules.result
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#,
        )],
    );
    let (f, _) = scan(t.path(), &["--select", "AWS-EC2-001"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].3, "aws_security_group.known");
}

#[test]
fn iam_policies_from_jsonencode_and_policy_documents() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "iam.tf",
            r#"locals {
  everything = "*"
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = local.everything
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "scoped" {
  name = "scoped"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b/*" }]
  })
}

data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "unknown" {
  name   = "u"
  policy = data.aws_iam_policy_document.remote.json
}
"#,
        )],
    );
    let (f, _) = scan(t.path(), &["--select", "IAM-ADMIN-001"]);
    let got: Vec<(u64, &str)> = f.iter().map(|x| (x.2, x.3.as_str())).collect();
    assert_eq!(
        got,
        [
            // where `local.everything` was set
            (2, "aws_iam_policy.admin.policy.Statement[0]"),
            (27, "data.aws_iam_policy_document.admin.Statement[0]")
        ]
    );
}

#[test]
fn compliant_split_resource_s3_with_for_each() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "s3.tf",
            r#"variable "buckets" {
  default = ["logs", "data"]
}

resource "aws_s3_bucket" "b" {
  for_each = toset(var.buckets)
  bucket   = "acme-${each.key}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  for_each = aws_s3_bucket.b
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "b" {
  for_each                = toset(var.buckets)
  bucket                  = aws_s3_bucket.b[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
        )],
    );
    let (f, _) = scan(t.path(), &["--select", "AWS-S3-002,AWS-S3-003,AWS-S3-004"]);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn tf_json_is_the_same_language() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf.json",
            r#"{
  "variable": { "acl": { "default": "public-read" } },
  "resource": {
    "aws_s3_bucket_acl": {
      "b": { "bucket": "x", "acl": "${var.acl}" },
      "off": { "count": 0, "bucket": "y", "acl": "public-read" }
    }
  }
}
"#,
        )],
    );
    let (f, _) = scan(t.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].3, "aws_s3_bucket_acl.b");
    // the variable's default, used on line 5
    assert_eq!(f[0].2, 2);
}

#[test]
fn plan_json_maps_back_to_source_else_to_the_plan() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform_plan");
    let plan = dir.join("plan.json");
    let sel = ["--select", "AWS-S3-001,AWS-RDS-001"];
    let mut args = vec!["--plan", plan.to_str().expect("utf8")];
    args.extend(sel);
    // source present: the attributes in main.tf and the module's file;
    // a deleted resource and an apply-time ACL give nothing
    let (f, _) = scan(&dir, &args);
    let got: Vec<(&str, &str, u64)> = f
        .iter()
        .map(|x| (x.0.as_str(), x.1.as_str(), x.2))
        .collect();
    assert_eq!(
        got,
        [
            ("AWS-RDS-001", "main.tf", 10),
            ("AWS-S3-001", "modules/bucket/main.tf", 5)
        ]
    );
    // no source: the plan file
    let t = tempfile::tempdir().expect("tmp");
    let copy = t.path().join("plan.json");
    std::fs::copy(&plan, &copy).expect("copy");
    let mut args = vec!["--plan", copy.to_str().expect("utf8")];
    args.extend(sel);
    let (f, _) = scan(t.path(), &args);
    let got: Vec<(&str, &str, u64)> = f
        .iter()
        .map(|x| (x.0.as_str(), x.1.as_str(), x.2))
        .collect();
    assert_eq!(
        got,
        [
            ("AWS-RDS-001", "plan.json", 22),
            ("AWS-S3-001", "plan.json", 38)
        ]
    );
}

/// A directory another directory calls is evaluated only inside its callers,
/// with their inputs (its own defaults would fail here); one nobody calls is a
/// root module of its own. Which is which is learnt from the evaluation
/// (tests/terraform_modules.rs covers calls that evaluate nothing).
#[test]
fn a_called_module_is_evaluated_only_through_its_callers() {
    // public unless its caller says otherwise
    let acl_module = BUCKET_ACL.replace("private", "public-read");
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            (
                "main.tf",
                "module \"site\" {\n  source = \"./modules/bucket\"\n  acl    = \"private\"\n}\n",
            ),
            ("modules/bucket/main.tf", &acl_module),
            ("modules/unused/main.tf", &acl_module),
        ],
    );
    let (findings, v) = scan(dir.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(
        findings,
        vec![(
            "AWS-S3-001".into(),
            "modules/unused/main.tf".into(),
            // its own default (used on line 7)
            2,
            "aws_s3_bucket_acl.b".into()
        )]
    );
    // the root's module instance, the unused directory's resource, and the
    // files' facts (a plain directory: no `repository` resource)
    assert_eq!(v["summary"]["resources"], 2 + 3, "{v}");
}

/// (rule, path, line, column) of each finding of a JSON report.
fn located(v: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// terraform-aws-security-group's wrapper modules (`modules/ssh` and 57
/// others) sort their rule names: with `sort()` known, SSH opened to the
/// world through the wrapper is reported in the rule resource's module.
#[test]
fn security_group_wrapper_module_through_sort() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            (
                "main.tf",
                r#"variable "ingress_rules" {
  type    = list(string)
  default = []
}

variable "ingress_cidr_blocks" {
  type    = list(string)
  default = []
}

variable "rules" {
  type = map(list(any))
  default = {
    ssh-tcp = [22, 22, "tcp", "SSH"]
    all-all = [-1, -1, "-1", "All protocols"]
  }
}

resource "aws_security_group_rule" "ingress_rules" {
  count = length(var.ingress_rules)

  type        = "ingress"
  cidr_blocks = var.ingress_cidr_blocks
  from_port   = var.rules[var.ingress_rules[count.index]][0]
  to_port     = var.rules[var.ingress_rules[count.index]][1]
  protocol    = var.rules[var.ingress_rules[count.index]][2]
}
"#,
            ),
            (
                "modules/ssh/main.tf",
                r#"variable "auto_ingress_rules" {
  type    = list(string)
  default = ["ssh-tcp"]
}

variable "ingress_rules" {
  type    = list(string)
  default = []
}

variable "ingress_cidr_blocks" {
  type    = list(string)
  default = []
}

module "sg" {
  source = "../../"

  ingress_rules       = sort(compact(distinct(concat(var.auto_ingress_rules, var.ingress_rules, [""]))))
  ingress_cidr_blocks = var.ingress_cidr_blocks
}
"#,
            ),
            (
                "examples/bastion/main.tf",
                r#"module "ssh" {
  source = "../../modules/ssh"

  ingress_cidr_blocks = ["0.0.0.0/0"]
}
"#,
            ),
        ],
    );
    let (_, v) = scan(t.path(), &["--select", "AWS-EC2-001"]);
    assert_eq!(
        located(&v),
        vec![(
            "AWS-EC2-001".to_string(),
            "examples/bastion/main.tf".to_string(),
            4,
            25
        )]
    );
    // the CIDR list the example passes lands in the wrapped module's rule
    let landing = &v["findings"][0]["related"][0];
    assert_eq!(landing["role"], "landing");
    assert_eq!(landing["path"], "main.tf");
    assert_eq!(landing["start_line"], 23);
    assert_eq!(landing["start_column"], 17);
    assert_eq!(
        v["findings"][0]["resource"],
        "module.ssh.module.sg.aws_security_group_rule.ingress_rules[0]"
    );
}

const S3_MODULE: &str = r#"variable "lifecycle_rule" {
  type    = any
  default = []
}

locals {
  lifecycle_rules = try(jsondecode(var.lifecycle_rule), var.lifecycle_rule)
}

resource "aws_s3_bucket" "this" {
  bucket = "logs"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count  = length(local.lifecycle_rules) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id

  dynamic "rule" {
    for_each = local.lifecycle_rules

    content {
      id     = try(rule.value.id, null)
      status = try(rule.value.enabled ? "Enabled" : "Disabled", tobool(rule.value.status) ? "Enabled" : "Disabled", title(lower(rule.value.status)))

      dynamic "expiration" {
        for_each = try(flatten([rule.value.expiration]), [])

        content {
          days = try(expiration.value.days, null)
        }
      }
    }
  }
}
"#;

/// terraform-aws-s3-bucket reads lifecycle rules with
/// `try(jsondecode(var.x), var.x)`: `jsondecode` of a list is a type error
/// that `try` catches, so the rules are known and AWS-S3-007 is evaluated
/// (it was skipped all 18 times it applied).
#[test]
fn s3_lifecycle_rules_through_try_jsondecode() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            ("modules/bucket/main.tf", S3_MODULE),
            (
                "main.tf",
                r#"module "expiring" {
  source = "./modules/bucket"

  lifecycle_rule = [
    {
      id         = "expire"
      enabled    = true
      expiration = { days = 90 }
    },
  ]
}

module "kept" {
  source = "./modules/bucket"

  lifecycle_rule = [{ id = "transition", enabled = true }]
}

module "json" {
  source = "./modules/bucket"

  lifecycle_rule = jsonencode([{ id = "expire", status = "enabled", expiration = { days = 30 } }])
}
"#,
            ),
        ],
    );
    let (f, v) = scan(t.path(), &["--select", "AWS-S3-007"]);
    assert_eq!(
        located(&v),
        vec![(
            "AWS-S3-007".to_string(),
            "modules/bucket/main.tf".to_string(),
            10,
            1
        )]
    );
    assert_eq!(f[0].3, "module.kept.aws_s3_bucket.this");
}

/// terraform-aws-eks's node-group module declares its policy statements
/// with `optional()` attributes: a statement that does not set
/// `not_actions` gets null, and a null argument is an absent one, so the
/// IAM rules on NotAction/NotResource do not fire (they did, falsely).
#[test]
fn optional_null_attributes_are_absent_for_rules() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            (
                "modules/node-group/main.tf",
                r#"variable "iam_role_policy_statements" {
  type = list(object({
    sid           = optional(string)
    actions       = optional(list(string))
    not_actions   = optional(list(string))
    effect        = optional(string, "Allow")
    resources     = optional(list(string))
    not_resources = optional(list(string))
  }))
  default = null
}

data "aws_iam_policy_document" "role" {
  count = var.iam_role_policy_statements != null ? 1 : 0

  dynamic "statement" {
    for_each = var.iam_role_policy_statements != null ? var.iam_role_policy_statements : []

    content {
      sid           = statement.value.sid
      actions       = statement.value.actions
      not_actions   = statement.value.not_actions
      effect        = statement.value.effect
      resources     = statement.value.resources
      not_resources = statement.value.not_resources
    }
  }
}
"#,
            ),
            (
                "main.tf",
                r#"module "nodes" {
  source = "./modules/node-group"

  iam_role_policy_statements = [
    {
      sid       = "ECRPullThroughCache"
      actions   = ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"]
      resources = ["*"]
    },
    {
      sid         = "Broad"
      not_actions = ["iam:*"]
      resources   = ["arn:aws:s3:::b/*"]
    },
  ]
}
"#,
            ),
        ],
    );
    let (f, v) = scan(t.path(), &["--select", "IAM-ACTION-002,IAM-RESOURCE-001"]);
    // only the statement that really uses NotAction, with Allow from the default
    assert_eq!(
        located(&v),
        vec![(
            "IAM-ACTION-002".to_string(),
            "modules/node-group/main.tf".to_string(),
            22,
            7
        )]
    );
    assert_eq!(
        f[0].3,
        "module.nodes.data.aws_iam_policy_document.role[0].Broad"
    );
}

/// A policy kept as a `.tftpl` template and rendered with `templatefile()`
/// (`${}` interpolation, `%{ for }` with `~` stripping) is checked like one
/// written inline; the finding points at the call.
#[test]
fn templatefile_renders_a_policy_template() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[
            (
                "main.tf",
                r#"locals {
  actions = ["s3:GetObject", "*"]
}

resource "aws_iam_policy" "rendered" {
  policy = templatefile("${path.module}/policy.json.tftpl", {
    actions  = local.actions
    resource = "*"
  })
}
"#,
            ),
            (
                "policy.json.tftpl",
                r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": [
      %{~ for i, a in actions ~}
      "${a}"%{ if i < length(actions) - 1 },%{ endif }
      %{~ endfor ~}
    ],
    "Resource": "${resource}"
  }]
}
"#,
            ),
        ],
    );
    let (f, v) = scan(t.path(), &["--select", "IAM-ADMIN-001"]);
    assert_eq!(
        located(&v),
        vec![("IAM-ADMIN-001".to_string(), "main.tf".to_string(), 6, 12)]
    );
    assert_eq!(f[0].3, "aws_iam_policy.rendered.policy.Statement[0]");
}

/// `templatestring()` renders a template held in a reference (Terraform
/// refuses a literal), here a local whose `$${…}` escapes keep the
/// interpolation for the call.
#[test]
fn templatestring_renders_a_referenced_template() {
    let t = tempfile::tempdir().expect("tmp");
    write(
        t.path(),
        &[(
            "main.tf",
            r#"locals {
  acl_template = "$${visibility}-read"
}

resource "aws_s3_bucket_acl" "from_template" {
  acl = templatestring(local.acl_template, { visibility = "public" })
}

resource "aws_s3_bucket_acl" "literal" {
  acl = try(templatestring("$${v}-read", { v = "public" }), "private")
}
"#,
        )],
    );
    let (_, v) = scan(t.path(), &["--select", "AWS-S3-001"]);
    assert_eq!(
        located(&v),
        vec![("AWS-S3-001".to_string(), "main.tf".to_string(), 6, 9)]
    );
}

//! The first run on a real repository, end to end: an application
//! repository without policies gets only its infrastructure findings; the
//! same with `policy-paths` gets the policy rules; a subdirectory scan names
//! paths from the repository root (SARIF included) and finds the root's
//! config; a policy set in strongdm/comply's layout is recognised.
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use insta::assert_snapshot;

mod common;

/// A copy of `fixtures/first-run/NAME` in a temporary directory, made a
/// repository (it gets a `.git`).
fn repository(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join(name);
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/first-run")
        .join(name);
    common::copy_dir(&from, &root);
    std::fs::create_dir(root.join(".git")).expect("mkdir .git");
    (tmp, root)
}

/// `soclint ARGS` in `dir`: exit code, standard output, standard error.
fn soclint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("SOCLINT_TODAY")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The human report without its timing line.
fn untimed(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("Finished in "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// No policies, an issue template and a `SKILL.md` with front matter: only
/// the infrastructure's findings, and the summary says what was left out.
#[test]
fn an_application_repository_gets_only_its_infrastructure_findings() {
    let (_tmp, root) = repository("app");
    let (code, out, err) = soclint(&root, &["check", "--format", "compact"]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert_eq!(
        out,
        "deploy/app.yaml:18:11: LOW K8S-POD-005 [A1.1,CC7.2] a container of `Deployment/app` has no liveness or readiness probe\n\
         infra/main.tf:1:1: LOW AWS-S3-007 [CC6.5,C1.2,P4.3] bucket `aws_s3_bucket.assets` has no enabled lifecycle rule that expires objects\n"
    );
    let (code, out, _) = soclint(&root, &["check", "--fail-on", "medium"]);
    assert_eq!(code, 0, "{out}");
    let summary: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Scanned "))
        .filter(|l| !l.starts_with("Finished in "))
        .collect();
    assert_eq!(
        summary,
        [
            "Scanned 4 files (93 lines, 36 resources) with 226 rules: 2 findings, 0 files not parsed.",
            "Categories in scope: security. 5 availability/confidentiality/privacy rules not in scope: add categories in soclint.toml.",
            "10 policy rules off: soclint.toml does not say where the repository keeps its policies (set `policy-paths`).",
            "By severity: low 2",
            "By criterion: A1.1 1, C1.2 1, CC6.5 1, CC7.2 1, P4.3 1",
        ]
    );
}

/// The same repository saying where it keeps its policies (none yet): the
/// required-policy rules run and name what is missing there.
#[test]
fn with_policy_paths_the_policy_rules_run() {
    let (_tmp, root) = repository("app");
    std::fs::write(
        root.join("soclint.toml"),
        "policy-paths = [\"docs/policies\"]\n",
    )
    .expect("write");
    let (code, out, _) = soclint(&root, &["check", "--format", "compact"]);
    assert_eq!(code, 1);
    let policy: Vec<&str> = out.lines().filter(|l| l.contains(" DOC-")).collect();
    assert_eq!(
        policy,
        [
            "docs/policies/access-control.md:1:1: HIGH DOC-REQ-002 [CC5.3,CC6.1,CC6.2,CC6.3] no access control policy found: expected `docs/policies/access-control.md`",
            "docs/policies/business-continuity.md:1:1: HIGH DOC-REQ-005 [CC9.1,A1.2,A1.3] no business continuity and disaster recovery plan found: expected `docs/policies/business-continuity.md`",
            "docs/policies/change-management.md:1:1: HIGH DOC-REQ-003 [CC3.4,CC5.3,CC8.1] no change management policy found: expected `docs/policies/change-management.md`",
            "docs/policies/code-of-conduct.md:1:1: MEDIUM DOC-REQ-010 [CC1.1,CC1.5] no code of conduct found: expected `docs/policies/code-of-conduct.md`",
            "docs/policies/data-classification.md:1:1: MEDIUM DOC-REQ-007 [C1.1,CC6.1] no data classification policy found: expected `docs/policies/data-classification.md`",
            "docs/policies/data-retention.md:1:1: HIGH DOC-REQ-008 [CC6.5,C1.2,P4.2,P4.3] no data retention and disposal policy found: expected `docs/policies/data-retention.md`",
            "docs/policies/incident-response.md:1:1: HIGH DOC-REQ-004 [CC7.3,CC7.4,CC7.5] no incident response policy found: expected `docs/policies/incident-response.md`",
            "docs/policies/information-security.md:1:1: HIGH DOC-REQ-001 [CC2.2,CC5.3] no information security policy found: expected `docs/policies/information-security.md`",
            "docs/policies/risk-assessment.md:1:1: HIGH DOC-REQ-009 [CC3.1,CC3.2,CC3.3] no risk assessment policy found: expected `docs/policies/risk-assessment.md`",
            "docs/policies/vendor-management.md:1:1: HIGH DOC-REQ-006 [CC9.2] no vendor management policy found: expected `docs/policies/vendor-management.md`",
        ]
    );
    // a root CODE_OF_CONDUCT.md is the code of conduct
    std::fs::write(root.join("CODE_OF_CONDUCT.md"), "# Code of conduct\n").expect("write");
    let (_, out, _) = soclint(&root, &["check", "--format", "compact"]);
    assert!(!out.contains("DOC-REQ-010"), "{out}");
}

/// `soclint check infra` from the root and from elsewhere: paths and SARIF
/// URIs from the repository root, the root's soclint.toml applies, and the
/// repository-wide rules do not run for a subdirectory.
#[test]
fn a_subdirectory_is_named_from_the_repository_root() {
    let (tmp, root) = repository("app");
    std::fs::write(root.join("soclint.toml"), "ignore = [\"K8S-POD-005\"]\n").expect("write");
    let infra = root.join("infra");
    let expected = "infra/main.tf:1:1: LOW AWS-S3-007 [CC6.5,C1.2,P4.3] bucket `aws_s3_bucket.assets` has no enabled lifecycle rule that expires objects\n";
    for (cwd, arg) in [
        (root.clone(), "infra".to_string()),
        (infra.clone(), ".".to_string()),
        (
            tmp.path().to_path_buf(),
            infra.to_str().expect("utf-8").to_string(),
        ),
    ] {
        let (code, out, _) = soclint(&cwd, &["check", &arg, "--format", "compact"]);
        assert_eq!(
            (code, out.as_str()),
            (1, expected),
            "from {}",
            cwd.display()
        );
        let (_, sarif, _) = soclint(&cwd, &["check", &arg, "--format", "sarif"]);
        let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
        let location = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "infra/main.tf");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    }
    // the whole repository: the config's ignore applies there too
    let (_, out, _) = soclint(&root, &["check"]);
    assert!(!out.contains("K8S-POD-005"), "{out}");
    assert!(!out.contains("Repository rules"), "{out}");
    let (_, out, _) = soclint(&root, &["check", "infra"]);
    assert!(
        untimed(&out).contains(
            "Repository rules (CODEOWNERS, SECURITY.md, CI, required policies) not run: the scanned directory is not a repository's root."
        ),
        "{out}"
    );
    // a soclint.toml nearer the scanned directory wins, its paths relative to it
    std::fs::write(infra.join("soclint.toml"), "exclude = [\"main.tf\"]\n").expect("write");
    let (code, out, _) = soclint(&root, &["check", "infra", "--format", "compact"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // --no-config: neither applies
    let (_, out, _) = soclint(&root, &["check", "--no-config", "--format", "compact"]);
    assert!(
        out.contains("K8S-POD-005") && out.contains("AWS-S3-007"),
        "{out}"
    );
}

/// A policy set in strongdm/comply's layout (front matter without its
/// opening `---`, `name:` titles, sections as emphasised list items, a
/// README in the policy directory, narratives beside it): required
/// policies found by title, content rules read the lists and the text.
#[test]
fn a_comply_policy_set_is_recognised() {
    let (_tmp, root) = repository("comply");
    let (code, out, _) = soclint(&root, &["check", "--format", "compact", "--select", "DOC"]);
    assert_eq!(code, 1);
    assert_snapshot!(out);
}

const C1_RULE: &str = r#"[[rule]]
id = "ACME-C1-001"
title = "Buckets carry a data classification tag"
severity = "medium"
criteria = ["C1.1"]
target = "terraform"
resources = ["aws_s3_bucket"]
message = "bucket `{resource}` has no `classification` tag"
rationale = "Confidential data is identified by its bucket's classification."
remediation = "Tag the bucket with `classification`."
assert = { path = "tags.classification", exists = true }
"#;

/// A monorepo's parts with scopes of their own: confidentiality in scope for
/// `infra` only, `deploy` out of scope (not scanned, and said so); a rule of
/// the team's own that no scope runs is named, not silently skipped.
#[test]
fn scope_tables_give_parts_of_a_repository_their_own_scope() {
    let (_tmp, root) = repository("app");
    std::fs::create_dir_all(root.join("compliance/rules")).expect("mkdir");
    std::fs::write(root.join("compliance/rules/c1.toml"), C1_RULE).expect("write");
    let summary = |out: &str| -> Vec<String> {
        out.lines()
            .skip_while(|l| !l.starts_with("Scanned "))
            .skip(1)
            .take_while(|l| !l.starts_with("By severity"))
            .map(str::to_string)
            .collect()
    };
    // the team's C1.1 rule with confidentiality out of scope: named in the summary
    std::fs::write(
        root.join("soclint.toml"),
        "rules = [\"compliance/rules\"]\n",
    )
    .expect("write");
    let (_, out, _) = soclint(&root, &["check", "--select", "ACME,K8S-POD-005"]);
    assert_eq!(
        summary(&out),
        [
            "Categories in scope: security. 1 confidentiality rule not in scope: add categories in soclint.toml.",
            "Rule ACME-C1-001 (./compliance/rules/c1.toml) does not run: its criteria are all in confidentiality, not in scope (add to `categories` in soclint.toml).",
        ]
    );
    std::fs::write(
        root.join("soclint.toml"),
        "rules = [\"compliance/rules\"]\n\n[[scope]]\npaths = [\"infra\"]\ncategories = [\"confidentiality\"]\n\n[[scope]]\npaths = [\"deploy\"]\nin-scope = false\n",
    )
    .expect("write");
    let (code, out, _) = soclint(&root, &["check", "--select", "ACME,K8S-POD-005,AWS-S3-007"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("infra/main.tf:1:1]") && out.contains("ACME-C1-001"),
        "{out}"
    );
    assert!(!out.contains("deploy/app.yaml"), "{out}");
    assert_eq!(
        summary(&out),
        [
            "Categories in scope: security.",
            "Not scanned, out of scope ([[scope]] in soclint.toml): deploy.",
        ]
    );
    // outside `infra` the confidentiality rule does not report: a bucket elsewhere
    std::fs::create_dir_all(root.join("other")).expect("mkdir");
    std::fs::copy(root.join("infra/main.tf"), root.join("other/main.tf")).expect("copy");
    let (_, out, _) = soclint(&root, &["check", "--format", "compact", "--select", "ACME"]);
    assert_eq!(
        out,
        "infra/main.tf:1:1: MEDIUM ACME-C1-001 [C1.1] bucket `aws_s3_bucket.assets` has no `classification` tag\n"
    );
}

/// `init --baseline` on a repository with findings, then `check`: the gate
/// passes on what was there, and fails on a new violation. A second `init`
/// changes nothing.
#[test]
fn init_with_a_baseline_then_check_fails_only_on_new_findings() {
    let (_tmp, root) = repository("app");
    let tf = root.join("infra/main.tf");
    let mut text = std::fs::read_to_string(&tf).expect("read");
    text.push_str(
        "\nresource \"aws_s3_bucket_acl\" \"assets\" {\n  bucket = aws_s3_bucket.assets.id\n  # checkov:skip=CKV_AWS_20:the assets bucket serves the public website\n  acl    = \"public-read\"\n}\n",
    );
    std::fs::write(&tf, text).expect("write");
    let (code, before, _) = soclint(&root, &["check", "--format", "compact"]);
    assert_eq!(code, 1);
    assert_eq!(before.lines().count(), 3, "{before}");

    let (code, out, err) = soclint(&root, &["init", "--baseline"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        out.lines().skip(1).collect::<Vec<_>>(),
        [
            "  holds: 1 Dockerfile, 1 GitHub Actions workflow, 1 Kubernetes manifest, 1 Terraform file",
            "  CI: GitHub Actions (.github/workflows/ci.yml)",
            "  policies: no policy directory found (the policy rules stay off)",
            "  skip comments of other scanners: 1 (listed in soclint.toml)",
            "wrote soclint.toml",
            "wrote .soclint-baseline.json (3 findings accepted; `check` reports only findings not in it)",
            "next: soclint check",
        ]
    );
    let config = std::fs::read_to_string(root.join("soclint.toml")).expect("written");
    assert_snapshot!("init_soclint_toml", config);
    let baseline = std::fs::read_to_string(root.join(".soclint-baseline.json")).expect("written");
    assert_eq!(baseline.matches("\"fingerprint\"").count(), 3);

    let (code, out, _) = soclint(&root, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        untimed(&out)
            .contains("Not reported: 0 suppressed, 3 in the baseline; 0 baseline entries fixed."),
        "{out}"
    );

    // again: the same files, byte for byte
    let (code, out, _) = soclint(&root, &["init", "--baseline"]);
    assert_eq!(code, 0);
    assert!(out.contains("soclint.toml exists: left as it is"), "{out}");
    assert!(
        out.contains(".soclint-baseline.json is up to date (3 findings)"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("soclint.toml")).expect("read"),
        config
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".soclint-baseline.json")).expect("read"),
        baseline
    );

    // a new violation fails the gate, alone
    std::fs::write(
        root.join("deploy/debug.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n      image: busybox@sha256:3333333333333333333333333333333333333333333333333333333333333333\n      securityContext:\n        privileged: true\n",
    )
    .expect("write");
    let (code, out, _) = soclint(
        &root,
        &["check", "--format", "compact", "--select", "K8S-CTR-001"],
    );
    assert_eq!(
        (code, out.as_str()),
        (1, "deploy/debug.yaml:10:21: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Pod/debug/shell` runs privileged\n")
    );
}

/// `init` finds where a repository keeps its policies and turns the policy
/// rules on for them; an issue template or an agent skill is no policy.
#[test]
fn init_finds_the_policy_directory() {
    let (_tmp, root) = repository("comply");
    std::fs::remove_file(root.join("soclint.toml")).expect("rm");
    std::fs::create_dir_all(root.join(".github/ISSUE_TEMPLATE")).expect("mkdir");
    std::fs::write(
        root.join(".github/ISSUE_TEMPLATE/bug.md"),
        "---\nname: Bug report\nabout: x\n---\n",
    )
    .expect("write");
    let (code, out, _) = soclint(&root, &["init"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("  policies: policies/ (the policy rules run)"),
        "{out}"
    );
    let config = std::fs::read_to_string(root.join("soclint.toml")).expect("written");
    assert!(
        config.contains("\npolicy-paths = [\"policies\"]\n"),
        "{config}"
    );
    let (_, out, _) = soclint(
        &root,
        &["check", "--format", "compact", "--select", "DOC-REQ"],
    );
    assert!(
        out.contains("DOC-REQ-005") && !out.contains("DOC-REQ-001"),
        "{out}"
    );
}

/// A team's own rules with their fixtures beside them: the fixture cases
/// (deliberately non-compliant) are not the repository's infrastructure.
#[test]
fn rule_fixture_directories_are_not_scanned_as_infrastructure() {
    let (_tmp, root) = repository("app");
    let case = root.join("compliance/fixtures/terraform/ACME-C1-001/fail");
    std::fs::create_dir_all(&case).expect("mkdir");
    std::fs::write(
        case.join("main.tf"),
        "resource \"aws_s3_bucket_acl\" \"x\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    let (_, out, _) = soclint(&root, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(!out.contains("\"path\": \"compliance/fixtures/terraform/ACME-C1-001/fail/main.tf\""));
    assert_eq!(
        v["skipped"],
        serde_json::json!([{
            "path": "compliance/fixtures/terraform/ACME-C1-001/fail/",
            "reason": "rule-fixture",
            "detail": "a rule's test case (<target>/<RULE-ID>/fail or pass): input made to break or pass a rule",
            "status": "ignored"
        }])
    );
    // the case directory itself, named, is scanned as asked
    let (code, out, _) = soclint(
        &root,
        &[
            "check",
            "compliance/fixtures/terraform/ACME-C1-001/fail",
            "--format",
            "compact",
            "--select",
            "AWS-S3-001",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "compliance/fixtures/terraform/ACME-C1-001/fail/main.tf:3:12: CRITICAL AWS-S3-001"
        ),
        "{out}"
    );
}

/// A mistyped or mis-cased `--select`/`--ignore` entry (or one in
/// soclint.toml) is an error naming the nearest id, never a run of
/// everything or nothing; an id of a target the repository does not have
/// (here `DKR-…`, with no Dockerfile scanned) is still known. Selecting one
/// rule does not make the suppressions of the others unused.
#[test]
fn selections_name_real_rules_and_keep_other_suppressions_quiet() {
    let (_tmp, root) = repository("app");
    let (code, out, err) = soclint(
        &root,
        &[
            "check",
            "--select",
            "aws-s3-007",
            "--ignore",
            "K8S-POD-05,DKR-BASE-001",
        ],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "  × --select: `aws-s3-007` is not a rule id, id prefix or criterion; did you\n  \
         │ mean `AWS-S3-007`?\n  \
         │ --ignore: `K8S-POD-05` is not a rule id, id prefix or criterion; did you\n  \
         │ mean `K8S-POD-005`?\n\n"
    );
    std::fs::write(root.join("soclint.toml"), "ignore = [\"k8s-pod\"]\n").expect("write");
    let (code, _, err) = soclint(&root, &["check"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.replace("\n  │ ", " "),
        "  × ignore in soclint.toml: `k8s-pod` is not a rule id, id prefix or criterion; did you mean `K8S-POD`?\n\n"
    );
    std::fs::remove_file(root.join("soclint.toml")).expect("rm");
    // a suppression of K8S-POD-005 where it fires, and one of a rule that
    // finds nothing there: with only AWS-S3-007 selected, neither is unused
    let manifest = std::fs::read_to_string(root.join("deploy/app.yaml")).expect("read");
    let manifest = manifest
        .replacen(
            "        - name: app\n",
            "        # soclint:ignore K8S-POD-005 reason=\"probes come from the mesh\"\n        - name: app\n",
            1,
        )
        .replacen(
            "      automountServiceAccountToken: false\n",
            "      # soclint:ignore K8S-POD-001 reason=\"kept for the next release\"\n      automountServiceAccountToken: false\n",
            1,
        );
    std::fs::write(root.join("deploy/app.yaml"), manifest).expect("write");
    let (_, out, _) = soclint(
        &root,
        &["check", "--format", "compact", "--select", "AWS-S3-007"],
    );
    assert_eq!(
        out,
        "infra/main.tf:1:1: LOW AWS-S3-007 [CC6.5,C1.2,P4.3] bucket `aws_s3_bucket.assets` has no enabled lifecycle rule that expires objects\n"
    );
    // with every rule running, the one that matched nothing is unused
    let (_, out, _) = soclint(&root, &["check", "--format", "compact"]);
    let unused: Vec<&str> = out.lines().filter(|l| l.contains("SUPPRESS-003")).collect();
    assert_eq!(unused.len(), 1, "{out}");
    assert!(unused[0].starts_with("deploy/app.yaml:13:"), "{out}");
}

/// `soclint ARGS` in `dir` with these environment variables set (NO_COLOR,
/// FORCE_COLOR and SOCLINT_TODAY removed first): exit code and output.
fn soclint_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let mut cmd = Command::cargo_bin("soclint").expect("binary");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("SOCLINT_TODAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The human report: most severe first under a heading per severity (or
/// `--sort path|rule`), `--statistics` ends it with a table per rule,
/// `--quiet` keeps only what fails the run, `--exit-zero` passes the gate,
/// and colour follows `--color`, then NO_COLOR, then FORCE_COLOR.
#[test]
fn the_human_report_sorts_counts_quietens_and_colours() {
    let (_tmp, root) = repository("app");
    std::fs::write(
        root.join("soclint.toml"),
        "policy-paths = [\"docs/policies\"]\nselect = [\"AWS-S3-007\", \"K8S-POD-005\", \"DOC-REQ-001\", \"DOC-REQ-010\"]\n",
    )
    .expect("write");
    // the rule ids, in the order the report lists them, and the headings
    let order = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| {
                l.starts_with("── ")
                    || (!l.is_empty() && !l.contains(' ') && l.contains('-') && !l.contains('/'))
            })
            .map(str::to_string)
            .collect()
    };
    let (code, out) = soclint_env(&root, &[], &["check"]);
    assert_eq!(code, 1);
    assert_eq!(
        order(&out),
        [
            "── high (1 finding) ──",
            "DOC-REQ-001",
            "── medium (1 finding) ──",
            "DOC-REQ-010",
            "── low (2 findings) ──",
            "K8S-POD-005",
            "AWS-S3-007",
        ]
    );
    let (_, out) = soclint_env(&root, &[], &["check", "--sort", "path"]);
    assert_eq!(
        order(&out),
        ["K8S-POD-005", "DOC-REQ-010", "DOC-REQ-001", "AWS-S3-007"]
    );
    let (_, out) = soclint_env(&root, &[], &["check", "--sort", "rule"]);
    assert_eq!(
        order(&out),
        ["AWS-S3-007", "DOC-REQ-001", "DOC-REQ-010", "K8S-POD-005"]
    );
    // --quiet: the high finding (the gate is at high) and the summary
    let (code, out) = soclint_env(
        &root,
        &[],
        &["check", "--quiet", "--fail-on", "high", "--statistics"],
    );
    assert_eq!(code, 1);
    assert_eq!(order(&out), ["── high (1 finding) ──", "DOC-REQ-001"]);
    assert_eq!(
        untimed(&out[out.find("Findings per rule:").expect("table")..]),
        [
            "Findings per rule:",
            "  count  severity  rule         title",
            "      1  high      DOC-REQ-001  Information security policy is kept in the repository",
            "      1  medium    DOC-REQ-010  Code of conduct is kept in the repository",
            "      1  low       AWS-S3-007   S3 bucket has a lifecycle rule that expires objects",
            "      1  low       K8S-POD-005  Long-running containers have liveness and readiness probes",
            "",
            "Scanned 4 files (93 lines, 37 resources) with 4 rules: 4 findings, 0 files not parsed.",
            "Categories in scope: security.",
            "By severity: high 1, medium 1, low 2",
            "By criterion: A1.1 1, C1.2 1, CC1.1 1, CC1.5 1, CC2.2 1, CC5.3 1, CC6.5 1, CC7.2 1, P4.3 1",
        ]
        .join("\n")
    );
    let (code, _) = soclint_env(&root, &[], &["check", "--exit-zero"]);
    assert_eq!(code, 0);
    let coloured = |env: &[(&str, &str)], args: &[&str]| {
        let mut all = vec!["check"];
        all.extend(args);
        soclint_env(&root, env, &all).1.contains("\u{1b}[")
    };
    assert!(!coloured(&[], &[]), "not a terminal: no colour");
    assert!(coloured(&[("FORCE_COLOR", "1")], &[]));
    assert!(!coloured(&[("FORCE_COLOR", "0")], &[]));
    assert!(!coloured(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[]));
    assert!(coloured(&[("NO_COLOR", "1")], &["--color", "always"]));
    assert!(!coloured(&[("FORCE_COLOR", "1")], &["--color", "never"]));
}

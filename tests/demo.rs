//! The demo repository with the built-in pack: every file kind produces
//! findings, each output format is pinned by a snapshot (paths are relative,
//! timing dropped), and the README's first command works as written.
use std::path::Path;

use assert_cmd::Command;
use insta::assert_snapshot;

mod common;

/// The demo as a repository of its own (a copy with a `.git`), so the
/// repository's rules run and paths are relative to it.
fn demo_repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    common::copy_dir(&from, tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).expect("mkdir .git");
    tmp
}

fn demo(format: &str) -> (i32, String) {
    let repo = demo_repository();
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(repo.path())
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR")
        .args(["check", "--format", format])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("Finished in "))
        .collect::<Vec<_>>()
        .join("\n");
    (out.status.code().unwrap_or(-1), text)
}

/// `cargo run -- check fixtures/demo` from the checkout, as the README's first
/// lines say: the demo is then a directory inside soclint's own repository
/// (or a plain directory in a source archive), so paths are named from the
/// repository root and the repository-wide rules say they did not run.
#[test]
fn the_readme_first_command_works_as_written() {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOCLINT_TODAY", "2026-11-25")
        .args(["check", "fixtures/demo", "--format", "compact"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.ends_with(
            "infra/terraform/storage.tf:72:12: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.marketing_assets` readable by anyone"
        )),
        "{text}"
    );
    assert!(!text.contains("REPO-GOV-001"), "{text}");
}

#[test]
fn demo_compact() {
    let (code, out) = demo("compact");
    assert_eq!(code, 1);
    assert_snapshot!(out);
}

#[test]
fn demo_human() {
    let (code, out) = demo("human");
    assert_eq!(code, 1);
    assert_snapshot!(out);
}

#[test]
fn demo_json() {
    let (code, out) = demo("json");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_snapshot!(serde_json::to_string_pretty(&v["summary"]).expect("json"));
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn every_file_kind_has_findings_in_the_demo() {
    let (_, out) = demo("compact");
    for (kind, path) in [
        ("terraform", "infra/terraform/"),
        ("cloudformation yaml", "infra/cloudformation/app-stack.yaml"),
        (
            "cloudformation json",
            "infra/cloudformation/audit-stack.json",
        ),
        ("kubernetes", "k8s/"),
        ("github actions", ".github/workflows/"),
        ("docker-compose", "docker-compose.yml"),
        ("dockerfile", "services/api/Dockerfile"),
        ("iam", "iam/"),
        ("policy document", "docs/policies/"),
        ("repository", "CODEOWNERS:1:1"),
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(path)),
            "no {kind} finding in the demo:\n{out}"
        );
    }
}

#[test]
fn secrets_in_the_demo_never_reach_any_output() {
    // hard-coded credentials in fixtures/demo that secret rules report
    let secrets = ["northwind-dev", "sk_live_51NwExAmPlEkEy00000000000000"];
    for format in ["human", "compact", "json"] {
        let (_, out) = demo(format);
        for s in secrets {
            assert!(!out.contains(s), "{format} output shows the secret {s}");
        }
    }
    let (_, out) = demo("human");
    assert!(
        out.contains("value: sk_l********************************"),
        "{out}"
    );
    assert!(out.contains("POSTGRES_PASSWORD: *************"), "{out}");
}

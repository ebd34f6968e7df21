//! The demo repository with the built-in pack: every file kind produces
//! findings, each output format is pinned by a snapshot (paths are relative,
//! timing dropped), and the README's first command works as written.
use assert_cmd::Command;
use insta::assert_snapshot;

fn demo(format: &str) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR")
        .args(["check", "fixtures/demo", "--format", format])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("Finished in "))
        .collect::<Vec<_>>()
        .join("\n");
    (out.status.code().unwrap_or(-1), text)
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

//! `soclint init --controls`: a starter control matrix beside soclint.toml
//! that `report` reads as it is, never written over the team's own.
use assert_cmd::Command;

fn soclint(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn init_writes_a_starter_matrix_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
    )
    .expect("write");
    let (code, out) = soclint(dir.path(), &["init", ".", "--controls"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wrote controls.toml (a starter"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("controls.toml")).expect("written");
    assert!(text.contains("\n[[control]]\nid = \"AWS-S3\"\n"), "{text}");
    assert!(text.contains("rules = [\"AWS-S3-\"]\n"));

    let (code, out) = soclint(
        dir.path(),
        &[
            "report",
            ".",
            "--format",
            "json",
            "--controls",
            "controls.toml",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let s3 = v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "AWS-S3")
        .expect("AWS-S3");
    assert_eq!(s3["owner"], "unassigned");
    assert!(s3["failed"].as_u64().expect("failed") > 0, "{s3}");

    // the team's edits stay
    std::fs::write(dir.path().join("controls.toml"), "# ours\n").expect("write");
    let (code, out) = soclint(dir.path(), &["init", ".", "--controls"]);
    assert_eq!(code, 0);
    assert!(out.contains("controls.toml exists: left as it is"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("controls.toml")).expect("kept"),
        "# ours\n"
    );
}

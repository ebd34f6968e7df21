//! `soclint report --manifest FILE` and `soclint verify-manifest`: the
//! SHA-256 of every file scanned, the rule set, the config and the report;
//! verification that names each changed, missing or refused file, reads
//! nothing outside its bases however hostile the manifest, and writes
//! nothing.
mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{demo_repo, soclint, NOW};
use serde_json::Value;

const MATRIX: &str = r#"
[[control]]
id = "NET-01"
title = "Instances are not reachable from the internet"
owner = "platform@acme.example"
frequency = "continuous"
criteria = ["CC6.6"]
rules = ["AWS-EC2-002"]
"#;

fn verify(root: &Path, manifest: &str, extra: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(root)
        .arg("verify-manifest")
        .arg(manifest)
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The demo repository with a control matrix, reported with a manifest in
/// `evidence/`.
fn reported() -> (tempfile::TempDir, std::path::PathBuf, Value) {
    let (tmp, root) = demo_repo();
    std::fs::write(root.join("controls.toml"), MATRIX).expect("write");
    std::fs::create_dir(root.join("evidence")).expect("mkdir");
    let (code, out) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            "json",
            "--controls",
            "controls.toml",
            "--output",
            "evidence/report.json",
            "--manifest",
            "evidence/manifest.json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "");
    let text = std::fs::read_to_string(root.join("evidence/manifest.json")).expect("manifest");
    (tmp, root, serde_json::from_str(&text).expect("json"))
}

fn paths(m: &Value, key: &str) -> Vec<String> {
    m[key]
        .as_array()
        .expect(key)
        .iter()
        .map(|e| e["path"].as_str().expect("path").to_string())
        .collect()
}

#[test]
fn the_manifest_hashes_inputs_rules_config_and_report() {
    let (_tmp, root, m) = reported();
    assert_eq!(m["soclint_manifest"], 1);
    assert_eq!(m["soclint_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["created"], NOW);
    let inputs = paths(&m, "inputs");
    // every file of the repository, relative to it, sorted (the empty
    // evidence directory held nothing yet)
    let mut want: Vec<String> = walk(&root, &root)
        .into_iter()
        .filter(|p| !p.starts_with(".git/") && !p.starts_with("evidence/"))
        .collect();
    want.sort();
    assert_eq!(inputs, want);
    assert!(inputs.contains(&"infra/terraform/main.tf".to_string()));
    let main = &m["inputs"][inputs
        .iter()
        .position(|p| p == "infra/terraform/main.tf")
        .unwrap()];
    let bytes = std::fs::read(root.join("infra/terraform/main.tf")).unwrap();
    assert_eq!(main["bytes"], bytes.len());
    assert_eq!(main["sha256"], sha256(&bytes));
    assert_eq!(paths(&m, "config"), ["soclint.toml", "controls.toml"]);
    assert_eq!(paths(&m, "rule_files"), Vec::<String>::new());
    // the report, relative to the manifest's directory
    assert_eq!(paths(&m, "reports"), ["report.json"]);
    let report = std::fs::read(root.join("evidence/report.json")).unwrap();
    assert_eq!(m["reports"][0]["sha256"], sha256(&report));
    // the rule set: the active rules (as the report's header says) and the pack
    let ev: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(m["ruleset"]["active_sha256"], ev["header"]["ruleset_hash"]);
    assert_eq!(
        m["ruleset"]["builtin"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(m["unverifiable"], serde_json::json!([]));
}

fn walk(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(root, &e.path()));
        } else {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn verification_fails_after_a_one_byte_edit_of_an_input_or_the_report() {
    let (_tmp, root, m) = reported();
    let files = m["inputs"].as_array().unwrap().len() + 2 + 1;
    let (code, out, err) = verify(&root, "evidence/manifest.json", &[]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, format!("verified: {files} files match the manifest\n"));

    // one byte of a scanned file
    let tf = root.join("infra/terraform/main.tf");
    let original = std::fs::read(&tf).unwrap();
    let mut edited = original.clone();
    edited[0] ^= 1;
    std::fs::write(&tf, &edited).unwrap();
    let (code, out, _) = verify(&root, "evidence/manifest.json", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "changed: infra/terraform/main.tf (SHA-256 differs)\nnot verified: 1 of {files} files do not match the manifest\n"
        )
    );
    std::fs::write(&tf, &original).unwrap();

    // one byte of the report, and a scanned file gone
    let report = root.join("evidence/report.json");
    let mut text = std::fs::read(&report).unwrap();
    let last = text.len() - 2;
    text[last] = b' ';
    std::fs::write(&report, &text).unwrap();
    std::fs::remove_file(root.join("docker-compose.yml")).unwrap();
    let (code, out, _) = verify(&root, "evidence/manifest.json", &[]);
    assert_eq!(code, 1);
    assert!(out.contains("missing: docker-compose.yml\n"), "{out}");
    assert!(
        out.contains("changed: report.json (SHA-256 differs)\n"),
        "{out}"
    );

    // from elsewhere: --root names the scanned directory
    let (code, out, _) = verify(
        root.parent().unwrap(),
        "acme-infra/evidence/manifest.json",
        &["--root", "acme-infra"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("missing: docker-compose.yml\n"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_hostile_manifest_reads_nothing_outside_and_writes_nothing() {
    let (tmp, root, mut m) = reported();
    std::fs::write(tmp.path().join("secret"), "s").unwrap();
    std::os::unix::fs::symlink(tmp.path(), root.join("up")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("evidence/leak")).unwrap();
    let fake = |p: &str| serde_json::json!({"path": p, "sha256": sha256(b"s"), "bytes": 1});
    m["inputs"] = serde_json::json!([
        fake("../secret"),
        fake("/etc/passwd"),
        fake("up/secret"),
        fake("infra/../../secret"),
        fake("C:/x"),
    ]);
    m["reports"] = serde_json::json!([fake("leak"), fake("../../secret")]);
    std::fs::write(
        root.join("evidence/manifest.json"),
        serde_json::to_string(&m).unwrap(),
    )
    .unwrap();
    let before = listing(tmp.path());
    let (code, out, _) = verify(&root, "evidence/manifest.json", &[]);
    assert_eq!(code, 1);
    for line in [
        "refused: ../secret has a `..` component",
        "refused: /etc/passwd is absolute; paths in soclint.toml are relative to the file",
        "refused: up/secret is or passes through a symbolic link",
        "refused: infra/../../secret has a `..` component",
        "refused: C:/x has a drive prefix; paths in soclint.toml are relative to the file",
        "refused: leak is or passes through a symbolic link",
        "refused: ../../secret has a `..` component",
    ] {
        assert!(out.contains(&format!("{line}\n")), "{line}\n{out}");
    }
    assert!(
        out.ends_with("not verified: 7 of 9 files do not match the manifest\n"),
        "{out}"
    );
    assert_eq!(
        listing(tmp.path()),
        before,
        "verify-manifest wrote something"
    );

    // a manifest that is not one, or not a regular file: exit 2, nothing read
    std::fs::write(root.join("evidence/bad.json"), "{\"x\": 1}").unwrap();
    let (code, _, err) = verify(&root, "evidence/bad.json", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a soclint manifest"), "{err}");
}

/// Every path under `dir` with its size and modification time.
fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for e in walkdir(dir) {
        let meta = std::fs::symlink_metadata(&e).unwrap();
        out.push((
            e.display().to_string(),
            meta.len(),
            meta.modified().unwrap(),
        ));
    }
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walkdir(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn the_manifest_is_never_written_through_a_link() {
    let (tmp, root) = demo_repo();
    std::os::unix::fs::symlink(
        tmp.path().join("elsewhere.json"),
        root.join("manifest.json"),
    )
    .unwrap();
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .env("SOCLINT_NOW", NOW)
        .args([
            "report",
            ".",
            "--format",
            "json",
            "--output",
            "report.json",
            "--manifest",
            "manifest.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a symbolic link"), "{err}");
    assert!(!tmp.path().join("elsewhere.json").exists());
}

#[test]
fn a_manifest_needs_a_report_file() {
    let (_tmp, root) = demo_repo();
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .args(["report", ".", "--manifest", "m.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    // miette wraps the message: its first words
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--manifest hashes the reports written to files"));
    assert!(!root.join("m.json").exists());
}

#[test]
fn custom_rule_files_are_hashed_and_files_outside_are_named_unverifiable() {
    let (tmp, root) = demo_repo();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/rules"),
        &root.join("rules"),
    );
    let config = std::fs::read_to_string(root.join("soclint.toml")).unwrap();
    std::fs::write(
        root.join("soclint.toml"),
        format!("rules = [\"rules\"]\n{config}"),
    )
    .unwrap();
    let (code, out) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "-o",
            "r.md",
            "--manifest",
            "m.json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("m.json")).unwrap()).unwrap();
    let rule_files = paths(&m, "rule_files");
    assert!(!rule_files.is_empty());
    assert!(
        rule_files
            .iter()
            .all(|p| p.starts_with("rules/") && p.ends_with(".toml")),
        "{rule_files:?}"
    );
    let (code, out, err) = verify(&root, "m.json", &[]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");

    // a config outside the scanned directory: hashed, named, never read back
    std::fs::write(tmp.path().join("outside.toml"), config).unwrap();
    let (code, out) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "-o",
            "r.md",
            "--manifest",
            "m.json",
            "--config",
            "../outside.toml",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("m.json")).unwrap()).unwrap();
    assert_eq!(m["unverifiable"][0]["kind"], "config");
    assert_eq!(m["unverifiable"][0]["name"], "../outside.toml");
    assert_eq!(paths(&m, "config"), Vec::<String>::new());
    // the first run's report and manifest were discovered, but are this
    // run's outputs, not its inputs
    let inputs = paths(&m, "inputs");
    assert!(!inputs.contains(&"m.json".to_string()) && !inputs.contains(&"r.md".to_string()));
    assert_eq!(paths(&m, "reports"), ["r.md"]);
    let (code, out, err) = verify(&root, "m.json", &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        err,
        "note: config ../outside.toml was outside its base when the manifest was written: not verified\n"
    );
}

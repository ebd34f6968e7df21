//! Broken and hostile input: every bad file gets a clear error, nothing panics
//! or hangs, and the rest of the scan still reports its findings.
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn scan_json(dir: &Path) -> (i32, serde_json::Value, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--no-builtin",
            "--rules",
            "fixtures/cli/rules",
            "--format",
            "json",
        ])
        .arg(dir)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn errors(v: &serde_json::Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const GOOD_TF: &str = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";

#[test]
fn hostile_files_are_contained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("good.tf"), GOOD_TF).expect("write");
    // billion laughs in a Kubernetes manifest
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        bomb.push_str(&format!("  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    std::fs::write(p.join("bomb.yaml"), bomb).expect("write");
    // 10,000-deep nesting in YAML, JSON and HCL
    let deep = 10_000;
    std::fs::write(
        p.join("deep.yaml"),
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata: {}{}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    )
    .expect("write");
    std::fs::write(
        p.join("deep.json"),
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": {}{}}}",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    )
    .expect("write");
    std::fs::write(
        p.join("deep.tf"),
        format!(
            "locals {{\n  x = {}{}\n}}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    )
    .expect("write");
    // binary junk with a Terraform name, and invalid UTF-8 inside a Terraform string
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(p.join("junk.tf"), junk).expect("write");
    std::fs::write(
        p.join("latin1.tf"),
        b"resource \"aws_s3_bucket\" \"c\" {\n  bucket = \"caf\xe9\"\n}\n",
    )
    .expect("write");
    // empty files of every kind
    for name in [
        "empty.tf",
        "Dockerfile",
        "docker-compose.yml",
        "empty.yaml",
        "empty.json",
        "empty.md",
    ] {
        std::fs::write(p.join(name), "").expect("write");
    }
    std::fs::create_dir_all(p.join(".github/workflows")).expect("mkdir");
    std::fs::write(p.join(".github/workflows/empty.yml"), "").expect("write");

    let (code, v, stderr) = scan_json(p);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errs = errors(&v);
    let find = |path: &str| {
        errs.iter()
            .find(|(p, _)| p == path)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    };
    assert!(
        find("bomb.yaml").contains("alias expansion exceeds"),
        "{errs:?}"
    );
    assert!(
        find("deep.yaml").contains("nesting deeper than"),
        "{errs:?}"
    );
    assert!(
        find("deep.json").contains("nesting deeper than"),
        "{errs:?}"
    );
    assert!(find("deep.tf").contains("nesting deeper than"), "{errs:?}");
    assert!(find("junk.tf").contains("binary file"), "{errs:?}");
    assert_eq!(find("latin1.tf"), "invalid UTF-8; not scanned");
    assert_eq!(v["errors"][find_index(&errs, "latin1.tf")]["line"], 2);
    assert_eq!(errs.len(), 6, "empty files are not errors: {errs:?}");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "good.tf");
    assert_eq!(findings[0]["start_line"], 2);
}

fn find_index(errs: &[(String, String)], path: &str) -> usize {
    errs.iter().position(|(p, _)| p == path).expect("present")
}

#[test]
fn deep_alias_chains_are_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  l0: &l0 [x, x]\n");
    for i in 1..60 {
        chain.push_str(&format!("  l{i}: &l{i} [*l{}, *l{}]\n", i - 1, i - 1));
    }
    std::fs::write(dir.path().join("chain.yaml"), chain).expect("write");
    std::fs::write(dir.path().join("good.tf"), GOOD_TF).expect("write");
    let (code, v, _) = scan_json(dir.path());
    assert_eq!(code, 1);
    assert!(errors(&v)[0].1.contains("alias expansion exceeds"), "{v}");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_megabyte_on_one_line_is_fine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pad = "a".repeat(1 << 20);
    let long = format!(
        "{{apiVersion: apps/v1, kind: Deployment, metadata: {{name: w, labels: {{x: {pad}}}}}, \
         spec: {{template: {{spec: {{containers: [{{name: c, securityContext: {{privileged: true}}}}]}}}}}}}}\n"
    );
    let at = long.find("true").expect("present") + 1;
    std::fs::write(dir.path().join("long.yaml"), long).expect("write");
    let (_, v, _) = scan_json(dir.path());
    assert_eq!(v["findings"][0]["rule_id"], "TEST-K8S-001");
    assert_eq!(v["findings"][0]["start_line"], 1);
    assert_eq!(v["findings"][0]["start_column"], at);
    assert_eq!(v["findings"][0]["end_column"], at + 4);
}

/// `--max-alias-nodes` (and `max-alias-nodes` in soclint.toml) sets the
/// billion-laughs budget: 8 aliases of a 3-node list copy 24 nodes.
#[test]
fn the_alias_budget_is_configurable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  base: &b [x, y]\n");
    for i in 0..8 {
        doc.push_str(&format!("  c{i}: *b\n"));
    }
    std::fs::write(dir.path().join("cm.yaml"), doc).expect("write");
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("soclint")
            .expect("binary")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "--no-builtin", "--rules", "fixtures/cli/rules"])
            .args(["--format", "json", "--fail-on", "never"])
            .args(extra)
            .arg(dir.path())
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        errors(&v)
    };
    assert_eq!(run(&[]), Vec::<(String, String)>::new());
    assert_eq!(
        run(&["--max-alias-nodes", "24"]),
        Vec::<(String, String)>::new()
    );
    let errs = run(&["--max-alias-nodes", "23"]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "cm.yaml");
    assert!(
        errs[0].1.contains("alias expansion exceeds 23 nodes"),
        "{errs:?}"
    );
    let config = dir.path().join("soclint.toml");
    std::fs::write(&config, "max-alias-nodes = 10\n").expect("write");
    let errs = run(&["--config", config.to_str().expect("utf8")]);
    assert!(
        errs[0].1.contains("alias expansion exceeds 10 nodes"),
        "{errs:?}"
    );
}

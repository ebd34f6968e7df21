//! Adversarial repositories: links that loop or lead outside the root, huge
//! and unreadable files, a regex that would be catastrophic in a backtracking
//! engine, and the configurable limits. Each gives a diagnostic (or is passed
//! over on purpose) and the rest of the scan completes with correct findings.
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn scan(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
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
        .args(extra)
        .arg(dir)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

const PUBLIC_BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";

fn finding_paths(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_out_of_the_root_or_round_in_circles() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.tf"), PUBLIC_BUCKET).expect("write");
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::write(root.path().join("main.tf"), PUBLIC_BUCKET).expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.tf"),
        root.path().join("linked.tf"),
    )
    .expect("link");
    std::os::unix::fs::symlink(outside.path(), root.path().join("outside")).expect("link");
    std::fs::create_dir(root.path().join("loop")).expect("mkdir");
    std::os::unix::fs::symlink(root.path().join("loop"), root.path().join("loop/again"))
        .expect("link");
    std::os::unix::fs::symlink(
        root.path().join("nowhere.tf"),
        root.path().join("dangling.tf"),
    )
    .expect("link");
    let (code, v) = scan(root.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(finding_paths(&v), ["main.tf"]);
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn a_100_mb_file_is_skipped_and_fails_the_run() {
    let root = tempfile::tempdir().expect("tempdir");
    let big = std::fs::File::create(root.path().join("huge.tf")).expect("create");
    big.set_len(100 * 1024 * 1024).expect("sparse file");
    std::fs::write(root.path().join("main.tf"), PUBLIC_BUCKET).expect("write");
    let (code, v) = scan(root.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(finding_paths(&v), ["main.tf"]);
    assert_eq!(
        v["skipped"],
        serde_json::json!([{
            "path": "huge.tf",
            "reason": "too-large",
            "detail": "104857600 bytes; the limit is 5242880",
            "status": "error"
        }])
    );
}

#[test]
fn a_regex_that_backtracking_engines_choke_on_runs_in_linear_time() {
    let root = tempfile::tempdir().expect("tempdir");
    let rules = root.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"EVIL-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\n\
         target = \"terraform\"\nresources = [\"aws_s3_bucket\"]\nmessage = \"m\"\nrationale = \"r\"\n\
         remediation = \"x\"\nassert = { path = \"bucket\", not_matches = \"^(a+)+$\" }\n",
    )
    .expect("write");
    let scanned = root.path().join("repo");
    std::fs::create_dir(&scanned).expect("mkdir");
    let evil = format!("{}!", "a".repeat(100_000));
    let good = "a".repeat(100_000);
    std::fs::write(
        scanned.join("main.tf"),
        format!("resource \"aws_s3_bucket\" \"x\" {{\n  bucket = \"{evil}\"\n}}\nresource \"aws_s3_bucket\" \"y\" {{\n  bucket = \"{good}\"\n}}\n"),
    )
    .expect("write");
    let started = std::time::Instant::now();
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .args(["check", "--no-builtin", "--format", "compact", "--rules"])
        .arg(&rules)
        .arg(&scanned)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(20));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("main.tf:5:12: LOW EVIL-001"), "{text}");
}

#[test]
fn limits_are_configurable() {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        root.path().join("deploy.yaml"),
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [[[[[1]]]]]\n  b: &b [1, 2, 3]\n  c: [*b, *b, *b, *b]\n",
    )
    .expect("write");
    let (_, v) = scan(root.path(), &["--max-depth", "4"]);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nesting deeper than 4"),
        "{v}"
    );
    let (_, v) = scan(root.path(), &["--max-nodes", "20"]);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("exceeds 20 nodes"),
        "{v}"
    );
    let (_, v) = scan(root.path(), &[]);
    assert_eq!(v["errors"], serde_json::json!([]));
}

/// Root reads anything, so the permission test drops to `nobody` when it can.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(root.path().join("main.tf"), PUBLIC_BUCKET).expect("write");
    let secret = root.path().join("locked.tf");
    std::fs::write(&secret, PUBLIC_BUCKET).expect("write");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let bin = assert_cmd::cargo::cargo_bin("soclint");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/rules");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    cmd.args(["check", "--no-builtin", "--format", "json", "--rules"])
        .arg(&rules)
        .arg(root.path());
    let out = match cmd.output() {
        Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("setpriv:") => o,
        _ => {
            eprintln!("skipped: cannot drop privileges here (setpriv), and root reads every file");
            return;
        }
    };
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(finding_paths(&v), ["main.tf"]);
    assert_eq!(v["errors"][0]["path"], "locked.tf");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Permission denied"),
        "{v}"
    );
}

/// Files named one by one (what pre-commit and `--changed-since` pass) may be
/// committed links to a FIFO or a device: they are reported, never opened.
#[cfg(unix)]
#[test]
fn named_links_to_a_fifo_or_a_device_are_not_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink(&fifo, dir.path().join("pipe.yaml")).expect("link");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.tf")).expect("link");
    std::fs::write(dir.path().join("good.tf"), PUBLIC_BUCKET).expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir.path())
        .args(["check", "--no-builtin", "--rules"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cli/rules"))
        .args(["--format", "json", "pipe.yaml", "zero.tf", "good.tf"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(finding_paths(&v), ["good.tf"]);
    let skipped: Vec<(&str, &str, &str)> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|n| {
            (
                n["path"].as_str().unwrap_or(""),
                n["reason"].as_str().unwrap_or(""),
                n["detail"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let pipe = format!(
        "a link to `{}`; a file named on the command line is not read through a link",
        fifo.display()
    );
    assert_eq!(
        skipped,
        [
            ("pipe.yaml", "symlink", pipe.as_str()),
            (
                "zero.tf",
                "symlink",
                "a link to `/dev/zero`; a file named on the command line is not read through a link"
            )
        ]
    );
}

/// The repository's `size` fact: taken from the open file for a file soclint
/// parses, from discovery for one it does not, and reported for one over
/// `--max-file-size` (which is skipped, not read).
#[test]
fn file_sizes_reach_repository_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(
        rules.join("size.toml"),
        "[[rule]]\nid = \"T-SIZE-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\n\
         target = \"repository\"\nresources = [\"file\"]\nmessage = \"{path} has {value} bytes\"\n\
         rationale = \"r\"\nremediation = \"x\"\nassert = { path = \"size\", lt = 10 }\n",
    )
    .expect("write rule");
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    std::fs::write(repo.join("main.tf"), "locals {\n  a = 1\n}\n").expect("write"); // 19 bytes, parsed
    std::fs::write(repo.join("notes.txt"), "0123456789ab").expect("write"); // 12 bytes, not parsed
    std::fs::write(repo.join("big.tf"), "#".repeat(300)).expect("write"); // over the limit below
    std::fs::write(repo.join("small.txt"), "ok").expect("write"); // passes
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .args([
            "check",
            "--no-builtin",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(["--max-file-size", "100", "--rules"])
        .arg(&rules)
        .arg(&repo)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "big.tf has 300 bytes",
            "main.tf has 19 bytes",
            "notes.txt has 12 bytes"
        ],
        "{v}"
    );
    assert_eq!(
        v["skipped"][0]["detail"], "300 bytes; the limit is 100",
        "{v}"
    );
}

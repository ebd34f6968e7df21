//! Smaller findings of the red-team report (`../shared/security/FINDINGS.md`),
//! each reproduced end to end: columns after a byte-order mark, suppression
//! lookalikes inside values, credentials in remote URLs, column
//! computation on a minified file of megabytes, and `--max-nodes` for every
//! parsed format.
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    run_within(dir, args, Duration::from_secs(120))
}

/// [`run`], killed after `limit` (a guard against a hang, not a measure).
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args(args)
        .timeout(limit)
        .output()
        .expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn l5_a_byte_order_mark_does_not_shift_line_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        b"\xef\xbb\xbfFROM nginx:latest\nUSER app\n",
    );
    let (_, compact) = run(
        dir.path(),
        &[
            "check",
            "Dockerfile",
            "--select",
            "DKR-BASE-001",
            "--format",
            "compact",
        ],
    );
    assert_eq!(
        compact,
        "Dockerfile:1:12: MEDIUM DKR-BASE-001 [CC6.8,CC8.1,CC9.2] stage 0 builds on a base image without a pinned version (tag: latest)\n"
    );
    let (_, human) = run(
        dir.path(),
        &["check", "Dockerfile", "--select", "DKR-BASE-001"],
    );
    assert!(
        human.contains("   ╭─[Dockerfile:1:12]\n 1 │ FROM nginx:latest\n   ·            ───┬──\n"),
        "{human}"
    );
    // JSON (and so SARIF) agree
    let (_, json) = run(
        dir.path(),
        &[
            "check",
            "Dockerfile",
            "--select",
            "DKR-BASE-001",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["findings"][0]["start_column"], 12);
    assert_eq!(v["findings"][0]["end_column"], 18);
}

#[test]
fn l6_a_suppression_inside_a_string_is_not_a_comment() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "p.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - {name: c, image: \"nginx:latest\", args: [\"--docs=https://wiki.example.com/#soclint:ignore K8S-CTR-008 reason=see-wiki\"]}\n",
    );
    // the same lookalike in a Terraform heredoc and in a Dockerfile RUN
    // line (Docker's comments are whole lines; the rest is the command's)
    write(
        dir.path(),
        "main.tf",
        b"resource \"aws_s3_bucket_acl\" \"y\" {\n  policy = <<EOT\n# soclint:ignore AWS-S3-001 reason=heredoc\nEOT\n  acl = \"public-read\"\n}\n",
    );
    write(
        dir.path(),
        "Dockerfile",
        b"FROM nginx:1.27.2\nRUN curl -fsSL https://get.example.com | sh # soclint:ignore DKR-RUN-001 reason=\"x\"\nUSER app\n",
    );
    let (code, out) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "K8S-CTR-008,AWS-S3-001,DKR-RUN-001,SOCLINT",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code, 1);
    let not_a_comment = "is not accepted: it is inside a value (a string, a heredoc, an instruction's arguments), not a comment";
    assert_eq!(
        out,
        format!(
            "Dockerfile:2:5: MEDIUM DKR-RUN-001 [CC6.8,CC8.1] RUN executes a script straight from the network\n\
             Dockerfile:2:47: HIGH SOCLINT-SUPPRESS-001 [CC4.2,CC5.3] suppression of DKR-RUN-001 {not_a_comment}\n\
             main.tf:3:3: HIGH SOCLINT-SUPPRESS-001 [CC4.2,CC5.3] suppression of AWS-S3-001 {not_a_comment}\n\
             main.tf:5:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.y` readable by anyone\n\
             p.yaml:7:24: MEDIUM K8S-CTR-008 [CC6.8,CC8.1] container `Pod/web/c` uses the unpinned image `nginx:latest`\n\
             p.yaml:7:81: HIGH SOCLINT-SUPPRESS-001 [CC4.2,CC5.3] suppression of K8S-CTR-008 {not_a_comment}\n"
        )
    );
    // a real comment on the same line still suppresses
    write(
        dir.path(),
        "p.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - {name: c, image: \"nginx:latest\", args: [\"#x\"]} # soclint:ignore K8S-CTR-008 reason=\"pinned by the operator\"\n",
    );
    let (_, out) = run(
        dir.path(),
        &[
            "check",
            "p.yaml",
            "--select",
            "K8S-CTR-008,SOCLINT",
            "--format",
            "compact",
        ],
    );
    assert_eq!(out, "");
}

/// Field case: soclint's own Dockerfile. A whole-line comment between two
/// instructions is a comment (the document's made-up `instructions` and
/// `stages` entries span the whole file, yet are no value that could hold it).
#[test]
fn a_dockerfile_comment_between_instructions_suppresses() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        b"FROM rust:1.90 AS build\nRUN cargo build \\\n && cp a /a\n\n# soclint:ignore DKR-HEALTH-001 reason=\"a tool that runs once\"\nFROM gcr.io/distroless/static:nonroot\nUSER 1000\n",
    );
    let (code, out) = run(
        dir.path(),
        &[
            "check",
            "Dockerfile",
            "--select",
            "DKR-HEALTH-001,SOCLINT",
            "--format",
            "compact",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn l7_credentials_in_any_remote_url_form_stay_out_of_the_report() {
    for (url, shown) in [
        (
            "https://bot:glpat-TOKEN123@gitlab.example.com",
            "https://gitlab.example.com",
        ),
        (
            "https://gitlab.example.com/acme/infra.git?private_token=glpat-TOKEN123",
            "https://gitlab.example.com/acme/infra.git",
        ),
        (
            "https://ghp_TOKEN123@github.com/acme/infra",
            "https://github.com/acme/infra",
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), ".git/HEAD", b"ref: refs/heads/main\n");
        write(
            dir.path(),
            ".git/config",
            format!("[remote \"origin\"]\n\turl = {url}\n").as_bytes(),
        );
        write(dir.path(), "x", b"");
        let (_, json) = run(dir.path(), &["report", ".", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["header"]["repository"], shown);
        assert!(!json.contains("TOKEN123"));
    }
}

/// The same for a Terraform module source, which the summary names as a
/// remote module: a token in its URL or go-getter query stays out of every
/// report (a CI log is often more public than the repository).
#[test]
fn l7_credentials_in_a_module_source_stay_out_of_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        b"module \"a\" {\n  source = \"git::https://bot:ghp_TOKEN123@github.com/acme/mod.git?ref=v1\"\n}\nmodule \"b\" {\n  source = \"s3::https://s3.amazonaws.com/b/m.zip?aws_access_key_secret=TOKEN123\"\n}\n",
    );
    let (_, json) = run(dir.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        v["summary"]["remote_modules"],
        serde_json::json!([
            "git::https://github.com/acme/mod.git?ref=v1",
            "s3::https://s3.amazonaws.com/b/m.zip"
        ])
    );
    let (_, human) = run(dir.path(), &["check", "."]);
    assert_eq!(
        human.lines().next(),
        Some("note: 2 remote Terraform module sources not downloaded (`terraform init` puts them under .terraform/modules, where soclint evaluates them), not evaluated: git::https://github.com/acme/mod.git?ref=v1, s3::https://s3.amazonaws.com/b/m.zip")
    );
    assert!(!human.contains("TOKEN123"), "{human}");
}

/// FINDINGS M14: one minified IAM policy of 4.7 MB on one line with 100,000
/// findings. Each column was counted from the start of the line (a minute
/// in a release build, 12.5k→1.1 s, 25k→4.1 s, 50k→16 s); now each costs a
/// bounded piece of the line: about 4 s for the whole scan in a debug
/// build. The 30-second limit only catches the quadratic case (the previous
/// release build needed 43 s on this test's machine).
#[test]
fn v16_columns_on_a_long_line_are_linear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let statement = "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}";
    let n = 100_000;
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
        vec![statement; n].join(",")
    );
    assert_eq!(policy.len(), 4_700_038);
    write(dir.path(), "policy.json", policy.as_bytes());
    let (code, out) = run_within(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "IAM-ADMIN-001",
            "--format",
            "compact",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), n);
    // each statement's `"Action":"*"` value: at byte 64, then one every 47 bytes
    assert!(
        lines[0].starts_with("policy.json:1:65: CRITICAL IAM-ADMIN-001"),
        "{}",
        lines[0]
    );
    let last = format!(
        "policy.json:1:{}: CRITICAL IAM-ADMIN-001",
        65 + 47 * (n - 1)
    );
    assert!(lines[n - 1].starts_with(&last), "{}", lines[n - 1]);
}

/// `soclint` with `args` in `dir`: exit code, stdout, stderr.
fn run_with_stderr(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// FINDINGS 9.4: fingerprints are SHA-256 truncated to 128 bits, so a
/// crafted resource cannot take the fingerprint of an accepted finding;
/// SARIF carries them under a new key.
#[test]
fn fingerprints_are_truncated_sha256_under_a_versioned_sarif_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", PUBLIC_ACL_X);
    // SHA-256 of "AWS-S3-001\0main.tf\0aws_s3_bucket_acl.x\0\"public-read\"\0", first 16 bytes
    let want = "cd187f7dfbec94a09664b82d9130f771";
    let (_, sarif) = run(
        dir.path(),
        &[
            "check",
            "main.tf",
            "--select",
            "AWS-S3-001",
            "--format",
            "sarif",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    assert_eq!(
        v["runs"][0]["results"][0]["partialFingerprints"],
        serde_json::json!({ "soclintFingerprint/v2": want })
    );
    let (code, _, err) = run_with_stderr(
        dir.path(),
        &["baseline", ".", "--select", "AWS-S3-001", "-o", "b.json"],
    );
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(dir.path().join("b.json")).expect("baseline");
    assert_eq!(
        written,
        format!(
            "{{\n  \"version\": 2,\n  \"findings\": [\n    {{\n      \"fingerprint\": \"{want}\",\n      \"rule_id\": \"AWS-S3-001\",\n      \"path\": \"main.tf\",\n      \"resource\": \"aws_s3_bucket_acl.x\",\n      \"message\": \"bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\"\n    }}\n  ]\n}}\n"
        )
    );
    assert_eq!(
        run_with_stderr(
            dir.path(),
            &[
                "check",
                "main.tf",
                "--select",
                "AWS-S3-001",
                "--baseline",
                "b.json",
                "--format",
                "compact"
            ],
        ),
        (0, String::new(), String::new())
    );
}

const PUBLIC_ACL_X: &[u8] = b"resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

/// A baseline the previous release wrote (version 1, FNV-1a fingerprints)
/// still applies, entry by entry by its old fingerprint, with a note; an old
/// entry must also name the finding's rule, path and resource, so a
/// collision on the weak hash cannot carry an acceptance to another
/// resource; `soclint baseline` rewrites it in the new form.
#[test]
fn a_version_1_baseline_still_matches_by_its_old_fingerprints() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", PUBLIC_ACL_X);
    // what the previous release wrote: FNV-1a of the same parts
    let old = |resource: &str| {
        format!(
            r#"{{"version": 1, "findings": [{{"fingerprint": "85482850e101a7a0559e669382c62256", "rule_id": "AWS-S3-001", "path": "main.tf", "resource": "{resource}", "message": "m"}}]}}"#
        )
    };
    write(
        dir.path(),
        "old.json",
        old("aws_s3_bucket_acl.x").as_bytes(),
    );
    let note = |shown: &str| {
        format!("note: {shown} is a version 1 baseline (FNV-1a fingerprints, which a crafted finding can collide with): its entries are matched by their old fingerprint and must name the finding's rule, path and resource; rewrite it with `soclint baseline` (SHA-256 fingerprints).\n")
    };
    let args = [
        "check",
        "main.tf",
        "--select",
        "AWS-S3-001",
        "--baseline",
        "old.json",
        "--format",
        "compact",
    ];
    assert_eq!(
        run_with_stderr(dir.path(), &args),
        (0, String::new(), note("old.json"))
    );
    // the same old fingerprint under another resource's name: no match, and
    // the entry is reported as fixed
    write(
        dir.path(),
        "old.json",
        old("aws_s3_bucket_acl.y").as_bytes(),
    );
    let (code, out, err) = run_with_stderr(dir.path(), &args);
    assert_eq!((code, err), (1, note("old.json")));
    assert_eq!(
        out,
        "main.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n"
    );
    // the configured baseline is read the same way
    let configured = [
        "check",
        "main.tf",
        "--select",
        "AWS-S3-001",
        "--format",
        "compact",
    ];
    write(
        dir.path(),
        "old.json",
        old("aws_s3_bucket_acl.x").as_bytes(),
    );
    write(dir.path(), "soclint.toml", b"baseline = \"old.json\"\n");
    assert_eq!(
        run_with_stderr(dir.path(), &configured),
        (0, String::new(), note("./old.json"))
    );
    // rewritten in the new form, where it is configured
    let (code, _, _) = run_with_stderr(dir.path(), &["baseline", ".", "--select", "AWS-S3-001"]);
    assert_eq!(code, 0);
    let new = std::fs::read_to_string(dir.path().join("old.json")).expect("baseline");
    assert!(new.starts_with("{\n  \"version\": 2,\n"), "{new}");
    assert!(
        new.contains("\"fingerprint\": \"cd187f7dfbec94a09664b82d9130f771\""),
        "{new}"
    );
    assert_eq!(
        run_with_stderr(dir.path(), &configured),
        (0, String::new(), String::new())
    );
}

/// Two identical findings in one resource: the second is `-2` under both
/// hashes, so a version 1 baseline accepting only the first leaves the
/// second reported, and one accepting both leaves nothing.
#[test]
fn a_version_1_baseline_matches_repeated_findings_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.20\nADD https://example.com/tool /t\nADD https://example.com/tool /t\nUSER app\n",
    );
    // as the previous release wrote them
    let entry = |suffix: &str| {
        format!(
            r#"{{"fingerprint": "107a6807f415478267c3f7d2c6992d3f{suffix}", "rule_id": "DKR-ADD-001", "path": "Dockerfile", "resource": "ADD", "message": "m"}}"#
        )
    };
    let args = [
        "check",
        "Dockerfile",
        "--select",
        "DKR-ADD-001",
        "--baseline",
        "old.json",
        "--format",
        "compact",
    ];
    write(
        dir.path(),
        "old.json",
        format!(r#"{{"version": 1, "findings": [{}]}}"#, entry("")).as_bytes(),
    );
    let (code, out, _) = run_with_stderr(dir.path(), &args);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "Dockerfile:3:5: MEDIUM DKR-ADD-001 [CC6.8,CC8.1] ADD downloads `https://example.com/tool` without verifying it\n"
        )
    );
    write(
        dir.path(),
        "old.json",
        format!(
            r#"{{"version": 1, "findings": [{}, {}]}}"#,
            entry(""),
            entry("-2")
        )
        .as_bytes(),
    );
    let (code, out, _) = run_with_stderr(dir.path(), &args);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// FINDINGS M15: a history line is appended under an exclusive lock. While
/// another writer holds it, soclint waits (a blocked FLOCK of its process in
/// /proc/locks) and the file stays as it was; once the lock goes, its line
/// arrives whole after the others.
#[cfg(target_os = "linux")]
#[test]
fn m15_a_history_append_waits_for_the_lock() {
    use std::os::unix::io::AsRawFd;
    use std::process::Stdio;
    use std::time::Instant;

    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", b"locals {}\n");
    let first =
        "{\"time\":\"2026-01-01T00:00:00Z\",\"ruleset\":\"x\",\"criteria\":{\"CC6.1\":[1,0]}}\n";
    write(dir.path(), "h.jsonl", first.as_bytes());
    let history = dir.path().join("h.jsonl");
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(&history)
        .expect("open");
    // SAFETY: flock on a descriptor this test owns, released when it closes
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("soclint"))
        .current_dir(dir.path())
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args([
            "report",
            ".",
            "--append-history",
            "h.jsonl",
            "-o",
            "/dev/null",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id().to_string();
    // a guard against a hang, not a measure
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("soclint appended without waiting for the lock ({status})");
        }
        let locks = std::fs::read_to_string("/proc/locks").expect("/proc/locks");
        let waiting = locks.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.get(1..6) == Some(&["->", "FLOCK", "ADVISORY", "WRITE", pid.as_str()][..])
        });
        if waiting {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "soclint never waited for the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&history).expect("history"), first);
    drop(held);
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&history).expect("history");
    let rest = text.strip_prefix(first).expect("the first line kept");
    assert!(
        rest.starts_with("{\"time\":\"2026-11-25T09:30:00Z\"")
            && rest.ends_with("}\n")
            && rest.lines().count() == 1,
        "{rest}"
    );
}

/// L9 (row 4.10): `--max-nodes` holds for HCL and JSON as for YAML. A
/// Terraform list, a CloudFormation JSON template and a Kubernetes YAML
/// manifest of 30 values each are not parsed under `--max-nodes 20` (a parse
/// error naming the limit; JSON stops before its parser builds a tree),
/// and are parsed under the default limit (before: HCL and JSON were
/// parsed whatever the limit, a 5 MB list taking 900 MB).
#[test]
fn l9_max_nodes_holds_for_hcl_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let ones = vec!["1"; 30].join(", ");
    write(
        d,
        "main.tf",
        format!("locals {{\n  x = [{ones}]\n}}\n").as_bytes(),
    );
    write(
        d,
        "stack.json",
        format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{}}, \"Metadata\": {{\"x\": [{ones}]}}}}\n")
            .as_bytes(),
    );
    write(
        d,
        "deploy.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  x: [{ones}]\n")
            .as_bytes(),
    );
    let (code, out) = run(
        d,
        &[
            "check",
            ".",
            "--max-nodes",
            "20",
            "--format",
            "compact",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "deploy.yaml:1:1: ERROR parse-error document exceeds 20 nodes\n\
             main.tf:2:59: ERROR parse-error document exceeds 20 nodes\n\
             stack.json:1:132: ERROR parse-error document exceeds 20 nodes\n"
        )
    );
    let (code, out) = run(d, &["check", ".", "--format", "compact"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

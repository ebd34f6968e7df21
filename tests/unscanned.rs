//! Nothing skipped in silence: every file a scan passes over (a link, a
//! device, a name that is not UTF-8, a file over the size limit, a template,
//! a format soclint does not read, a path too long) is reported with its
//! reason in every format, and the gaps that hide infrastructure code fail
//! the run. Each test names the red-team finding it reproduces
//! (`../shared/security/FINDINGS.md`) or is an attack of the same class;
//! outputs are compared byte for byte.
use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

mod common;

const BAD: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

/// The compact line AWS-S3-001 gives for [`BAD`] in `path`.
fn finding(path: &str) -> String {
    format!("{path}:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n")
}

/// `soclint ARGS` in `dir`; (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .env_remove("GITHUB_SHA")
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check ARGS --select AWS-S3-001 --format FORMAT` in `dir`: (exit code, stdout).
fn check(dir: &Path, format: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["check", "--select", "AWS-S3-001", "--format", format];
    all.extend(args);
    let (code, out, err) = run(dir, &all);
    assert!(!err.contains("panicked"), "{err}");
    (code, out)
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, at: &Path) {
    std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

/// The JSON report's `skipped` list as (path, reason, status).
fn skipped(v: &Value) -> Vec<(String, String, String)> {
    v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap_or("").to_string();
            (f("path"), f("reason"), f("status"))
        })
        .collect()
}

fn json_report(dir: &Path, args: &[&str]) -> (i32, Value) {
    let (code, out) = check(dir, "json", args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    (code, v)
}

/// The human report without its timing line.
fn untimed(out: &str) -> String {
    out.lines()
        .filter(|l| !l.starts_with("Finished in"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// V06 (M6, row 3.5): a file named on the command line (pre-commit,
/// `--changed-since`) that is a link is never read, so nothing outside the
/// root reaches a parse-error snippet (before: the target's first lines were
/// printed); it is reported as not scanned instead of dropped.
#[cfg(unix)]
#[test]
fn v06_a_named_link_is_reported_never_read_m6() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("credentials");
    std::fs::write(&secret, "token = ghs_SECRET0123456789\nline two\n").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    link(&secret, &d.join("leak.tf"));
    write(d, "data/acl.txt", BAD.as_bytes());
    // inside the root too: a named file is never read through a link
    link("data/acl.txt", &d.join("main.tf"));
    let (code, out, err) = run(d, &["check", "leak.tf", "main.tf"]);
    assert!(
        !out.contains("SECRET") && !err.contains("SECRET"),
        "{out}{err}"
    );
    assert_eq!(code, 0);
    assert_eq!(
        untimed(&out),
        format!(
            "warning: 2 files not scanned:\n  symbolic links, not followed:\n    \
             leak.tf: a link to `{}`; a file named on the command line is not read through a link\n    \
             main.tf: a link to `data/acl.txt`; a file named on the command line is not read through a link\n\
             Scanned 0 files (0 lines, 0 resources) with 8 rules: 0 findings, 0 files not parsed, 2 not scanned.\n\
             Categories in scope: security. 1 privacy rule not in scope: add categories in soclint.toml.\n",
            secret.display()
        )
    );
}

/// V08 (H5, row 3.4, case c): a Terraform file that is a link to another
/// file of the repository is what Terraform loads: it is scanned under the
/// link's name (before: silently skipped, exit 0).
#[cfg(unix)]
#[test]
fn v08_a_link_to_a_file_of_the_repository_is_scanned_h5() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "c/data/acl.txt", BAD.as_bytes());
    link("../data/acl.txt", &d.join("c/infra/main.tf"));
    let (code, out) = check(d, "compact", &[]);
    assert_eq!((code, out), (1, finding("c/infra/main.tf")));
}

/// V09 (M7, row 5.6): two names that are not UTF-8 and looked alike once
/// converted lossily (`a\xfe.tf`, `a\xff.tf`): one was dropped with its
/// finding (exit 0). Both are reported, by names that tell them apart, and
/// fail the run: no report could name a finding in them.
#[cfg(unix)]
#[test]
fn v09_names_that_are_not_utf8_are_each_reported_and_fail_the_run_m7() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let name = |b: &[u8]| d.join(std::ffi::OsStr::from_bytes(b));
    std::fs::write(name(b"a\xfe.tf"), BAD).expect("write");
    std::fs::write(name(b"a\xff.tf"), "locals {}\n").expect("write");
    // and a directory whose name is not UTF-8
    std::fs::create_dir(name(b"d\xfe")).expect("mkdir");
    std::fs::write(name(b"d\xfe/main.tf"), BAD).expect("write");
    let (code, out) = check(d, "compact", &[]);
    let why = "its name is not valid UTF-8, so no report could name it; Terraform and kubectl would still read it";
    assert_eq!(
        (code, out),
        (
            1,
            format!(
                "a\\xFE.tf:1:1: ERROR not-scanned non-utf8-name: {why}\n\
                 a\\xFF.tf:1:1: ERROR not-scanned non-utf8-name: {why}\n\
                 d\\xFE/main.tf:1:1: ERROR not-scanned non-utf8-name: {why}\n"
            )
        )
    );
}

/// V10 (M8, row 4.17): a Terraform file padded past `--max-file-size` was
/// skipped with a note, exit 0, and no annotation. It fails the run and gets
/// an error annotation.
#[test]
fn v10_an_iac_file_over_the_size_limit_fails_the_run_m8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let padded = format!("{BAD}{}", "# generated, do not edit\n".repeat(220_000));
    write(d, "main.tf", padded.as_bytes());
    let (code, out) = check(d, "github", &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "::error file=main.tf,title=soclint%3A not scanned (over the size limit)::5500059 bytes; the limit is 5242880\n\
             soclint: 0 findings, 0 suppressed, 0 in the baseline, 0 files not parsed, 1 file not scanned\n"
        )
    );
}

/// A manifest over the size limit is found whatever its padding (the words
/// that make YAML a manifest are searched through the whole file); a data
/// file over the limit is not infrastructure code and is not a gap.
#[test]
fn an_oversized_manifest_is_recognised_through_its_padding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n";
    let padding = "# padding\n".repeat(20_000);
    write(d, "k8s/pod.yaml", format!("{padding}{pod}").as_bytes());
    write(d, "data/big.yaml", padding.as_bytes());
    write(
        d,
        "data/big.json",
        format!("[{}1]", "1,".repeat(100_000)).as_bytes(),
    );
    let (code, v) = json_report(d, &["--max-file-size", "100000"]);
    assert_eq!(code, 1);
    assert_eq!(
        v["skipped"],
        json!([{
            "path": "k8s/pod.yaml",
            "reason": "too-large",
            "detail": "200045 bytes; the limit is 100000",
            "status": "error"
        }])
    );
}

/// L10 (row 4.14): a path longer than the system accepts was a note, and
/// exit 0 (it could hold a module); it is a skipped file with its reason.
#[cfg(unix)]
#[test]
fn l10_a_path_too_long_is_a_skipped_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let segment = "d".repeat(200);
    let made = std::process::Command::new("sh")
        .current_dir(d)
        .args([
            "-c",
            &format!(
                "for i in $(seq 20); do mkdir {segment} && cd {segment} || exit 1; done; mkdir {segment} && printf '{}' > {segment}/main.tf",
                BAD.replace('\n', "\\n").replace('"', "\\\"")
            ),
        ])
        .status()
        .expect("sh");
    assert!(made.success());
    let (code, v) = json_report(d, &[]);
    assert_eq!(code, 0, "{v}");
    let s = skipped(&v);
    assert_eq!(s.len(), 1, "{v}");
    assert_eq!(
        (s[0].1.as_str(), s[0].2.as_str()),
        ("path-too-long", "warning")
    );
    assert!(
        s[0].0.starts_with(&format!("{segment}/{segment}/")),
        "{}",
        s[0].0
    );
    assert!(
        v["skipped"][0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("File name too long"),
        "{v}"
    );
}

/// On Unix a backslash is part of a name: `infra\main.tf` at the root was
/// turned into `infra/main.tf` and one of the two files was dropped.
#[test]
fn a_backslash_in_a_name_does_not_merge_two_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "infra/main.tf", BAD.as_bytes());
    if cfg!(windows) {
        return;
    }
    write(d, "infra\\main.tf", b"locals {}\n");
    let (code, v) = json_report(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["files_scanned"], 2, "{v}");
    assert_eq!(v["findings"][0]["path"], "infra/main.tf");
}

/// Formats that hold infrastructure code but that soclint does not read,
/// templates, devices and links out of the root: each is named with why,
/// and warns (the run passes on them).
#[cfg(unix)]
#[test]
fn what_soclint_cannot_read_is_named_with_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    write(d, "azure/main.bicep", b"resource x 'y' = {}\n");
    write(d, "live/terragrunt.hcl.json", b"{\"terraform\": {}}\n");
    write(d, "jsonnet/app.jsonnet", b"{}\n");
    // an ARM template is read now (issue 18 item 6): no word about it here
    write(d, "azure/arm.json", b"{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"resources\": []}\n");
    let templated = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n";
    write(d, "loose/templates/pod.yaml", templated);
    write(d, "k8s/kustomization.yaml", b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [pod.yaml]\n");
    link(outside.path(), &d.join("modules"));
    link("nowhere.tf", &d.join("dangling.tf"));
    link(".git/config", &d.join("git.tf"));
    write(d, ".git/config", b"[core]\n");
    // not infrastructure code: no word about them
    write(d, "logo.png", b"\x89PNG");
    link("logo.png", &d.join("logo-link.png"));
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("pipe.tf"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let (code, out) = check(d, "compact", &[]);
    let outside = outside.path().display();
    assert_eq!(
        (code, out),
        (0, format!("\
azure/main.bicep:1:1: WARNING not-scanned unsupported: Azure Bicep: not read by soclint
dangling.tf:1:1: WARNING not-scanned symlink: a link to `nowhere.tf`, which does not exist
git.tf:1:1: WARNING not-scanned symlink: a link to `.git/config`, which is not scanned itself (ignored, excluded or under .git)
jsonnet/app.jsonnet:1:1: WARNING not-scanned unsupported: Jsonnet: not evaluated by soclint
k8s/kustomization.yaml:1:1: WARNING not-scanned unrendered: Kustomize overlay not built, its resources are checked as written: resource `pod.yaml` is neither a file nor a directory with a kustomization among the scanned files; not included
live/terragrunt.hcl.json:1:1: WARNING not-scanned unsupported: Terragrunt configuration in JSON: not evaluated (terragrunt.hcl is); the Terraform modules it points at are scanned where they are in this repository
loose/templates/pod.yaml:1:1: WARNING not-scanned unsupported: a Helm-style template outside a chart (no Chart.yaml beside its templates/ directory): nothing renders it
modules/:1:1: WARNING not-scanned symlink: a link to the directory `{outside}`, outside the scanned directory
pipe.tf:1:1: WARNING not-scanned not-regular-file: a FIFO, socket or device, not a regular file; not opened
"))
    );
}

/// A manifest soclint cannot read (no permission) was skipped in silence
/// when its kind needed its content to be known (YAML, JSON). Root reads
/// anything, so the test drops to `nobody` when it can.
#[cfg(unix)]
#[test]
fn an_unreadable_manifest_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    write(d, "k8s/pod.yaml", b"apiVersion: v1\nkind: Pod\n");
    let p = d.join("k8s/pod.yaml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let bin = assert_cmd::cargo::cargo_bin("soclint");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    cmd.current_dir(d)
        .args(["check", "--select", "AWS-S3-001", "--format", "compact"]);
    let out = match cmd.output() {
        Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("setpriv:") => o,
        _ => {
            eprintln!("skipped: cannot drop privileges here (setpriv), and root reads every file");
            return;
        }
    };
    assert_eq!(
        (out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()),
        (
            Some(0),
            "k8s/pod.yaml:1:1: WARNING not-scanned unreadable: cannot read: Permission denied (os error 13)\n"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with a gap of each level, reported in every format.
fn mixed_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "infra/main.tf", BAD.as_bytes());
    write(d, "infra/big.tf", "#".repeat(300).as_bytes());
    write(d, "infra/main.bicep", BAD.as_bytes());
    dir
}

const LIMIT: &[&str] = &["--max-file-size", "200"];

#[test]
fn every_format_names_the_files_not_scanned() {
    let dir = mixed_repo();
    let d = dir.path();
    let (code, out) = check(d, "human", LIMIT);
    assert_eq!(code, 1);
    let summary: String = untimed(&out)
        .lines()
        .skip_while(|l| !l.starts_with("error:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        summary,
        "error: 1 file not scanned, which fails the run (--on-unscanned):\n  \
         over the size limit (--max-file-size):\n    infra/big.tf: 300 bytes; the limit is 200\n\
         warning: 1 file not scanned:\n  formats soclint does not read:\n    \
         infra/main.bicep: Azure Bicep: not read by soclint\n\
         Scanned 1 file (3 lines, 3 resources) with 1 rule: 1 finding, 0 files not parsed, 2 not scanned.\n\
         [*] 1 finding fixable with `soclint check --fix` (`--diff` shows the edits).\n\
         Categories in scope: security.\n\
         Repository rules (CODEOWNERS, SECURITY.md, CI, required policies) not run: the scanned directory is not a repository's root.\n\
         By severity: critical 1\nBy criterion: CC6.1 1, CC6.6 1\n"
    );

    let (_, v) = json_report(d, LIMIT);
    assert_eq!(
        v["skipped"],
        json!([
            {"path": "infra/big.tf", "reason": "too-large", "detail": "300 bytes; the limit is 200", "status": "error"},
            {"path": "infra/main.bicep", "reason": "unsupported", "detail": "Azure Bicep: not read by soclint", "status": "warning"}
        ])
    );
    assert_eq!(v["summary"]["skipped"], 2);

    let (_, out) = check(d, "junit", LIMIT);
    assert!(out.contains("<testsuites name=\"soclint\" tests=\"3\" failures=\"1\" errors=\"1\">\n  <testsuite name=\"soclint\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"1\">\n"), "{out}");
    assert!(out.ends_with("    <testcase classname=\"not-scanned\" name=\"not scanned infra/big.tf\" file=\"infra/big.tf\">\n      <error message=\"over the size limit: 300 bytes; the limit is 200\"/>\n    </testcase>\n    <testcase classname=\"not-scanned\" name=\"not scanned infra/main.bicep\" file=\"infra/main.bicep\">\n      <skipped message=\"a format soclint does not read: Azure Bicep: not read by soclint\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n"), "{out}");

    let (_, out) = check(d, "markdown", LIMIT);
    assert!(out.starts_with("## soclint: findings to fix\n\n1 finding in 1 file scanned; 0 suppressed, 0 in the baseline, 0 fixed since the baseline, 0 files not parsed, 2 files not scanned.\n"), "{out}");
    assert!(out.ends_with("\n### Files not scanned\n\n- **over the size limit (--max-file-size)** (1 file, fails the run):\n  - `infra/big.tf`: 300 bytes; the limit is 200\n- **formats soclint does not read** (1 file):\n  - `infra/main.bicep`: Azure Bicep\\: not read by soclint\n"), "{out}");

    let (_, out) = check(d, "sarif", LIMIT);
    let v: Value = serde_json::from_str(&out).expect("sarif");
    let n = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        n,
        &json!([
            {
                "descriptor": {"id": "skipped-file"},
                "level": "error",
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "infra/big.tf", "uriBaseId": "%SRCROOT%"}}}],
                "message": {"text": "infra/big.tf was not scanned (over the size limit): 300 bytes; the limit is 200."},
                "properties": {"reason": "too-large", "status": "error"}
            },
            {
                "descriptor": {"id": "skipped-file"},
                "level": "warning",
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "infra/main.bicep", "uriBaseId": "%SRCROOT%"}}}],
                "message": {"text": "infra/main.bicep was not scanned (a format soclint does not read): Azure Bicep: not read by soclint."},
                "properties": {"reason": "unsupported", "status": "warning"}
            },
            {
                "descriptor": {"id": "scope"},
                "level": "note",
                "message": {"text": "Categories in scope: security."}
            },
            {
                "descriptor": {"id": "scope"},
                "level": "note",
                "message": {"text": "Repository rules (CODEOWNERS, SECURITY.md, CI, required policies) not run: the scanned directory is not a repository's root."}
            }
        ])
    );
}

/// Many files skipped for one reason are grouped: by directory in the
/// terminal and Markdown reports, into one annotation per reason on GitHub
/// (which shows ten a step), while JSON lists every file.
#[test]
fn many_skipped_files_are_grouped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "charts/app/Chart.yaml",
        b"apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    for i in 0..14 {
        write(
            d,
            &format!("charts/app/templates/t{i:02}.yaml"),
            b"kind: {{ nope 1 }}\n",
        );
    }
    write(d, "bicep/a.bicep", b"");
    let (code, out) = check(d, "human", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        untimed(&out),
        "warning: 15 files not scanned:\n  templates that could not be rendered:\n    \
         charts/app/templates/ (14 files): not rendered: 1:10: function \"nope\" not defined\n  \
         formats soclint does not read:\n    \
         bicep/a.bicep: Azure Bicep: not read by soclint\n\
         Scanned 14 files (14 lines, 15 resources) with 0 rules: 0 findings, 0 files not parsed, 15 not scanned.\n\
         Categories in scope: security.\n\
         Repository rules (CODEOWNERS, SECURITY.md, CI, required policies) not run: the scanned directory is not a repository's root.\n"
    );
    let (_, out) = check(d, "github", &[]);
    assert_eq!(
        out,
        "::warning title=soclint%3A 14 files not scanned (templates that could not be rendered)::charts/app/templates/ (14 files)\n\
         ::warning title=soclint%3A 1 file not scanned (formats soclint does not read)::bicep/a.bicep\n\
         soclint: 0 findings, 0 suppressed, 0 in the baseline, 0 files not parsed, 15 files not scanned\n"
    );
    let (_, v) = json_report(d, &[]);
    assert_eq!(skipped(&v).len(), 15);
    // a chart template named on its own cannot be rendered: its chart is not
    // in the scan
    write(
        d,
        "charts/app/templates/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    let (code, out) = check(d, "compact", &["charts/app/templates/pod.yaml"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "charts/app/templates/pod.yaml:1:1: WARNING not-scanned templated: a Helm chart template: charts are rendered in a scan of the chart's directory, not file by file\n")
    );
}

/// The evidence report's coverage section lists the files whose evidence
/// the scan could not see.
#[test]
fn the_evidence_report_lists_files_not_scanned() {
    let dir = mixed_repo();
    let d = dir.path();
    let (code, out, err) = run(
        d,
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "--max-file-size",
            "200",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("| Scanned | 1 file, 3 resources, 0 parse errors, 2 files not scanned |"),
        "{out}"
    );
    assert!(out.contains(
        "- **Files not scanned** (2): their evidence is not covered above\n\n  \
         | File | Why | Detail | Status |\n  |---|---|---|---|\n  \
         | `infra/big.tf` | over the size limit | 300 bytes; the limit is 200 | error |\n  \
         | `infra/main.bicep` | a format soclint does not read | Azure Bicep\\: not read by soclint | warning |\n"
    ), "{out}");
    let (_, out, _) = run(
        d,
        &["report", ".", "--format", "html", "--max-file-size", "200"],
    );
    assert!(out.contains("<h3>Files not scanned (2)</h3>"), "{out}");
    assert!(out.contains("<tr><td><code>infra/big.tf</code></td><td>over the size limit</td><td>300 bytes; the limit is 200</td><td>error</td></tr>"), "{out}");
}

/// SARIF with skipped files and a parse error, each a tool execution
/// notification with a location, validates with the Multitool's SARIF and
/// GitHub rules.
#[test]
fn sarif_with_files_not_scanned_validates_with_the_multitool() {
    let Some(tool) = common::multitool() else {
        return;
    };
    let dir = mixed_repo();
    let d = dir.path();
    write(d, "infra/broken.tf", b"resource \"x\" {\n");
    let work = tempfile::tempdir().expect("tempdir");
    let sarif = work.path().join("s.sarif");
    let spec = format!("sarif:{}", sarif.display());
    let (code, _) = check(d, "compact", &["--max-file-size", "200", "--format", &spec]);
    assert_eq!(code, 1);
    let (problems, ok) = common::sarif_problems(&tool, std::slice::from_ref(&sarif));
    assert!(problems.is_empty() && ok, "{}", problems.join("\n"));
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("read")).expect("sarif");
    let n = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    // (notifications about the scan as a whole, such as its scope, have no location)
    let ids: Vec<(&str, &str)> = n
        .iter()
        .filter(|n| n.get("locations").is_some())
        .map(|n| {
            (
                n["descriptor"]["id"].as_str().unwrap_or(""),
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("parse-error", "infra/broken.tf"),
            ("skipped-file", "infra/big.tf"),
            ("skipped-file", "infra/main.bicep")
        ]
    );
}

//! What a pull request cannot make vanish from a scan: a file git tracks is
//! scanned whatever `.gitignore`, `.ignore` or `.git/info/exclude` say;
//! outside a repository no ignore file counts; an ignore file that is a link
//! to `/dev/zero` or a FIFO neither hangs the walk nor exhausts its memory; a
//! nested repository or a stray gitfile hides nothing; a Dockerfile spelled
//! in another case (which `docker build` takes) is scanned, and the
//! pre-commit hooks pass it. Each test names the red-team finding it
//! reproduces (`../shared/security/FINDINGS.md`) or is an attack of the same
//! class; outputs are compared byte for byte.
use std::path::Path;
use std::process::Command as Std;
use std::time::Duration;

use assert_cmd::Command;

const BAD: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

/// The compact line AWS-S3-001 gives for [`BAD`] in `path`.
fn finding(path: &str) -> String {
    format!("{path}:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n")
}

/// `soclint check PATH --select SELECT --format compact` in `dir`; (exit
/// code, stdout, stderr). Killed after a minute: a hang is a failure.
fn check_path(dir: &Path, path: &str, select: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["check", path, "--select", select, "--format", "compact"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(dir: &Path) -> (i32, String, String) {
    check_path(dir, ".", "AWS-S3-001")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Std::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Std::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// V08 (H5, row 3.4, cases a and b): outside a git repository, `.ignore`
/// with `*` and `.gitignore` with `*.tf` left every Terraform file out in
/// silence (exit 0); ignore files mean nothing there, as to git.
#[test]
fn v08_ignore_files_outside_a_repository_hide_nothing_h5() {
    for (ignore_file, pattern) in [(".ignore", "*\n"), (".gitignore", "*.tf\n")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        write(d, "infra/main.tf", BAD);
        write(d, ignore_file, pattern);
        let (code, out, err) = check(d);
        assert_eq!(
            (code, out.as_str()),
            (1, finding("infra/main.tf").as_str()),
            "{ignore_file}: {err}"
        );
    }
}

/// A pull request that adds its Terraform to `.gitignore` (a directory, a
/// pattern, a negation that comes too late) and commits it with `git add
/// -f`, or names it in `.git/info/exclude` or a tracked `.ignore`: git
/// tracks the files, so they are scanned. What git ignores and does not
/// track (a local `build/`) stays out, as before.
#[test]
fn a_tracked_file_is_scanned_whatever_the_ignore_files_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    write(d, "infra/main.tf", BAD);
    write(d, "app/main.tf", BAD);
    write(d, "net/main.tf", BAD);
    write(d, "ops/main.tf", BAD);
    write(d, ".gitignore", "infra/\n*.tf\n!ops/*.tf\nbuild/\n");
    write(d, "ops/.gitignore", "main.tf\n");
    write(d, ".git/info/exclude", "app/\n");
    write(d, "net/.ignore", "*\n");
    git(d, &["add", "-f", "."]);
    write(d, "build/generated.tf", BAD);
    write(d, "infra/untracked.tf", BAD);
    let (code, out, err) = check(d);
    assert_eq!(
        (code, out),
        (
            1,
            ["app/main.tf", "infra/main.tf", "net/main.tf", "ops/main.tf"]
                .map(finding)
                .concat()
        ),
        "{err}"
    );
}

/// A `.gitignore` that is a link to `/dev/zero` (committable) made the walk
/// read without end until memory ran out (abort); one that is a FIFO (in an
/// archive or a work tree) blocked it forever. The walk reads no ignore file
/// now, and git does not follow a linked `.gitignore`.
#[cfg(unix)]
#[test]
fn ignore_files_that_are_links_to_dev_zero_or_fifos_hang_nothing() {
    // outside a repository
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "infra/main.tf", BAD);
    std::os::unix::fs::symlink("/dev/zero", d.join(".gitignore")).expect("link");
    std::os::unix::fs::symlink("/dev/zero", d.join("infra/.ignore")).expect("link");
    mkfifo(&d.join("infra/.gitignore"));
    let (code, out, err) = check(d);
    assert_eq!(
        (code, out.as_str()),
        (1, finding("infra/main.tf").as_str()),
        "{err}"
    );
    // a repository that commits the link
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    write(d, "infra/main.tf", BAD);
    std::os::unix::fs::symlink("/dev/zero", d.join(".gitignore")).expect("link");
    std::os::unix::fs::symlink("/dev/zero", d.join("infra/.ignore")).expect("link");
    git(d, &["add", "-A"]);
    let (code, out, err) = check(d);
    assert_eq!(
        (code, out.as_str()),
        (1, finding("infra/main.tf").as_str()),
        "{err}"
    );
}

/// A directory that is a repository of its own inside the scanned one
/// (vendored with its `.git`) ignores everything in its own `.gitignore`:
/// the outer repository does not track its files, but git does not ignore
/// them either, so they are scanned. A stray gitfile pointing nowhere is no
/// repository to git, which reads the `.gitignore` beside it: its untracked
/// files are ignored, as `git status` says. Scanned on its own, that
/// directory makes git fail: then nothing is left out.
#[test]
fn a_nested_repository_or_a_gitfile_hides_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    write(d, "main.tf", BAD);
    let nested = d.join("vendor/mod");
    std::fs::create_dir_all(&nested).expect("mkdir");
    git(&nested, &["init", "-q"]);
    write(&nested, "main.tf", BAD);
    write(&nested, ".gitignore", "*\n");
    write(d, "stray/.git", "gitdir: /nonexistent/soclint-test\n");
    write(d, "stray/main.tf", BAD);
    write(d, "stray/.gitignore", "*\n");
    let (code, out, err) = check(d);
    assert_eq!(
        (code, out),
        (1, ["main.tf", "vendor/mod/main.tf"].map(finding).concat()),
        "{err}"
    );
    // the stray gitfile's directory scanned on its own: git refuses it
    let (code, out, err) = check_path(d, "stray", "AWS-S3-001");
    assert_eq!(
        (code, out.as_str()),
        (1, finding("main.tf").as_str()),
        "{err}"
    );
}

/// `docker build` takes a `dockerfile` when there is no `Dockerfile`, and a
/// case-insensitive file system any spelling: renaming the file hid it from
/// the scan (exit 0). Every spelling is scanned, and the pre-commit hooks'
/// `files` pattern passes it.
#[test]
fn a_dockerfile_in_another_case_is_scanned_and_passed_by_the_hooks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let names = [
        "a/dockerfile",
        "b/DOCKERFILE",
        "c/dockerfile.prod",
        "d/containerfile",
        "e/app.DOCKERFILE",
    ];
    for name in names {
        write(d, name, "FROM nginx:latest\nUSER app\n");
    }
    let (code, out, err) = check_path(d, ".", "DKR-BASE-001");
    let expected: String = names
        .iter()
        .map(|n| format!("{n}:1:12: MEDIUM DKR-BASE-001 [CC6.8,CC8.1,CC9.2] stage 0 builds on a base image without a pinned version (tag: latest)\n"))
        .collect();
    assert_eq!((code, out), (1, expected), "{err}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for hooks in [
        ".pre-commit-hooks.yaml",
        "packaging/pre-commit/.pre-commit-hooks.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(hooks)).expect("hooks");
        let pattern = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("files: "))
            .expect("files pattern");
        // pre-commit matches with Python's re.search; this pattern means the
        // same to the regex crate
        let re = regex::Regex::new(pattern).expect("pattern");
        for name in names.iter().chain(&["infra/MAIN.TF", "k8s/Deploy.YAML"]) {
            assert!(re.is_match(name), "{hooks} does not pass {name}");
        }
        assert!(!re.is_match("src/main.rs"), "{hooks}");
    }
}

//! The files soclint writes cannot be aimed by the scanned repository: a
//! committed symbolic link where an output goes (the report, the SARIF file
//! the GitHub action uploads, the baseline, the history file, the rule
//! reference) or on the way to it is refused with exit 2, never written
//! through, whether it points at a file outside the checkout or at nothing;
//! a report replaces its file whole (temporary file and rename), so a hard
//! link keeps its old content and a failed write leaves the old file.
//!
//! Each test names the red-team finding it reproduces
//! (`../shared/security/FINDINGS.md`: H3 = 3.8 / V05, L11 = 5.4) or is an
//! attack of the same class. The layout: `<tmp>/repo` is the checkout (the
//! working directory, as in CI) and `<tmp>/victim` a file outside it.
#![cfg(unix)]
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const BAD_TF: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";
const VICTIM: &str = "IMPORTANT\n";

/// A checkout with one critical finding, and a victim file beside it.
struct Layout {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    victim: PathBuf,
}

fn layout() -> Layout {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    std::fs::write(repo.join("main.tf"), BAD_TF).expect("write");
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, VICTIM).expect("write");
    Layout {
        _tmp: tmp,
        repo,
        victim,
    }
}

/// Runs soclint in `dir`; (exit code, stdout, stderr as one line).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .env_remove("GITHUB_SHA")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        flat(&String::from_utf8_lossy(&out.stderr)),
    )
}

/// A miette error as one line: its frame (`×`, `│`) and wrapping removed.
fn flat(err: &str) -> String {
    err.split_whitespace()
        .filter(|w| !matches!(*w, "×" | "│"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The names in `dir`, sorted (to see that no temporary file was left).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn assert_refused(code: i32, err: &str, what: &str) {
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{what} is a symbolic link")),
        "the error names the link: {err}"
    );
}

/// H3 / V05: the action's default `--format sarif:soclint.sarif`, with a
/// committed `soclint.sarif` linking outside the checkout.
#[test]
fn v05_a_committed_sarif_link_is_refused_and_its_target_untouched() {
    let l = layout();
    symlink(&l.victim, l.repo.join("soclint.sarif")).expect("symlink");
    let (code, _, err) = run(
        &l.repo,
        &[
            "check",
            ".",
            "--fail-on",
            "never",
            "--format",
            "github",
            "--format",
            "sarif:soclint.sarif",
        ],
    );
    assert_refused(code, &err, "soclint.sarif");
    assert_eq!(read(&l.victim), VICTIM);
    let link = std::fs::symlink_metadata(l.repo.join("soclint.sarif")).expect("still there");
    assert!(link.file_type().is_symlink(), "refused, not replaced");
}

/// The same with a dangling link: nothing is created where it points.
#[test]
fn a_dangling_output_link_is_refused_and_nothing_is_created() {
    let l = layout();
    let target = l.victim.with_file_name("created-by-soclint");
    symlink(&target, l.repo.join("report.json")).expect("symlink");
    let (code, _, err) = run(&l.repo, &["check", ".", "--output", "json=report.json"]);
    assert_refused(code, &err, "report.json");
    assert!(!target.exists(), "no file at the link's target");
}

/// H3: `soclint baseline` writes `.soclint-baseline.json` into the scanned
/// directory by default, which the repository may have committed as a link.
#[test]
fn v05_a_committed_baseline_link_is_refused() {
    let l = layout();
    symlink(&l.victim, l.repo.join(".soclint-baseline.json")).expect("symlink");
    let (code, _, err) = run(&l.repo, &["baseline", "."]);
    assert_refused(code, &err, ".soclint-baseline.json");
    assert_eq!(read(&l.victim), VICTIM);
}

/// H3: `--append-history` through a link, and through a hard link (the
/// history file is appended to in place, so a second name for the inode
/// would receive the line).
#[test]
fn v05_the_history_file_is_not_appended_through_a_link() {
    let l = layout();
    symlink(&l.victim, l.repo.join("history.jsonl")).expect("symlink");
    let report = ["report", ".", "--format", "json", "--append-history"];
    let (code, _, err) = run(&l.repo, &[&report[..], &["history.jsonl"]].concat());
    assert_refused(code, &err, "history.jsonl");
    assert_eq!(read(&l.victim), VICTIM);

    std::fs::hard_link(&l.victim, l.repo.join("hard.jsonl")).expect("hard link");
    let (code, _, err) = run(&l.repo, &[&report[..], &["hard.jsonl"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hard.jsonl has other hard links"), "{err}");
    assert_eq!(read(&l.victim), VICTIM);

    // a plain file is appended to
    let (code, _, err) = run(&l.repo, &[&report[..], &["plain.jsonl"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(read(&l.repo.join("plain.jsonl")).starts_with("{\"time\":\"2026-11-25T09:30:00Z\""));
}

/// The evidence report's `--output`.
#[test]
fn the_evidence_report_is_not_written_through_a_link() {
    let l = layout();
    symlink(&l.victim, l.repo.join("evidence.html")).expect("symlink");
    let (code, _, err) = run(&l.repo, &["report", ".", "--output", "evidence.html"]);
    assert_refused(code, &err, "evidence.html");
    assert_eq!(read(&l.victim), VICTIM);
}

/// A committed directory link on the way: `reports -> <outside>`, and the
/// operator writes `reports/soclint.sarif`.
#[test]
fn a_linked_directory_inside_the_checkout_is_refused() {
    let l = layout();
    let outside = l.victim.with_file_name("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    symlink(&outside, l.repo.join("reports")).expect("symlink");
    let (code, _, err) = run(
        &l.repo,
        &["check", ".", "--format", "sarif:reports/soclint.sarif"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("reports is a symbolic link inside the scanned repository"),
        "{err}"
    );
    assert_eq!(names(&outside), Vec::<String>::new());
    // also through `..`, and when the scanned directory is not the working one
    let (code, _, err) = run(
        &l.repo,
        &["check", ".", "--format", "sarif:reports/../x.sarif"],
    );
    assert_eq!(code, 2, "{err}");
    let parent = l.repo.parent().expect("parent").to_path_buf();
    let (code, _, err) = run(
        &parent,
        &[
            "check",
            "repo",
            "--format",
            "sarif:repo/reports/soclint.sarif",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(names(&outside), Vec::<String>::new());
}

/// A link above the checkout is the operator's (a runner's temp directory, `/tmp` on
/// macOS): followed.
#[test]
fn a_link_outside_the_checkout_and_working_directory_is_followed() {
    let l = layout();
    let real = l.victim.with_file_name("real-out");
    std::fs::create_dir(&real).expect("mkdir");
    let linked = l.victim.with_file_name("linked-out");
    symlink(&real, &linked).expect("symlink");
    let dest = linked.join("soclint.sarif");
    let (code, _, err) = run(
        &l.repo,
        &[
            "check",
            ".",
            "--format",
            &format!("sarif:{}", dest.display()),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(read(&real.join("soclint.sarif")).contains("AWS-S3-001"));
}

/// L11: a report replaces its file (temporary file + rename) instead of
/// truncating it in place: a second hard link to the old file keeps the old
/// content (with truncate-and-write it would now hold the report), the
/// permissions stay, and no temporary file is left.
#[test]
fn l11_reports_replace_their_file_whole() {
    let l = layout();
    let out = l.repo.join("soclint.sarif");
    std::fs::hard_link(&l.victim, &out).expect("hard link");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let before = std::fs::metadata(&out).expect("meta").ino();
    let (code, _, err) = run(&l.repo, &["check", ".", "--format", "sarif:soclint.sarif"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&l.victim), VICTIM, "the old inode is untouched");
    let meta = std::fs::metadata(&out).expect("meta");
    assert_ne!(meta.ino(), before, "a new file was renamed into place");
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert!(read(&out).contains("\"ruleId\": \"AWS-S3-001\""));
    assert_eq!(names(&l.repo), ["main.tf", "soclint.sarif"]);
}

/// `soclint rules --format markdown --output-dir DIR` writes one page per
/// target: not into a linked directory inside the working directory, and
/// not through a page that is a link.
#[test]
fn the_rule_reference_is_not_written_through_links() {
    let l = layout();
    let outside = l.victim.with_file_name("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    symlink(&outside, l.repo.join("docs")).expect("symlink");
    let (code, _, err) = run(
        &l.repo,
        &[
            "rules",
            "--format",
            "markdown",
            "--output-dir",
            "docs/rules",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("docs is a symbolic link inside"), "{err}");
    assert_eq!(names(&outside), Vec::<String>::new());

    std::fs::create_dir(l.repo.join("ref")).expect("mkdir");
    symlink(&l.victim, l.repo.join("ref/README.md")).expect("symlink");
    let (code, _, err) = run(
        &l.repo,
        &["rules", "--format", "markdown", "--output-dir", "ref"],
    );
    assert_refused(code, &err, "ref/README.md");
    assert_eq!(read(&l.victim), VICTIM);
}

/// Every file soclint writes goes through `src/output_file.rs`: no other
/// module creates, truncates or appends to a file itself (code after a
/// file's `#[cfg(test)]` line, its unit tests, is not looked at). A new
/// writer (an `init` command, a fix) has to use the module to pass.
#[test]
fn only_output_file_opens_files_for_writing() {
    const WRITES: [&str; 10] = [
        "fs::write(",
        "File::create",
        ".write(true)",
        ".append(true)",
        ".create(true)",
        ".truncate(true)",
        "fs::copy(",
        "fs::create_dir",
        "fs::rename(",
        "tempfile::",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("walk");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("output_file.rs") {
            continue;
        }
        let text = read(path);
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.split("//").next().unwrap_or("");
            if let Some(w) = WRITES.iter().find(|w| code.contains(*w)) {
                let rel = path.strip_prefix(&src).expect("under src").display();
                offenders.push(format!("src/{rel}:{}: {w}", n + 1));
            }
        }
    }
    assert_eq!(offenders, Vec::<String>::new());
}

/// A device or FIFO where the output goes is written into, never replaced:
/// `-o /dev/null`, `/dev/stdout` or a shell's `>(…)` keep working (the
/// device itself is checked without writing to it in `output_file`'s unit
/// tests). A FIFO nobody reads is an error at once, not a hang.
#[test]
fn a_fifo_is_written_into_and_one_without_reader_is_an_error() {
    let l = layout();
    let fifo = l.victim.with_file_name("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let (code, _, err) = run(
        &l.repo,
        &[
            "check",
            ".",
            "--format",
            &format!("sarif:{}", fifo.display()),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a FIFO that nobody reads"), "{err}");

    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    // the reader may open the FIFO after soclint tries: retry until it is there
    let mut code = 2;
    for _ in 0..200 {
        let (c, _, err) = run(
            &l.repo,
            &[
                "check",
                ".",
                "--format",
                &format!("sarif:{}", fifo.display()),
            ],
        );
        code = c;
        if c != 2 || !err.contains("nobody reads") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(code, 1);
    assert!(reader
        .join()
        .expect("reader")
        .contains("\"ruleId\": \"AWS-S3-001\""));
    let meta = std::fs::symlink_metadata(&fifo).expect("meta");
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
}

/// The operator's own link outside the checkout that ends at a file: the
/// file is replaced (whole) and the link stays a link.
#[test]
fn an_operator_link_to_a_file_outside_the_checkout_is_kept() {
    let l = layout();
    let link = l.victim.with_file_name("latest.sarif");
    symlink(&l.victim, &link).expect("symlink");
    let (code, _, err) = run(
        &l.repo,
        &[
            "check",
            ".",
            "--format",
            &format!("sarif:{}", link.display()),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert!(read(&l.victim).contains("\"ruleId\": \"AWS-S3-001\""));
}

/// `--format sarif:/dev/stdout` with standard output redirected to a file
/// (`> out.sarif`): the report goes into that open file, which is not
/// replaced by a new one (the redirecting shell would keep writing to the
/// old, unlinked one).
#[test]
fn dev_stdout_writes_into_the_redirected_file() {
    let l = layout();
    let out = l.victim.with_file_name("out.sarif");
    let file = std::fs::File::create(&out).expect("create");
    let before = file.metadata().expect("meta").ino();
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("soclint"))
        .current_dir(&l.repo)
        .args(["check", ".", "--format", "sarif:/dev/stdout"])
        .stdout(std::process::Stdio::from(file))
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(1));
    assert_eq!(std::fs::metadata(&out).expect("meta").ino(), before);
    assert!(read(&out).contains("\"ruleId\": \"AWS-S3-001\""));
}

/// V11 (row 3.7): pre-commit passes staged file names after the hook's
/// entry, so a file named `--select=X.tf` selected no rule (exit 0) and one
/// named `--output=prod.tf` overwrote `prod.tf` with the report. The entry
/// ends its options with `--`: run as pre-commit runs it, both are files.
#[test]
fn v11_file_names_pre_commit_passes_are_files_not_options() {
    let l = layout();
    let hooks = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    let entry = hooks
        .lines()
        .find_map(|line| line.trim().strip_prefix("entry: "))
        .expect("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("soclint"));
    let options: Vec<&str> = words.collect();
    std::fs::write(l.repo.join("prod.tf"), "locals {}\n").expect("write");
    std::fs::write(l.repo.join("--select=X.tf"), "").expect("write");
    std::fs::write(l.repo.join("--output=prod.tf"), "").expect("write");
    let mut args = options.clone();
    args.extend(["--select=X.tf", "--output=prod.tf", "main.tf", "prod.tf"]);
    let (code, out, err) = run(&l.repo, &args);
    assert_eq!(
        (code, out.as_str()),
        (1, "main.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n"),
        "{err}"
    );
    assert_eq!(read(&l.repo.join("prod.tf")), "locals {}\n");
}

//! `--changed-since` and `--changed-lines-only` run git on the scanned
//! repository, whose `.git/config`, hooks and `.gitattributes` a pull
//! request (or a scanned archive) may control: none of them runs a program,
//! hides a change or turns an option into something else, and changed lines
//! are read whatever the file names hold. Each test names the red-team
//! finding it reproduces (`../shared/security/FINDINGS.md`) or is an attack
//! of the same class; outputs are compared byte for byte.
use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

const BAD: &str = "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

/// The compact line AWS-S3-001 gives for [`BAD`] in `path`.
fn finding(path: &str) -> String {
    format!("{path}:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n")
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

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A repository with a base commit (a README), on branch `main`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "README", "x\n");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "base"]);
    dir
}

/// `soclint check . --select AWS-S3-001 --format compact ARGS` in `dir`,
/// with extra environment; (exit code, stdout, stderr).
fn check(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("soclint").expect("binary");
    cmd.current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .args([
            "check",
            ".",
            "--select",
            "AWS-S3-001",
            "--format",
            "compact",
        ])
        .args(args)
        // a hang (git blocked on a FIFO) fails instead of stalling the suite
        .timeout(std::time::Duration::from_secs(120));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LINES_ONLY: &[&str] = &["--changed-since", "main", "--changed-lines-only"];

/// V03 (H4, row 2.5): names git quotes in a patch (`"`, a tab, a newline,
/// non-ASCII without `core.quotePath=false`) or ends with a tab (a space):
/// their changed lines are found, so `--changed-lines-only` keeps their
/// findings (before: all dropped, exit 0).
#[test]
fn v03_changed_lines_are_found_whatever_the_file_name_h4() {
    let dir = repo();
    let d = dir.path();
    git(d, &["checkout", "-qb", "feature"]);
    let names = [
        "my file.tf",
        "q\"uote.tf",
        "t\tab.tf",
        "new\nline.tf",
        "ü.tf",
    ];
    for name in names {
        write(d, name, BAD);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "feature"]);
    let expected: String = [
        "my file.tf",
        "new\\nline.tf",
        "q\"uote.tf",
        "t\tab.tf",
        "ü.tf",
    ]
    .iter()
    .map(|p| finding(p))
    .collect();
    let (code, out, _) = check(d, &["--changed-since", "main"], &[]);
    assert_eq!((code, out.as_str()), (1, expected.as_str()));
    // git quotes non-ASCII names unless told not to: the user's setting
    // does not matter either way
    for quote in ["true", "false"] {
        let env = [
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "core.quotePath"),
            ("GIT_CONFIG_VALUE_0", quote),
        ];
        let (code, out, _) = check(d, LINES_ONLY, &env);
        assert_eq!(
            (code, out.as_str()),
            (1, expected.as_str()),
            "quotePath={quote}"
        );
    }
}

/// M16 (row 2.6) and attacks of its class: user settings that change the
/// patch headers (`diff.noprefix`, `diff.mnemonicPrefix`, `diff.dstPrefix`,
/// `diff.relative`, `color.diff`) do not make `--changed-lines-only` drop
/// findings (before: every finding dropped, exit 0).
#[test]
fn m16_user_diff_settings_do_not_change_the_patch_soclint_reads() {
    let dir = repo();
    let d = dir.path();
    git(d, &["checkout", "-qb", "feature"]);
    write(d, "infra/main.tf", BAD);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "feature"]);
    for (key, value) in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.dstPrefix", "new/"),
        ("diff.relative", "false"),
        ("color.diff", "always"),
        ("diff.external", "false"),
    ] {
        let env = [
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", key),
            ("GIT_CONFIG_VALUE_0", value),
        ];
        let (code, out, err) = check(d, LINES_ONLY, &env);
        assert_eq!(
            (code, out.as_str()),
            (1, finding("infra/main.tf").as_str()),
            "{key}={value}: {err}"
        );
    }
}

/// A committed `.gitattributes` that marks Terraform files binary (`-diff`)
/// leaves git with no hunks for them: a changed file whose lines cannot be
/// mapped keeps all its findings (fail closed; before: all dropped, exit 0).
#[test]
fn a_changed_file_whose_hunks_git_does_not_show_keeps_its_findings() {
    let dir = repo();
    let d = dir.path();
    git(d, &["checkout", "-qb", "feature"]);
    write(d, ".gitattributes", "*.tf -diff\n");
    write(d, "main.tf", BAD);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "feature"]);
    let (code, out, _) = check(d, LINES_ONLY, &[]);
    assert_eq!((code, out.as_str()), (1, finding("main.tf").as_str()));
}

/// The repository of the tests below: `main.tf` with a finding committed on
/// `main`, then changed in the work tree (uncommitted), so git has to read it.
fn changed_repo() -> tempfile::TempDir {
    let dir = repo();
    let d = dir.path();
    write(d, "main.tf", BAD);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "bad"]);
    write(d, "main.tf", &format!("{BAD}# changed\n"));
    dir
}

/// Marker files outside the repository that a command from its config would create.
fn markers(dir: &Path, names: &[&str]) -> Vec<std::path::PathBuf> {
    names.iter().map(|n| dir.join(n)).collect()
}

fn assert_none_exist(paths: &[std::path::PathBuf]) {
    let ran: Vec<_> = paths.iter().filter(|p| p.exists()).collect();
    assert!(ran.is_empty(), "programs from the repository ran: {ran:?}");
}

/// V12 (M4, row 2.2): `core.fsmonitor`, `diff.external` and a textconv
/// driver chosen by a committed `.gitattributes` run nothing (before: all
/// three ran).
#[test]
fn v12_git_config_in_the_repository_runs_nothing_m4() {
    let dir = changed_repo();
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let m = markers(outside.path(), &["fsmonitor", "external", "textconv"]);
    let touch = |p: &std::path::PathBuf| format!("touch '{}'", p.display());
    git(
        d,
        &[
            "config",
            "core.fsmonitor",
            &format!("{}; false", touch(&m[0])),
        ],
    );
    git(
        d,
        &[
            "config",
            "diff.external",
            &format!("sh -c \"{}\"", touch(&m[1])),
        ],
    );
    git(
        d,
        &[
            "config",
            "diff.conv.textconv",
            &format!("{}; cat", touch(&m[2])),
        ],
    );
    write(d, ".gitattributes", "*.tf diff=conv\n");
    // --changed-since HEAD~1: main.tf changed (committed and in the work tree)
    let (code, out, err) = check(
        d,
        &["--changed-since", "HEAD~1", "--changed-lines-only"],
        &[],
    );
    assert_none_exist(&m);
    assert_eq!(
        (code, out.as_str()),
        (1, finding("main.tf").as_str()),
        "{err}"
    );
}

/// Attacks of V12's class: a clean filter and a long-running filter process
/// (`filter.<driver>.clean`/`process`, chosen by `.gitattributes`), a diff
/// driver's external command (`diff.<driver>.command`) and a
/// `post-index-change` hook (git refreshes the index while diffing) run
/// nothing; the diff still sees the file's real content.
#[test]
fn filter_drivers_diff_commands_and_hooks_of_the_repository_run_nothing() {
    let dir = changed_repo();
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let m = markers(outside.path(), &["clean", "process", "command", "hook"]);
    let touch = |p: &std::path::PathBuf| format!("touch '{}'", p.display());
    write(d, "other.tf", "locals {}\n");
    git(d, &["add", "other.tf"]);
    git(
        d,
        &[
            "config",
            "filter.evil.clean",
            &format!("{}; cat", touch(&m[0])),
        ],
    );
    git(d, &["config", "filter.evil.required", "true"]);
    git(d, &["config", "filter.proc.process", &touch(&m[1])]);
    git(d, &["config", "diff.cmd.command", &touch(&m[2])]);
    write(
        d,
        ".gitattributes",
        "main.tf filter=evil diff=cmd\nother.tf filter=proc\n",
    );
    std::fs::create_dir_all(d.join(".git/hooks")).expect("hooks");
    let hook = d.join(".git/hooks/post-index-change");
    std::fs::write(&hook, format!("#!/bin/sh\n{}\n", touch(&m[3]))).expect("hook");
    set_executable(&hook);
    // files whose timestamps differ from the index make git read them
    for f in ["main.tf", "other.tf"] {
        let file = std::fs::File::options()
            .append(true)
            .open(d.join(f))
            .expect("open");
        file.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1))
            .expect("mtime");
    }
    let (code, out, err) = check(
        d,
        &["--changed-since", "HEAD~1", "--changed-lines-only"],
        &[],
    );
    assert_none_exist(&m);
    assert_eq!(
        (code, out.as_str()),
        (1, finding("main.tf").as_str()),
        "{err}"
    );
}

#[cfg(unix)]
fn set_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn set_executable(_: &Path) {}

/// `core.worktree` in the repository's config pointing at an empty
/// directory made every file look deleted, so `--changed-since` scanned
/// nothing (exit 0); soclint names the work tree itself.
#[test]
fn core_worktree_cannot_hide_the_changes() {
    let dir = changed_repo();
    let d = dir.path();
    let empty = tempfile::tempdir().expect("tempdir");
    git(
        d,
        &[
            "config",
            "core.worktree",
            &empty.path().display().to_string(),
        ],
    );
    let (code, out, err) = check(d, &["--changed-since", "HEAD~1"], &[]);
    assert_eq!(
        (code, out.as_str()),
        (1, finding("main.tf").as_str()),
        "{err}"
    );
}

/// L8 (row 2.1): a `--changed-since` value that starts with `-` is refused,
/// never passed to git as an option (before: `--octopus` was accepted
/// silently and the run passed); a revision that is not a commit is an error.
#[test]
fn l8_changed_since_values_cannot_become_git_options() {
    let dir = changed_repo();
    let d = dir.path();
    for value in [
        "--octopus",
        "--fork-point",
        "-c core.pager=touch x",
        "--output=x",
    ] {
        let (code, out, err) = check(d, &[&format!("--changed-since={value}")], &[]);
        assert_eq!((code, out.as_str()), (2, ""), "{value}");
        assert!(
            words(&err).contains("is not a git revision (a revision cannot start with `-`)"),
            "{value}: {err}"
        );
        assert!(!d.join("x").exists());
    }
    let (code, _, err) = check(d, &["--changed-since", "no-such-branch"], &[]);
    assert_eq!(code, 2);
    assert!(
        words(&err).contains("`no-such-branch` does not name a commit in this repository"),
        "{err}"
    );
}

/// A diagnostic's words, without the frame and line breaks miette draws.
fn words(err: &str) -> String {
    err.replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Attacks of V12's class through settings git reads from files the
/// repository's config includes (`include.path`, `includeIf`): an
/// fsmonitor, an ssh command, a credential helper, an askpass program, a
/// pager, an external diff, a hooks directory, and an excludes file that is
/// a FIFO (git would block opening it). A plain scan (git lists what it
/// ignores) and `--changed-lines-only` run none of them, do not hang, and
/// scan the tracked file that `.gitignore` names.
#[cfg(unix)]
#[test]
fn included_configs_run_nothing_and_block_nothing() {
    let dir = changed_repo();
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let o = outside.path();
    let m = markers(
        o,
        &[
            "fsmonitor",
            "ssh",
            "credential",
            "askpass",
            "pager",
            "external",
            "hook",
        ],
    );
    let touch = |p: &std::path::PathBuf| format!("touch '{}'", p.display());
    let fifo = o.join("excludes");
    let status = Std::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    std::fs::create_dir_all(o.join("hooks")).expect("hooks");
    let hook = o.join("hooks/post-index-change");
    std::fs::write(&hook, format!("#!/bin/sh\n{}\n", touch(&m[6]))).expect("hook");
    set_executable(&hook);
    write(
        d,
        ".git/evil.cfg",
        &format!(
            "[core]\n\tfsmonitor = \"{}; false\"\n\tsshCommand = \"{}\"\n\taskPass = \"{}\"\n\tpager = \"{}\"\n\texcludesFile = {}\n[credential]\n\thelper = \"!{}\"\n",
            touch(&m[0]),
            touch(&m[1]),
            touch(&m[3]),
            touch(&m[4]),
            fifo.display(),
            touch(&m[2]),
        ),
    );
    write(
        d,
        ".git/evil2.cfg",
        &format!(
            "[diff]\n\texternal = \"{}\"\n[core]\n\thooksPath = {}\n",
            touch(&m[5]),
            o.join("hooks").display()
        ),
    );
    let config = d.join(".git/config");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("[include]\n\tpath = evil.cfg\n[includeIf \"gitdir:/\"]\n\tpath = evil2.cfg\n[includeIf \"gitdir:**\"]\n\tpath = evil2.cfg\n");
    std::fs::write(&config, text).expect("config");
    write(d, ".gitignore", "*.tf\n");
    for args in [
        &[][..],
        &["--changed-since", "HEAD~1", "--changed-lines-only"][..],
    ] {
        let (code, out, err) = check(d, args, &[]);
        assert_none_exist(&m);
        assert_eq!(
            (code, out.as_str()),
            (1, finding("main.tf").as_str()),
            "{args:?}: {err}"
        );
    }
}

/// Files git opens that may be FIFOs when an archive or a work tree is
/// scanned (git cannot commit a FIFO, but `.git/` and untracked files are
/// the scanned tree's too): an order file and an attributes file that
/// `.git/config` names, `.git/info/exclude`, `.git/info/attributes`, a
/// `.gitattributes` and a `.gitignore` in the work tree. Before: each blocked
/// soclint for ever (a plain scan too for the ignore files). The two the
/// config names are set away, so the answer is right; git blocked on any
/// other is stopped after `SOCLINT_GIT_TIMEOUT` seconds: `--changed-since`
/// fails (exit 2, saying why), a plain scan leaves nothing out as
/// git-ignored.
#[cfg(unix)]
#[test]
fn fifos_git_would_open_block_nothing() {
    let mkfifo = |p: &Path| {
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        // `git init` writes a `.git/info/exclude`: the FIFO takes its place
        let _ = std::fs::remove_file(p);
        let status = Std::new("mkfifo").arg(p).status().expect("mkfifo");
        assert!(status.success());
    };
    let since = &["--changed-since", "HEAD~1", "--changed-lines-only"][..];
    let limit = [("SOCLINT_GIT_TIMEOUT", "2")];
    for key in ["diff.orderFile", "core.attributesFile"] {
        let dir = changed_repo();
        let d = dir.path();
        let outside = tempfile::tempdir().expect("tempdir");
        let fifo = outside.path().join("fifo");
        mkfifo(&fifo);
        git(d, &["config", key, &fifo.display().to_string()]);
        for args in [&[][..], since] {
            let (code, out, err) = check(d, args, &limit);
            assert_eq!(
                (code, out.as_str()),
                (1, finding("main.tf").as_str()),
                "{key} {args:?}: {err}"
            );
        }
    }
    // (file, whether `git diff` opens it: then `--changed-since` fails)
    for (rel, diff_opens) in [
        (".git/info/exclude", true),
        (".git/info/attributes", true),
        (".gitattributes", true),
        ("sub/.gitignore", false),
    ] {
        let dir = changed_repo();
        let d = dir.path();
        mkfifo(&d.join(rel));
        let (code, out, err) = check(d, &[], &limit);
        assert_eq!(
            (code, out.as_str()),
            (1, finding("main.tf").as_str()),
            "{rel}: {err}"
        );
        let (code, out, err) = check(d, since, &limit);
        if diff_opens {
            assert_eq!((code, out.as_str()), (2, ""), "{rel}: {err}");
            assert!(
                words(&err).contains("did not finish within 2 s and was stopped"),
                "{rel}: {err}"
            );
        } else {
            assert_eq!(
                (code, out.as_str()),
                (1, finding("main.tf").as_str()),
                "{rel}: {err}"
            );
        }
    }
}

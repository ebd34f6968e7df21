//! What a pull request's own `soclint.toml` can make soclint read: rule
//! files inside the repository only (no absolute path, no `..` or link out
//! of it, `*.toml` regular files only), and no error quotes a file that is
//! not TOML. Paths the operator names (`--rules`, `--config`) may point
//! anywhere, but their errors do not dump what is not TOML either. And the
//! trusted-configuration mode for CI: `--config` from outside the tree
//! replaces the pull request's `soclint.toml`.
//!
//! Each test names the red-team finding it reproduces
//! (`../shared/security/FINDINGS.md`: H2 = 3.6 / V04) or is an attack of the
//! same class. The layout: `<tmp>/repo` is the checkout (a git work tree,
//! the working directory), `<tmp>/outside` what lies beside it.
#![cfg(unix)]
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

const BAD_TF: &str = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";
const SECRET: &str = "ghs_FAKE000111222333";

/// A rule that fires on `BAD_TF`, under an id of its own.
const RULE: &str = "[[rule]]\nid = \"MY-S3-001\"\ntitle = \"t\"\nseverity = \"high\"\n\
criteria = [\"CC6.1\"]\ntarget = \"terraform\"\nresources = [\"aws_s3_bucket\"]\nmessage = \"m\"\n\
rationale = \"r\"\nremediation = \"x\"\nassert = { path = \"acl\", equals = \"private\" }\n";

struct Layout {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    outside: PathBuf,
}

fn layout() -> Layout {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::write(repo.join("main.tf"), BAD_TF).expect("write");
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    // what a runner keeps beside the checkout: not TOML, and TOML
    std::fs::write(outside.join("credentials"), format!("token={SECRET}\n")).expect("write");
    std::fs::write(
        outside.join("rules.toml"),
        format!("token = \"{SECRET}\"\n"),
    )
    .expect("write");
    Layout {
        _tmp: tmp,
        repo,
        outside,
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Runs `soclint check` in `dir` (built-in rules off: only the configured
/// ones run), with a secret in the environment; (exit code, stdout, stderr
/// as one line, miette's frame removed).
fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("DEPLOY_TOKEN", SECRET)
        .env("SOCLINT_TODAY", "2026-11-25")
        .args(["check", "--no-builtin", "--format", "compact"])
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    let flat = err
        .split_whitespace()
        .filter(|w| !matches!(*w, "×" | "│"))
        .collect::<Vec<_>>()
        .join(" ");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        flat,
    )
}

/// Exit 2 with `message`, and nothing of the secret anywhere.
fn assert_refused((code, out, err): (i32, String, String), message: &str) {
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(message), "expected `{message}` in: {err}");
    assert!(
        !err.contains("FAKE000") && !out.contains("FAKE000"),
        "{err}"
    );
}

/// H2 / V04: `rules = ["/proc/self/environ"]` printed the whole process
/// environment (NUL-separated, so one "line") into the CI log.
#[test]
fn v04_rules_cannot_name_an_absolute_path() {
    let l = layout();
    for named in ["/proc/self/environ", "/etc/passwd"] {
        write(&l.repo, "soclint.toml", &format!("rules = [\"{named}\"]\n"));
        let r = check(&l.repo, &["."]);
        assert!(!r.2.contains("root:x:0"), "{}", r.2);
        assert_refused(
            r,
            &format!("rules = [\"{named}\"] in soclint.toml: the path is absolute"),
        );
    }
}

/// H2 / V04: `rules = ["../x"]` left the repository.
#[test]
fn v04_rules_cannot_leave_the_repository_with_dot_dot() {
    let l = layout();
    for named in [
        "../outside/rules.toml",
        "../outside",
        "sub/../../outside/credentials",
    ] {
        write(&l.repo, "soclint.toml", &format!("rules = [\"{named}\"]\n"));
        std::fs::create_dir_all(l.repo.join("sub")).expect("mkdir");
        assert_refused(check(&l.repo, &["."]), "leads outside the repository");
    }
    // a sibling whose name starts like the repository's is outside too
    let evil = l.repo.with_file_name("repo-evil");
    std::fs::create_dir(&evil).expect("mkdir");
    std::fs::write(evil.join("r.toml"), format!("x = \"{SECRET}\"\n")).expect("write");
    write(
        &l.repo,
        "soclint.toml",
        "rules = [\"../repo-evil/r.toml\"]\n",
    );
    assert_refused(check(&l.repo, &["."]), "leads outside the repository");
}

/// A link inside the repository that leads out of it: as the configured
/// path itself, or inside a configured rule directory.
#[test]
fn rules_are_not_read_through_a_link_out_of_the_repository() {
    let l = layout();
    symlink(&l.outside, l.repo.join("linked")).expect("symlink");
    write(&l.repo, "soclint.toml", "rules = [\"linked\"]\n");
    assert_refused(check(&l.repo, &["."]), "leads outside the repository");

    write(&l.repo, "soclint.toml", "rules = [\"rules\"]\n");
    write(&l.repo, "rules/a.toml", RULE);
    symlink(l.outside.join("rules.toml"), l.repo.join("rules/b.toml")).expect("symlink");
    assert_refused(
        check(&l.repo, &["."]),
        "rules/b.toml is a link that leads outside",
    );
    // a link that stays inside is followed
    std::fs::remove_file(l.repo.join("rules/b.toml")).expect("rm");
    write(
        &l.repo,
        "shared/c.toml",
        &RULE.replace("MY-S3-001", "MY-S3-002"),
    );
    symlink("../shared/c.toml", l.repo.join("rules/c.toml")).expect("symlink");
    let (code, out, err) = check(&l.repo, &["."]);
    assert_eq!(code, 1, "{err}");
    // the directory link out of the repository is itself reported, not scanned
    assert_eq!(
        out,
        format!(
            "main.tf:2:9: HIGH MY-S3-001 [CC6.1] m\nmain.tf:2:9: HIGH MY-S3-002 [CC6.1] m\n\
             linked/:1:1: WARNING not-scanned symlink: a link to the directory `{}`, outside the scanned directory\n",
            l.outside.display()
        )
    );
}

/// The repository is found as git finds it: a config in a scanned
/// subdirectory may use `..` as long as it stays in the work tree.
#[test]
fn dot_dot_inside_the_repository_is_accepted() {
    let l = layout();
    write(&l.repo, "infra/main.tf", BAD_TF);
    write(
        &l.repo,
        "infra/soclint.toml",
        "rules = [\"../policy/../rules\"]\n",
    );
    write(&l.repo, "rules/a.toml", RULE);
    std::fs::create_dir(l.repo.join("policy")).expect("mkdir");
    let (code, out, err) = check(&l.repo, &["infra"]);
    assert_eq!(
        (code, out.as_str()),
        (1, "infra/main.tf:2:9: HIGH MY-S3-001 [CC6.1] m\n"),
        "{err}"
    );
}

/// Windows-style paths mean the same on every platform: refused.
#[test]
fn windows_style_paths_are_refused() {
    let l = layout();
    for (named, why) in [
        (
            "..\\\\outside\\\\rules.toml",
            "contains `\\`; write paths with `/`",
        ),
        ("C:\\\\Windows\\\\win.ini", "contains `\\`"),
        ("C:rules", "has a drive prefix"),
        ("\\\\\\\\server\\\\share\\\\r.toml", "contains `\\`"),
    ] {
        write(&l.repo, "soclint.toml", &format!("rules = [\"{named}\"]\n"));
        assert_refused(check(&l.repo, &["."]), why);
    }
}

/// Only `*.toml` files are rules, whatever the configured name says.
#[test]
fn only_toml_files_are_read_as_rules() {
    let l = layout();
    write(&l.repo, "notes.txt", &format!("token={SECRET}\n"));
    write(&l.repo, "soclint.toml", "rules = [\"notes.txt\"]\n");
    assert_refused(check(&l.repo, &["."]), "is not a .toml file");
    // case tricks: `X.TOML` is not a rule file either (a directory walk passes it over)
    write(&l.repo, "X.TOML", &format!("token={SECRET}\n"));
    write(&l.repo, "soclint.toml", "rules = [\"X.TOML\"]\n");
    assert_refused(check(&l.repo, &["."]), "is not a .toml file");
}

/// A rule file that is a FIFO (an archive can hold one) or leads to
/// `/dev/zero`: refused at once, never opened for reading (a FIFO would
/// wait for a writer; `/dev/zero` never ends).
#[test]
fn a_fifo_or_device_is_not_read_as_a_rule_file() {
    let l = layout();
    let fifo = l.repo.join("rules/fifo.toml");
    std::fs::create_dir_all(fifo.parent().expect("parent")).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    write(&l.repo, "soclint.toml", "rules = [\"rules\"]\n");
    assert_refused(
        check(&l.repo, &["."]),
        "is a FIFO, socket or device, not a regular file",
    );
    std::fs::remove_file(l.repo.join("soclint.toml")).expect("rm");
    // the operator's own --rules may name any file: still not a device
    symlink("/dev/zero", l.outside.join("zero.toml")).expect("symlink");
    let zero = l.outside.join("zero.toml");
    assert_refused(
        check(
            &l.repo,
            &["--rules", zero.to_str().expect("utf-8"), "main.tf"],
        ),
        "is a FIFO, socket or device, not a regular file",
    );
    assert_refused(
        check(&l.repo, &["--rules", "/dev/zero", "main.tf"]),
        "is not a .toml file",
    );
}

/// A `soclint.toml` found in the tree that is a link out of the repository
/// (its error quoted the target), or that is not a regular file (it was
/// "no config", in silence).
#[test]
fn the_config_found_in_the_tree_stays_in_the_repository() {
    let l = layout();
    symlink("/proc/self/environ", l.repo.join("soclint.toml")).expect("symlink");
    assert_refused(
        check(&l.repo, &["."]),
        "soclint.toml is a link that leads outside the repository",
    );
    std::fs::remove_file(l.repo.join("soclint.toml")).expect("rm");
    symlink(l.outside.join("credentials"), l.repo.join("soclint.toml")).expect("symlink");
    assert_refused(check(&l.repo, &["."]), "leads outside the repository");
    std::fs::remove_file(l.repo.join("soclint.toml")).expect("rm");
    std::fs::create_dir(l.repo.join("soclint.toml")).expect("mkdir");
    assert_refused(check(&l.repo, &["."]), "is a directory, not a regular file");
    // a link inside the repository is followed (its paths are relative to
    // where the link is, the directory soclint found it in)
    std::fs::remove_dir(l.repo.join("soclint.toml")).expect("rmdir");
    write(&l.repo, "config/soclint.toml", "rules = [\"rules\"]\n");
    write(&l.repo, "rules/a.toml", RULE);
    symlink("config/soclint.toml", l.repo.join("soclint.toml")).expect("symlink");
    let (code, out, err) = check(&l.repo, &["."]);
    assert_eq!(
        (code, out.as_str()),
        (1, "main.tf:2:9: HIGH MY-S3-001 [CC6.1] m\n"),
        "{err}"
    );
}

/// `--config` and `--rules` may name any file (the operator chose it), but
/// an error about one that is not TOML gives its position, not its line.
#[test]
fn errors_about_files_that_are_not_toml_do_not_quote_them() {
    let l = layout();
    let creds = l.outside.join("credentials");
    let creds = creds.to_str().expect("utf-8");
    assert_refused(
        check(&l.repo, &["--config", creds, "."]),
        &format!("invalid config {creds}:1:7:"),
    );
    std::fs::copy(l.outside.join("credentials"), l.outside.join("creds.toml")).expect("copy");
    let rules = l.outside.join("creds.toml");
    assert_refused(
        check(&l.repo, &["--rules", rules.to_str().expect("utf-8"), "."]),
        "creds.toml:1:7:",
    );
    // not UTF-8: the position of the first bad byte
    std::fs::write(l.outside.join("bin.toml"), b"a = 1\nb = \"\xff\"\n").expect("write");
    let bin = l.outside.join("bin.toml");
    assert_refused(
        check(&l.repo, &["--rules", bin.to_str().expect("utf-8"), "."]),
        "bin.toml:2:6: not UTF-8 text",
    );
}

/// An error about TOML (a rule file with a wrong key) still shows the line:
/// that is what a rule author needs, and TOML is not a secrets dump.
#[test]
fn errors_about_toml_still_point_into_the_file() {
    let l = layout();
    write(
        &l.repo,
        "rules/a.toml",
        &RULE.replace("severity", "sevrity"),
    );
    write(&l.repo, "soclint.toml", "rules = [\"rules\"]\n");
    let (code, _, err) = check(&l.repo, &["."]);
    assert_eq!(code, 2);
    assert!(
        err.contains("4 │ sevrity = \"high\"") || err.contains("4 sevrity = \"high\""),
        "{err}"
    );
}

/// A hard link makes a file in the tree the same file as one outside (an
/// archive can carry one): its errors give only the position.
#[test]
fn a_hard_linked_rule_file_is_not_quoted() {
    let l = layout();
    std::fs::create_dir_all(l.repo.join("rules")).expect("mkdir");
    std::fs::hard_link(l.outside.join("rules.toml"), l.repo.join("rules/r.toml")).expect("link");
    write(&l.repo, "soclint.toml", "rules = [\"rules\"]\n");
    assert_refused(check(&l.repo, &["."]), "rules/r.toml:1:1:");
}

/// Item 8, FINDINGS 9.3: the pull request's `soclint.toml` sets the gate
/// (`fail-on`, `ignore`, `builtin`, waivers...). With `--config` naming a
/// file from outside the tree (the base branch's), the one in the tree is
/// not read at all: the finding fails the run.
#[test]
fn a_trusted_config_from_outside_replaces_the_pull_requests() {
    let l = layout();
    write(
        &l.repo,
        "soclint.toml",
        "fail-on = \"never\"\nignore = [\"MY\"]\nrules = [\"does-not-exist\"]\n",
    );
    write(&l.outside, "base/soclint.toml", "rules = [\"rules\"]\n");
    write(&l.outside, "base/rules/a.toml", RULE);
    let trusted = l.outside.join("base/soclint.toml");
    let (code, out, err) = check(
        &l.repo,
        &["--config", trusted.to_str().expect("utf-8"), "."],
    );
    assert_eq!(
        (code, out.as_str()),
        (1, "main.tf:2:9: HIGH MY-S3-001 [CC6.1] m\n"),
        "{err}"
    );
    // without it, the pull request's config decides (here: an error for its missing rules)
    let (code, _, err) = check(&l.repo, &["."]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("rules = [\"does-not-exist\"] in soclint.toml: the path does not exist"),
        "{err}"
    );
}

/// `..` and absolute paths in the config's other path values: a waiver's
/// `path` and `policy-paths` name files of the scanned tree (globs matched
/// against it; nothing is read from them), so `../outside/policies` made the
/// required-policy rules report files at `../outside/…` and `/etc` was
/// quietly read as `etc`, and a waiver for `../**` never applied, in silence.
/// Each is now an error pointing at the value.
#[test]
fn waiver_and_policy_paths_cannot_leave_the_tree() {
    let l = layout();
    for (config, message) in [
        (
            "policy-paths = [\"../outside/policies\"]\n",
            "policy path `../outside/policies` leaves the scanned directory",
        ),
        (
            "policy-paths = [\"/etc\"]\n",
            "policy path `/etc` is absolute; paths in soclint.toml are relative to the scanned directory",
        ),
        (
            "[[waiver]]\nrule = \"MY-S3-001\"\npath = \"../**\"\nreason = \"x\"\n",
            "waiver path `../**` leaves the scanned directory",
        ),
        (
            "[[waiver]]\nrule = \"MY-S3-001\"\npath = \"C:/repo/*.tf\"\nreason = \"x\"\n",
            "has a drive prefix",
        ),
    ] {
        write(&l.repo, "soclint.toml", config);
        assert_refused(check(&l.repo, &["."]), message);
    }
}

/// Errors about rule files name files of the repository and may quote
/// them: a name or a line carrying a terminal escape or a bidirectional
/// override reaches the CI log as visible escapes, never as the bytes (the
/// ESC of `\x1b]0;…` retitles a terminal; U+202E reorders what is shown).
#[test]
fn errors_about_rule_files_show_hidden_characters_as_escapes() {
    let l = layout();
    write(&l.repo, "soclint.toml", "rules = [\"rules\"]\n");
    write(&l.repo, "rules/a\u{1b}]0;PWNED\u{7}.toml", "[[rule]\n");
    let (code, out, err) = check(&l.repo, &["."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("rules/a\\x1b]0;PWNED\\x07.toml:1:8:"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    std::fs::remove_dir_all(l.repo.join("rules")).expect("rm");
    // valid TOML with a wrong key and an override in a comment: not quoted
    write(
        &l.repo,
        "rules/b.toml",
        &format!(
            "# reviewed \u{202e}evol\n{}",
            RULE.replace("severity", "sevrity")
        ),
    );
    let (code, out, err) = check(&l.repo, &["."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("rules/b.toml:5:1: unknown field `sevrity`"),
        "{err}"
    );
    assert!(!err.contains('\u{202e}'), "{err:?}");
}

/// `baseline = "../x.json"` in the pull request's `soclint.toml` made
/// `soclint baseline` write beside the checkout: a plain path, no link, so
/// the output guard let it through. The directory a configured baseline goes
/// in must be inside the repository; the file itself need not exist yet.
#[test]
fn a_configured_baseline_is_written_inside_the_repository_only() {
    let l = layout();
    std::fs::create_dir(l.repo.join("ci")).expect("mkdir");
    let baseline = |dir: &Path| {
        let out = Command::cargo_bin("soclint")
            .expect("binary")
            .current_dir(dir)
            .env("SOCLINT_TODAY", "2026-11-25")
            .args(["baseline", "."])
            .timeout(Duration::from_secs(30))
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr)
            .split_whitespace()
            .filter(|w| !matches!(*w, "×" | "│"))
            .collect::<Vec<_>>()
            .join(" ");
        (out.status.code().unwrap_or(-1), err)
    };
    for (named, message) in [
        ("../outside/stolen.json", "leads outside the repository"),
        (
            "ci/../../outside/stolen.json",
            "leads outside the repository",
        ),
        ("ci/..", "does not name a file"),
        ("missing/base.json", "does not exist"),
    ] {
        write(
            &l.repo,
            "soclint.toml",
            &format!("baseline = \"{named}\"\n"),
        );
        let (code, err) = baseline(&l.repo);
        assert_eq!(code, 2, "{named}: {err}");
        assert!(
            err.contains(&format!(
                "baseline = \"{named}\" in soclint.toml: the path {message}"
            )),
            "{named}: {err}"
        );
    }
    let mut beside: Vec<_> = std::fs::read_dir(&l.outside)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    beside.sort();
    assert_eq!(beside, ["credentials", "rules.toml"]);
    // inside the repository it is written, and `check` applies it
    write(&l.repo, "soclint.toml", "baseline = \"ci/base.json\"\n");
    let (code, err) = baseline(&l.repo);
    assert_eq!(code, 0, "{err}");
    assert!(l.repo.join("ci/base.json").is_file());
}

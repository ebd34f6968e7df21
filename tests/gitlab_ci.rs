//! GitLab CI pipelines: `.gitlab-ci.yml` and the files it reaches through
//! `include:` (resolved inside the scanned tree only, cycles cut), what is
//! not fetched or does not exist said in every report, `extends:`
//! inheritance with findings where the value was written, and literal
//! credentials never printed.
use std::path::Path;

use assert_cmd::Command;

/// `check` of `dir` with `args`: exit code and stdout.
fn check(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .arg("check")
        .arg(dir)
        .args(args)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text)
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The compact report's GitLab CI findings, the directory taken off.
fn gitlab_findings(dir: &Path, text: &str) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    text.lines()
        .filter(|l| l.contains(" GLCI-"))
        .map(|l| l.replace(&prefix, ""))
        .collect()
}

/// A repository whose pipeline includes files every way GitLab allows,
/// and some it must not read.
fn include_tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    // outside the scanned tree: never read, whatever the pipeline names
    write(
        tmp.path(),
        "outside.yml",
        "outside:\n  image: outside:latest\n  script: x\n",
    );
    write(
        &repo,
        ".gitlab-ci.yml",
        "include:\n  - ci/a.yml\n  - local: /ci/b.yml\n  - local: ci/more/*.yml\n  - local: ../outside.yml\n  - local: ci/missing.yml\n  - local: ci/link.yml\n  - remote: https://example.com/ci.yml\n  - project: group/templates\n    ref: 0123456789abcdef0123456789abcdef01234567\n    file: build.yml\n\nroot:\n  image: root:latest\n  script: make\n",
    );
    // a cycle back to the root and to itself
    write(
        &repo,
        "ci/a.yml",
        "include:\n  - .gitlab-ci.yml\n  - ci/a.yml\na:\n  image: a:latest\n  script: make\n",
    );
    write(
        &repo,
        "ci/b.yml",
        "b:\n  services:\n    - name: b\n  script: make\n",
    );
    write(&repo, "ci/more/c.yml", "c:\n  image: c\n  script: make\n");
    write(&repo, "ci/more/d.yaml", "d:\n  image: d\n  script: make\n");
    // not included: not a pipeline, whatever it holds
    write(
        &repo,
        "ci/unused.yml",
        "u:\n  image: u:latest\n  script: make\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("../../outside.yml", repo.join("ci/link.yml")).expect("link");
    tmp
}

#[test]
fn included_files_are_pipeline_files_and_nothing_outside_the_tree_is_read() {
    let tmp = include_tree();
    let repo = tmp.path().join("repo");
    let (code, out) = check(
        &repo,
        &[
            "--format",
            "compact",
            "--select",
            "GLCI-IMAGE-001",
            "--no-config",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        gitlab_findings(&repo, &out),
        vec![
            ".gitlab-ci.yml:14:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `root.image` uses the unpinned image `root:latest`",
            "ci/a.yml:5:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `a.image` uses the unpinned image `a:latest`",
            "ci/b.yml:3:13: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `b.services[0]` uses the unpinned image `b`",
            "ci/more/c.yml:2:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `c.image` uses the unpinned image `c`",
        ],
        "{out}"
    );
    assert!(!out.contains("outside:latest"), "{out}");
}

#[test]
fn includes_not_followed_are_said_in_every_format() {
    let tmp = include_tree();
    let repo = tmp.path().join("repo");
    let expected = "GitLab CI pipeline checked without part of it: local include `../outside.yml` leads outside the scanned directory; not read; local include `ci/missing.yml` does not exist among the scanned files; local include `ci/link.yml` does not exist among the scanned files; remote `https://example.com/ci.yml` is not fetched; project `group/templates@0123456789abcdef0123456789abcdef01234567` (build.yml) is not fetched";
    let (_, json) = check(&repo, &["--format", "json", "--no-config"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let skipped: Vec<(String, String, String)> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or("").to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
                s["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .filter(|(p, _, _)| p == ".gitlab-ci.yml")
        .collect();
    assert_eq!(
        skipped,
        vec![(
            ".gitlab-ci.yml".to_string(),
            "unrendered".to_string(),
            expected.to_string()
        )]
    );
    for format in ["human", "sarif", "junit", "markdown", "gitlab"] {
        let (_, out) = check(&repo, &["--format", format, "--no-config"]);
        assert!(
            out.contains("example.com/ci.yml"),
            "{format} does not say the remote include was not fetched:\n{out}"
        );
    }
}

#[test]
fn jobs_inherit_rules_and_environment_through_extends() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        ".gitlab-ci.yml",
        r#"include:
  - local: ci/templates.yml

.prod:
  environment:
    name: production

.protected:
  rules:
    - if: $CI_COMMIT_REF_PROTECTED == "true"

deploy-a:
  extends: .prod
  script: ./deploy.sh

deploy-b:
  extends: [.prod, .protected]
  script: ./deploy.sh

# templates of another file of the pipeline: restricted there
deploy-c:
  extends: .elsewhere
  environment: production
  script: ./deploy.sh

# ... or not: the finding lands at the `extends:` entry that reaches it
deploy-e:
  extends:
    - .anywhere
  environment: production
  script: ./deploy.sh

# a template soclint cannot see: not guessed
deploy-f:
  extends: .nowhere
  environment: production
  script: ./deploy.sh

# rules from a `!reference` (gitlabhq/omnibus-gitlab's deployer-trigger):
# not known, and it may turn unprotected refs away before the next one
deploy-d:
  environment: production
  rules:
    - !reference [.protected, rules]
    - if: '$PIPELINE_TYPE =~ /_RC_BUILD_PIPELINE$/'
  script: ./deploy.sh
"#,
    );
    write(
        tmp.path(),
        "ci/templates.yml",
        ".elsewhere:\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n.anywhere:\n  rules:\n    - when: manual\n",
    );
    let (code, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "GLCI", "--no-config"],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        gitlab_findings(tmp.path(), &out),
        // deploy-b and deploy-c inherit a protected-branch rule, of their
        // file and of another; deploy-d's and deploy-f's rules are not
        // known, so the rule skips them
        vec![
            ".gitlab-ci.yml:12:1: HIGH GLCI-DEPLOY-001 [CC8.1,CC6.1] job `deploy-a` deploys to production but can run on any branch",
            ".gitlab-ci.yml:29:7: HIGH GLCI-DEPLOY-001 [CC8.1,CC6.1] job `deploy-e` deploys to production but can run on any branch",
        ],
        "{out}"
    );
}

#[test]
fn literal_credentials_in_variables_are_never_printed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let secret = "glpat-Zx81Qw0PlM2nB7vC4xRt";
    write(
        tmp.path(),
        ".gitlab-ci.yml",
        &format!("variables:\n  GITLAB_TOKEN: {secret}\n\nbuild:\n  script: make\n"),
    );
    let (code, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "GLCI", "--no-config"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        gitlab_findings(tmp.path(), &out),
        vec![".gitlab-ci.yml:2:17: CRITICAL GLCI-SECRET-001 [CC6.1,C1.1] `pipeline` sets a credential as a literal `variables` value"]
    );
    for format in [
        "human", "json", "sarif", "junit", "markdown", "gitlab", "github",
    ] {
        let (_, out) = check(tmp.path(), &["--format", format, "--no-config"]);
        assert!(out.contains("GLCI-SECRET-001"), "{format}: {out}");
        assert!(
            !out.contains(&secret[6..]),
            "{format} prints the credential:\n{out}"
        );
    }
}

#[test]
fn includes_resolve_under_a_root_named_by_a_relative_path() {
    // inside a repository, a scanned directory's files are named from its root
    let tmp = include_tree();
    std::fs::create_dir(tmp.path().join(".git")).expect("mkdir .git");
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("NO_COLOR", "1")
        .current_dir(tmp.path())
        .args([
            "check",
            "repo",
            "--format",
            "compact",
            "--select",
            "GLCI-IMAGE-001",
            "--no-config",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let found: Vec<&str> = text.lines().filter(|l| l.contains(" GLCI-")).collect();
    assert_eq!(
        found,
        vec![
            "repo/.gitlab-ci.yml:14:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `root.image` uses the unpinned image `root:latest`",
            "repo/ci/a.yml:5:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `a.image` uses the unpinned image `a:latest`",
            "repo/ci/b.yml:3:13: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `b.services[0]` uses the unpinned image `b`",
            "repo/ci/more/c.yml:2:10: MEDIUM GLCI-IMAGE-001 [CC6.8,CC8.1,CC9.2] `c.image` uses the unpinned image `c`",
        ],
        "{text}"
    );
}

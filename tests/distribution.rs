//! Release coordinates agree everywhere a user or a packager reads them, and
//! `soclint --version` names the commit it was built from.
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Process::new("git")
        .arg("-C")
        .arg(root())
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit build.rs finds, when this test runs in soclint's own checkout
/// (CI runs a clean clone, so it does there).
fn checkout_commit() -> Option<(String, String)> {
    if std::env::var_os("SOCLINT_BUILD_COMMIT").is_some() {
        return None;
    }
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(top).ok()? != std::fs::canonicalize(root()).ok()? {
        return None;
    }
    let line = git(&["log", "-1", "--date=short", "--format=%H %cd"])?;
    let (hash, date) = line.split_once(' ')?;
    Some((hash.to_string(), date.to_string()))
}

fn soclint(arg: &str) -> String {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .arg(arg)
        .output()
        .expect("runs");
    assert!(out.status.success(), "soclint {arg} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let short = soclint("-V");
    let long = soclint("--version");
    match checkout_commit() {
        Some((hash, date)) => {
            let head = format!("soclint {VERSION} ({} {date})", &hash[..10]);
            assert_eq!(
                short,
                format!("{head}\n"),
                "the binary's commit is not HEAD: was it built before the last commit?"
            );
            let lines: Vec<&str> = long.lines().collect();
            assert_eq!(
                lines[..3],
                [
                    head.as_str(),
                    &format!("commit-hash: {hash}"),
                    &format!("commit-date: {date}"),
                ]
            );
            assert!(lines[3].starts_with("target: "), "{long}");
            assert_eq!(lines.len(), 4, "{long}");
        }
        None => {
            assert!(short.starts_with(&format!("soclint {VERSION}")), "{short}");
            assert!(long.contains("\ncommit-hash: "), "{long}");
        }
    }
}

/// Between releases `main` may carry a pre-release version (`0.2.1-dev`,
/// docs/releasing.md); release notes and the hook pin then name the last
/// release.
fn is_release() -> bool {
    !VERSION.contains('-')
}

#[test]
fn changelog_has_a_section_for_this_version() {
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog.contains("\n## [Unreleased]\n"),
        "CHANGELOG.md has no [Unreleased] section"
    );
    if !is_release() {
        return;
    }
    let heading = format!("\n## [{VERSION}] - ");
    assert!(
        changelog.contains(&heading),
        "CHANGELOG.md has no `## [{VERSION}] - DATE`"
    );
    let link = format!("\n[{VERSION}]: https://github.com/soclint/soclint/releases/tag/v{VERSION}");
    assert!(
        changelog.contains(&link),
        "CHANGELOG.md has no link for v{VERSION}"
    );
}

#[test]
fn readme_states_the_minimum_rust_version() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let msrv = manifest["package"]["rust-version"]
        .as_str()
        .expect("rust-version");
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("Rust {msrv} or newer")),
        "README.md does not say `Rust {msrv} or newer`"
    );
}

/// `key: value` lines of a `.pre-commit-hooks.yaml` with one hook.
fn hook_fields(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.trim_start_matches("- ").trim().split_once(": "))
        .filter(|(k, _)| !k.starts_with('#'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn both_pre_commit_hooks_run_the_same_command_on_the_same_files() {
    let source = hook_fields(&read(".pre-commit-hooks.yaml"));
    let python = hook_fields(&read("packaging/pre-commit/.pre-commit-hooks.yaml"));
    assert_eq!(source["id"], "soclint-source");
    assert_eq!(source["language"], "rust");
    assert_eq!(python["id"], "soclint");
    assert_eq!(python["language"], "python");
    // `--` ends the options: a staged file named `--select=X.tf` is a file
    assert_eq!(source["entry"], "soclint check --format compact --");
    for key in ["entry", "files", "pass_filenames", "require_serial"] {
        assert_eq!(source[key], python[key], "{key}");
    }
}

#[test]
fn python_packages_agree_with_cargo() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let pyproject: toml::Table = toml::from_str(&read("pyproject.toml")).expect("pyproject.toml");
    assert_eq!(
        pyproject["project"]["description"].as_str(),
        manifest["package"]["description"].as_str()
    );
    assert_eq!(pyproject["project"]["name"].as_str(), Some("soclint"));
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
    let hook: toml::Table =
        toml::from_str(&read("packaging/pre-commit/pyproject.toml")).expect("hook pyproject");
    let deps = hook["project"]["dependencies"]
        .as_array()
        .expect("dependencies");
    if is_release() {
        assert_eq!(deps, &[toml::Value::from(format!("soclint=={VERSION}"))]);
    } else {
        let pin = deps[0].as_str().and_then(|d| d.strip_prefix("soclint=="));
        assert!(pin.is_some_and(|v| v.split('.').count() == 3), "{deps:?}");
    }
}

/// The targets release.yml builds, in its matrix order.
fn release_targets() -> Vec<String> {
    read(".github/workflows/release.yml")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_channel_names_the_release_archives_alike() {
    let targets = release_targets();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ]
    );
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let package = &manifest["package"];
    let repo = package["repository"].as_str().expect("repository");
    assert_eq!(repo, "https://github.com/soclint/soclint");
    let binstall = &package["metadata"]["binstall"];
    let install_sh = read("packaging/action/install.sh");
    let build_sh = read("packaging/release-build.sh");
    assert!(build_sh.contains("name=\"soclint-${VERSION:?set VERSION}-$target\""));
    for target in &targets {
        let windows = target.contains("windows");
        let (ext, exe) = if windows {
            ("zip", ".exe")
        } else {
            ("tar.gz", "")
        };
        let table = if windows {
            &binstall["overrides"][target.as_str()]
        } else {
            binstall
        };
        let expand = |template: &str| {
            template
                .replace("{ repo }", repo)
                .replace("{ version }", VERSION)
                .replace("{ target }", target)
                .replace("{ bin }", "soclint")
                .replace("{ binary-ext }", exe)
        };
        let archive = format!("soclint-{VERSION}-{target}.{ext}");
        assert_eq!(
            expand(table["pkg-url"].as_str().expect("pkg-url")),
            format!("{repo}/releases/download/v{VERSION}/{archive}")
        );
        assert_eq!(
            table["pkg-fmt"].as_str(),
            Some(if windows { "zip" } else { "tgz" })
        );
        assert_eq!(
            expand(binstall["bin-dir"].as_str().expect("bin-dir")),
            format!("soclint-{VERSION}-{target}/soclint{exe}")
        );
        // the Action downloads this target on some runner
        assert!(
            install_sh.contains(&format!(") echo {target} ;;")),
            "install.sh maps no runner to {target}"
        );
    }
}

#[test]
fn the_release_check_accepts_this_version_and_rejects_others() {
    let check = |tag: &str| {
        Process::new("bash")
            .arg(root().join("packaging/release-check.sh"))
            .arg(tag)
            .env_remove("GITHUB_OUTPUT")
            .output()
            .expect("bash")
    };
    let ok = check(&format!("v{VERSION}"));
    if !is_release() {
        assert_eq!(
            ok.status.code(),
            Some(1),
            "a pre-release version is not released"
        );
        return;
    }
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        format!("version={VERSION}\n")
    );
    let wrong = check("v9.9.9");
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&wrong.stderr),
        format!("release-check: tag v9.9.9 does not match Cargo.toml's version {VERSION}\n")
    );
}

#[test]
fn the_readme_shows_the_gitlab_example_as_it_is_in_docs_ci() {
    let example = read("docs/ci/gitlab-ci.yml");
    assert!(
        read("README.md").contains(&format!("```yaml\n{example}```\n")),
        "README.md's GitLab example differs from docs/ci/gitlab-ci.yml"
    );
}

#[test]
fn the_crate_carries_the_rule_pack_but_no_tests_fixtures_or_tooling() {
    let out = Process::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo package --list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = String::from_utf8_lossy(&out.stdout);
    let tops: std::collections::BTreeSet<&str> = files
        .lines()
        .map(|f| f.split('/').next().unwrap_or(f))
        .collect();
    assert_eq!(
        tops.into_iter().collect::<Vec<_>>(),
        [
            ".cargo_vcs_info.json",
            "CHANGELOG.md",
            "Cargo.lock",
            "Cargo.toml",
            "Cargo.toml.orig",
            "LICENSE",
            "README.md",
            "build.rs",
            "policies",
            "src",
        ]
    );
    let rule_files = read_dir_count(&root().join("policies"));
    let packaged = files.lines().filter(|f| f.starts_with("policies/")).count();
    assert_eq!(packaged, rule_files, "every rule file is in the crate");
}

fn read_dir_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                read_dir_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}

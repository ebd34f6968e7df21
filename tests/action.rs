//! The GitHub Action's scripts (packaging/action/), run as the runner runs
//! them: `install.sh` against a fake release served over HTTP on 127.0.0.1
//! (checksums verified, the tool cache reused, a mismatch fails, untagged refs
//! build from source) and `scan.sh` with the real binary (outputs, the summary
//! annotation first, arguments and paths passed without shell expansion).
#![cfg(unix)]
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const TARGET: &str = "x86_64-unknown-linux-musl";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// bash, curl, tar and python3 (for `http.server`) are on every CI machine;
/// elsewhere a missing one skips the test, in CI it fails it.
fn tools_present() -> bool {
    let missing: Vec<&str> = ["bash", "curl", "tar", "python3", "sha256sum"]
        .into_iter()
        .filter(|t| {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .map_or(true, |s| !s.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI lacks {missing:?} for the action tests"
    );
    eprintln!("skipped: {missing:?} not installed");
    false
}

fn write_exe(path: &Path, text: &str) {
    fs::write(path, text).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

/// A release directory as GitHub serves it: `v0.2.0/ARCHIVE` and
/// `v0.2.0/SHA256SUMS`; the archive holds a stand-in binary whose
/// `--version` names `commit`.
fn fake_release(root: &Path, version: &str, commit: &str) -> PathBuf {
    let name = format!("soclint-{version}-{TARGET}");
    let stage = root.join("stage").join(&name);
    fs::create_dir_all(&stage).expect("mkdir");
    write_exe(
        &stage.join("soclint"),
        &format!(
            "#!/bin/sh\nprintf 'soclint {version} ({} 2026-12-05)\\ncommit-hash: {commit}\\ncommit-date: 2026-12-05\\ntarget: {TARGET}\\n'\n",
            &commit[..10]
        ),
    );
    fs::write(stage.join("README.md"), "# soclint\n").expect("write");
    fs::write(stage.join("LICENSE"), "MIT\n").expect("write");
    let dir = root.join("www").join(format!("v{version}"));
    fs::create_dir_all(&dir).expect("mkdir");
    let archive = dir.join(format!("{name}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(root.join("stage"))
        .arg(&name)
        .status()
        .expect("tar");
    assert!(status.success());
    fs::write(
        dir.join("SHA256SUMS"),
        format!(
            "{}  soclint-{version}-aarch64-unknown-linux-musl.tar.gz\n{}  {name}.tar.gz\n",
            "f".repeat(64),
            sha256(&archive)
        ),
    )
    .expect("write");
    dir
}

/// `python3 -m http.server` on a free port of 127.0.0.1, serving `root`;
/// stopped when dropped. Its access log tells which files were fetched.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(root: &Path, log: PathBuf) -> Server {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).expect("log"))
            .spawn()
            .expect("python3 -m http.server");
        // "Serving HTTP on 127.0.0.1 port 40023 (http://127.0.0.1:40023/) ..."
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server banner");
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server { child, port, log }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The paths fetched so far, in order.
    fn fetched(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .expect("log")
            .lines()
            .filter_map(|l| l.split("\"GET ").nth(1)?.split(' ').next())
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The runner's side: tool cache, temp, GITHUB_PATH/GITHUB_OUTPUT files, the
/// action's checkout (a Cargo.toml with `version`), and a stand-in `cargo`
/// that records how it was called.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new(action_version: &str) -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        for d in ["cache", "temp", "action", "workspace"] {
            fs::create_dir_all(dir.path().join(d)).expect("mkdir");
        }
        fs::write(
            dir.path().join("action/Cargo.toml"),
            format!("[package]\nname = \"soclint\"\nversion = \"{action_version}\"\n"),
        )
        .expect("write");
        write_exe(
            &dir.path().join("cargo"),
            "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/cargo.log\"\nroot=\"$6\"\nmkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho soclint from source\\n' > \"$root/bin/soclint\"\nchmod +x \"$root/bin/soclint\"\n",
        );
        Runner { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn install(&self, server: &Server, action_ref: &str, version: &str) -> Output {
        Command::new("bash")
            .arg(repo().join("packaging/action/install.sh"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", self.path("cache"))
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env("GITHUB_OUTPUT", self.path("github_output"))
            .env("GITHUB_WORKSPACE", self.path("workspace"))
            .env("SOCLINT_ACTION_PATH", self.path("action"))
            .env("SOCLINT_ACTION_REF", action_ref)
            .env("SOCLINT_VERSION", version)
            .env("SOCLINT_RELEASES_URL", server.url())
            .env("SOCLINT_CARGO", self.path("cargo"))
            .output()
            .expect("bash")
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_default()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_tagged_ref_installs_the_verified_release_and_reuses_the_tool_cache() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    fake_release(tmp.path(), "0.2.0", COMMIT);
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let runner = Runner::new("0.2.0");

    let out = runner.install(&server, "v0.2.0", "");
    assert!(out.status.success(), "{}", stdout(&out));
    let installed = runner.path("cache/soclint/0.2.0/x64");
    assert_eq!(
        runner.read("github_output"),
        format!("path={}/soclint\nversion=0.2.0\n", installed.display())
    );
    assert_eq!(
        runner.read("github_path"),
        format!("{}\n", installed.display())
    );
    assert!(runner.path("cache/soclint/0.2.0/x64.complete").is_file());
    let archive = format!("soclint-0.2.0-{TARGET}.tar.gz");
    assert!(installed.join("README.md").is_file() && installed.join("LICENSE").is_file());
    assert_eq!(
        server.fetched(),
        [
            format!("/v0.2.0/{archive}"),
            "/v0.2.0/SHA256SUMS".to_string()
        ]
    );
    assert!(
        stdout(&out).contains("SHA-256 verified: "),
        "{}",
        stdout(&out)
    );

    // the moving major tag names the same release; the tool cache has it
    let again = runner.install(&server, "v0", "");
    assert!(again.status.success(), "{}", stdout(&again));
    assert!(stdout(&again).contains("soclint 0.2.0 from the tool cache"));
    assert_eq!(server.fetched().len(), 2, "the second install downloaded");
    assert!(!runner.path("cargo.log").exists(), "cargo ran");
}

#[test]
fn a_checksum_mismatch_fails_and_installs_nothing() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fake_release(tmp.path(), "0.2.0", COMMIT);
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    let good = sums.lines().nth(1).expect("line")[..64].to_string();
    let bad = format!(
        "{}{}",
        &good[..63],
        if good.ends_with('0') { '1' } else { '0' }
    );
    fs::write(dir.join("SHA256SUMS"), sums.replace(&good, &bad)).expect("write");
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let runner = Runner::new("0.2.0");

    let out = runner.install(&server, "v0.2.0", "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "::error title=soclint install::checksum mismatch for soclint-0.2.0-{TARGET}.tar.gz: expected {bad}, got {good}"
        )),
        "{}",
        stdout(&out)
    );
    assert!(!runner.path("cache/soclint/0.2.0/x64").exists());
    assert!(!runner.path("cache/soclint/0.2.0/x64.complete").exists());
    assert_eq!(runner.read("github_path"), "");
    assert_eq!(runner.read("github_output"), "");
    assert!(!runner.path("cargo.log").exists(), "fell back to cargo");
}

#[test]
fn a_release_without_a_checksum_for_the_archive_fails() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fake_release(tmp.path(), "0.2.0", COMMIT);
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    fs::write(dir.join("SHA256SUMS"), sums.lines().next().expect("line")).expect("write");
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let runner = Runner::new("0.2.0");

    let out = runner.install(&server, "", "0.2.0");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(&format!(
        "::error title=soclint install::SHA256SUMS of v0.2.0 has no checksum for soclint-0.2.0-{TARGET}.tar.gz"
    )));
    assert!(!runner.path("cache/soclint/0.2.0/x64.complete").exists());
}

#[test]
fn refs_choose_between_the_release_and_a_source_build() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    fake_release(tmp.path(), "0.2.0", COMMIT);
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let cases: BTreeMap<&str, (&str, &str, Option<&str>)> = BTreeMap::from([
        // ref → (Cargo.toml version, installed version, error)
        (COMMIT, ("0.2.0", "0.2.0", None)),
        (
            "fedcba9876543210fedcba9876543210fedcba98",
            ("0.2.0", "0.2.0 (source)", None),
        ),
        ("main", ("0.2.0", "0.2.0 (source)", None)),
        ("", ("0.3.0-dev", "0.3.0-dev (source)", None)),
        (
            "v0.3.0",
            (
                "0.2.0",
                "",
                Some("the action's ref is v0.3.0 but its Cargo.toml says 0.2.0"),
            ),
        ),
        (
            "v1",
            (
                "0.2.0",
                "",
                Some("the action's ref is v1 but its Cargo.toml says 0.2.0"),
            ),
        ),
    ]);
    for (action_ref, (own, installed, error)) in cases {
        let runner = Runner::new(own);
        let out = runner.install(&server, action_ref, "");
        let output = runner.read("github_output");
        match error {
            Some(e) => {
                assert_eq!(out.status.code(), Some(1), "{action_ref}");
                assert!(
                    stdout(&out).contains(&format!("::error title=soclint install::{e}")),
                    "{action_ref}: {}",
                    stdout(&out)
                );
            }
            None => {
                assert!(out.status.success(), "{action_ref}: {}", stdout(&out));
                assert!(
                    output.ends_with(&format!("\nversion={installed}\n")),
                    "{action_ref}: {output}"
                );
                let cargo = runner.read("cargo.log");
                if installed.ends_with("(source)") {
                    let root = runner.path("temp/soclint-source");
                    assert_eq!(
                        cargo,
                        format!(
                            "install --locked --path {} --root {}\n",
                            runner.path("action").display(),
                            root.display()
                        ),
                        "{action_ref}"
                    );
                    assert!(output.starts_with(&format!("path={}/bin/soclint\n", root.display())));
                } else {
                    assert_eq!(cargo, "", "{action_ref}");
                }
            }
        }
    }
}

#[test]
fn a_missing_release_fails_a_tagged_ref() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    fake_release(tmp.path(), "0.2.0", COMMIT);
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let runner = Runner::new("0.2.1");
    let out = runner.install(&server, "v0.2.1", "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out)
        .contains("::error title=soclint install::release v0.2.1 could not be downloaded"));
    assert!(!runner.path("cargo.log").exists(), "fell back to cargo");
}

fn scan(runner: &Runner, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("packaging/action/scan.sh"))
        .current_dir(runner.path("workspace"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SOCLINT_BIN", env!("CARGO_BIN_EXE_soclint"))
        .env("RUNNER_TEMP", runner.path("temp"))
        .env("GITHUB_OUTPUT", runner.path("github_output"))
        .env("GITHUB_STEP_SUMMARY", runner.path("step_summary.md"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bash")
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

#[test]
fn scan_reports_counts_and_the_summary_before_any_annotation() {
    if !tools_present() {
        return;
    }
    let runner = Runner::new("0.2.0");
    // a path with a space, a semicolon and a command substitution, and one
    // that looks like an option: each must arrive as one path
    let odd = "demo; $(touch pwned)";
    copy_tree(
        &repo().join("fixtures/demo"),
        &runner.path("workspace").join(odd),
    );
    fs::create_dir_all(runner.path("workspace/--select=AWS-S3-001")).expect("mkdir");
    fs::write(
        runner.path("workspace/--select=AWS-S3-001/main.tf"),
        "resource \"aws_s3_bucket_acl\" \"a\" {\n  bucket = \"a\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    let out = scan(
        &runner,
        &[
            ("SOCLINT_PATHS", &format!("{odd}\n--select=AWS-S3-001\n")),
            ("SOCLINT_ARGS", "--select\nAWS-S3-001\n"),
            ("SOCLINT_FAIL_ON", "high"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!runner.path("workspace/pwned").exists() && !Path::new("pwned").exists());

    let temp = runner.path("temp/soclint");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(temp.join("soclint.json")).expect("json"))
            .expect("parses");
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        [
            "--select=AWS-S3-001/main.tf",
            "demo; $(touch pwned)/infra/terraform/storage.tf"
        ]
    );
    assert_eq!(
        runner.read("github_output"),
        format!(
            "sarif-file={t}/soclint.sarif\njson-file={t}/soclint.json\nannotations-file={t}/annotations.txt\nfindings=2\nsuppressed=0\nbaselined=0\nunparsed=0\nunscanned=0\nexit-code=1\n",
            t = temp.display()
        )
    );
    assert!(temp.join("soclint.sarif").is_file());
    assert!(runner.read("step_summary.md").contains("AWS-S3-001"));
    // soclint's own output is fenced by stop-commands with a fresh token, and
    // the only workflow command after it is the summary
    let log = stdout(&out);
    let commands: Vec<&str> = log.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 3, "{log}");
    let token = commands[0]
        .strip_prefix("::stop-commands::")
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    assert_eq!(commands[1], format!("::{token}::"));
    assert_eq!(
        commands[2],
        "::error title=soclint::2 findings, 0 files not parsed, 0 suppressed, 0 in the baseline: the check fails (fail-on: high). GitHub shows only the first 10 annotations of each level per step; every finding is in the job summary, the log and the SARIF report."
    );
    let annotations = fs::read_to_string(temp.join("annotations.txt")).expect("annotations");
    assert_eq!(
        annotations
            .lines()
            .filter(|l| l.starts_with("::error "))
            .count(),
        2
    );
}

#[test]
fn scan_below_the_threshold_warns_and_a_usage_error_fails() {
    if !tools_present() {
        return;
    }
    let runner = Runner::new("0.2.0");
    copy_tree(&repo().join("fixtures/demo"), &runner.path("workspace"));
    let out = scan(
        &runner,
        &[
            ("SOCLINT_ARGS", "--select\nAWS-S3-001"),
            ("SOCLINT_FAIL_ON", "never"),
        ],
    );
    assert!(out.status.success());
    let output = runner.read("github_output");
    assert!(
        output.contains("\nfindings=1\n") && output.ends_with("\nexit-code=0\n"),
        "{output}"
    );
    assert!(stdout(&out).contains("\n::warning title=soclint::1 finding, 0 files not parsed, 0 suppressed, 0 in the baseline: below the fail-on threshold (never)."));

    let out = scan(&runner, &[("SOCLINT_CONFIG", "missing.toml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("::error title=soclint::soclint could not run (exit code 2)"));
}

/// `git ARGS` in `dir`, with no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The README's recipe for a policy the pull request cannot change: the
/// base branch's `soclint.toml`, copied under $RUNNER_TEMP by `git show`,
/// given as the `config` input. The pull request's own `soclint.toml`
/// (which ignores the rule, lowers the gate and waives the file) then
/// changes nothing; without the input it would pass the check.
#[test]
fn the_config_input_takes_the_policy_from_the_base_branch() {
    if !tools_present() {
        return;
    }
    let runner = Runner::new("0.2.0");
    let ws = runner.path("workspace");
    git(&ws, &["init", "-q", "-b", "main"]);
    fs::write(ws.join("soclint.toml"), "exclude = [\"vendor/**\"]\n").expect("write");
    git(&ws, &["add", "."]);
    git(&ws, &["commit", "-q", "-m", "base"]);
    git(&ws, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&ws, &["checkout", "-q", "-b", "pr"]);
    fs::write(
        ws.join("main.tf"),
        "resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n",
    )
    .expect("write");
    fs::write(
        ws.join("soclint.toml"),
        "ignore = [\"AWS-S3-001\"]\nfail-on = \"never\"\n\n[[waiver]]\nrule = \"AWS-S3-001\"\npath = \"main.tf\"\nreason = \"fine\"\n",
    )
    .expect("write");
    git(&ws, &["add", "."]);
    git(&ws, &["commit", "-q", "-m", "pr"]);
    let select = ("SOCLINT_ARGS", "--select\nAWS-S3");

    let out = scan(&runner, &[select]);
    assert!(out.status.success());
    let output = runner.read("github_output");
    assert!(
        output.contains("\nfindings=0\n") && output.ends_with("\nexit-code=0\n"),
        "{output}"
    );

    let trusted = runner.path("temp/soclint.toml");
    fs::write(&trusted, git(&ws, &["show", "origin/main:soclint.toml"])).expect("write");
    fs::remove_file(runner.path("github_output")).expect("rm");
    let config = trusted.to_str().expect("UTF-8 path");
    let out = scan(&runner, &[select, ("SOCLINT_CONFIG", config)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let temp = runner.path("temp/soclint");
    assert_eq!(
        runner.read("github_output"),
        format!(
            "sarif-file={t}/soclint.sarif\njson-file={t}/soclint.json\nannotations-file={t}/annotations.txt\nfindings=1\nsuppressed=0\nbaselined=0\nunparsed=0\nunscanned=0\nexit-code=1\n",
            t = temp.display()
        )
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(temp.join("soclint.sarif")).expect("sarif"))
            .expect("parses");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "AWS-S3-001");
    assert!(stdout(&out).contains("::error title=soclint::1 finding, 0 files not parsed, 0 suppressed, 0 in the baseline: the check fails (fail-on: low)."));
}

/// The commands of a CI example's `script:` list: `- cmd` items and `- |`
/// blocks, in order (our own files only use those two forms).
fn script_of(example: &str) -> String {
    let mut lines = example.lines().skip_while(|l| l.trim() != "script:");
    let indent = lines.next().map_or(0, |l| l.len() - l.trim_start().len());
    let mut commands = Vec::new();
    let mut block: Option<(usize, String)> = None;
    for line in lines {
        let depth = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && depth <= indent {
            break;
        }
        if let Some((block_indent, text)) = &mut block {
            if line.trim().is_empty() || depth > *block_indent {
                text.push_str(line.get(*block_indent + 2..).unwrap_or(""));
                text.push('\n');
                continue;
            }
            commands.push(std::mem::take(text));
            block = None;
        }
        match line.trim().strip_prefix("- ") {
            Some("|") => block = Some((depth, String::new())),
            Some(command) => commands.push(format!("{command}\n")),
            None => {}
        }
    }
    if let Some((_, text)) = block {
        commands.push(text);
    }
    commands.concat()
}

/// The GitLab and Bitbucket examples download and verify the release with
/// the tools of their `alpine` image: run them with busybox (against the
/// fake release; /usr/local/bin replaced by a scratch directory).
#[test]
fn ci_examples_install_the_verified_release_with_busybox() {
    if !tools_present() {
        return;
    }
    let busybox = Command::new("sh")
        .args(["-c", "command -v busybox"])
        .output();
    if !busybox.as_ref().is_ok_and(|o| o.status.success()) {
        assert!(std::env::var("CI").is_err(), "CI lacks busybox");
        eprintln!("skipped: busybox not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fake_release(tmp.path(), "0.2.0", COMMIT);
    let server = Server::start(&tmp.path().join("www"), tmp.path().join("access.log"));
    let applets = tmp.path().join("applets");
    fs::create_dir_all(&applets).expect("mkdir");
    let status = Command::new("busybox")
        .arg("--install")
        .arg("-s")
        .arg(&applets)
        .status()
        .expect("busybox --install");
    assert!(status.success());
    let run = |example: &str, case: &str| {
        let work = tmp.path().join(case);
        let bin = work.join("bin");
        fs::create_dir_all(&bin).expect("mkdir");
        let text = fs::read_to_string(repo().join(example)).expect("example");
        // GitLab's `variables:` become the job's environment
        let version = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("SOCLINT_VERSION: "))
            .map(|v| v.trim_matches('"').to_string());
        let script = script_of(&text)
            .replace(
                "https://github.com/soclint/soclint/releases/download",
                &server.url(),
            )
            .replace("/usr/local/bin", &bin.display().to_string());
        let out = Command::new(applets.join("sh"))
            .arg("-c")
            .arg(format!("set -e\n{script}"))
            .current_dir(&work)
            .env_clear()
            .env("PATH", format!("{}:{}", bin.display(), applets.display()))
            .envs(version.map(|v| ("SOCLINT_VERSION", v)))
            .output()
            .expect("busybox sh");
        (out, bin)
    };
    for example in ["docs/ci/gitlab-ci.yml", "docs/ci/bitbucket-pipelines.yml"] {
        let (out, bin) = run(example, &example.replace('/', "_"));
        assert!(
            out.status.success(),
            "{example}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(bin.join("soclint").is_file(), "{example}");
    }
    // a tampered archive stops the script before anything is installed
    let archive = dir.join(format!("soclint-0.2.0-{TARGET}.tar.gz"));
    let mut bytes = fs::read(&archive).expect("archive");
    bytes.extend_from_slice(b"tampered");
    fs::write(&archive, bytes).expect("write");
    for example in ["docs/ci/gitlab-ci.yml", "docs/ci/bitbucket-pipelines.yml"] {
        let (out, bin) = run(example, &format!("{}-tampered", example.replace('/', "_")));
        assert!(
            !out.status.success(),
            "{example} accepted a tampered archive"
        );
        assert!(!bin.join("soclint").exists(), "{example}");
    }
}

//! The rule and config loader against a hostile repository, shared by the
//! `config_load` fuzz target and `tests/fuzz_regressions.rs` (both include
//! this file with `#[path]`).
//!
//! One input is a small repository written as text. What comes before the
//! first `@@` line is `soclint.toml`; each `@@` line then adds an entry,
//! with the lines after it (up to the next `@@`) as a file's content:
//!
//! ```text
//! rules = ["rules", "../outside/rules"]
//! baseline = "b/base.json"
//! @@ file rules/a.toml
//! [[rule]] ...
//! @@ link rules/out.toml $OUT/rules/secret.toml
//! @@ dir b
//! @@ link b $OUT
//! @@ hardlink rules/h.toml $OUT/env
//! @@ fifo rules/f.toml
//! @@ config sub
//! ```
//!
//! `config DIR` moves `soclint.toml` (and the directory the config search
//! starts from) into `DIR`. Entry names are relative and stay inside the
//! repository (a name with `..`, or absolute, is dropped); link targets may
//! be anything, with `$OUT` and `$ROOT` (in the config too) standing for the absolute paths of
//! the directory beside the repository and of the repository. In names, link
//! targets and the config, `%XX` is the byte XX (names that are not UTF-8,
//! control characters, spaces).
//!
//! Beside the repository, `outside/` holds what a pull request must never
//! get at: a valid rule file (`rules/secret.toml`, rule `OUTSIDE-001`), a
//! TOML file that does not parse, a file that is not TOML, and a baseline.
//! Each holds [`MARKER`]. [`check`] loads the config found in the tree, its
//! rules (strictly and as `soclint test` does), and its baseline, and asserts
//! that no rule from outside is loaded, no baseline path leads outside and
//! no error or rule text carries the marker. It then scans the tree with
//! that config (built-in rules, waivers, policy paths, exclusions) and checks
//! that no report names or quotes a file from outside and every reported path
//! stays in the tree. Panics are failures too.
use std::path::{Component, Path, PathBuf};

use soclint::project::{self, Anchor, ConfigChoice, RuleOverrides};

/// What only files outside the repository hold.
pub const MARKER: &str = "OUTSIDE_SECRET_7f3a";

const SECRET_RULE: &str = r#"[[rule]]
id = "OUTSIDE-001"
title = "OUTSIDE_SECRET_7f3a"
severity = "high"
criteria = ["CC6.1"]
target = "terraform"
resources = ["aws_s3_bucket"]
message = "OUTSIDE_SECRET_7f3a"
rationale = "r"
remediation = "r"
assert = { path = "acl", not_in = ["public-read"] }
"#;

fn outside_files() -> [(&'static str, &'static [u8]); 8] {
    [
        ("rules/secret.toml", SECRET_RULE.as_bytes()),
        ("broken.toml", b"[[rule]]\nid = OUTSIDE_SECRET_7f3a\n"),
        ("env", b"TOKEN=OUTSIDE_SECRET_7f3a\0HOME=/root\0"),
        ("secret.toml", b"token = \"OUTSIDE_SECRET_7f3a\"\n"),
        ("baseline.json", b"{\"OUTSIDE_SECRET_7f3a\": 1}\n"),
        // files a scan would list by name if it went through a link or
        // followed a policy or waiver path out of the tree
        ("policies/OUTSIDE_SECRET_7f3a.md", b"# Access policy\n"),
        (
            "tf/OUTSIDE_SECRET_7f3a.tf",
            b"resource \"aws_s3_bucket\" \"OUTSIDE_SECRET_7f3a\" {\n  acl = \"public-read\"\n}\n",
        ),
        ("Dockerfile", b"FROM OUTSIDE_SECRET_7f3a\n"),
    ]
}

/// One entry of the repository an input describes.
#[derive(Debug)]
enum Entry<'a> {
    File(&'a str, String),
    Dir(&'a str),
    Link(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Fifo(&'a str),
}

/// A name as bytes: `%XX` stands for the byte XX, so names can hold what
/// is not UTF-8, control characters and spaces.
fn decode(name: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    let b = name.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// A name inside the repository: relative, no `..`, no NUL.
fn inside(name: &str) -> Option<PathBuf> {
    let p = decode(name);
    let ok = !p.as_os_str().is_empty()
        && !p.as_os_str().as_encoded_bytes().contains(&0)
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components().any(|c| matches!(c, Component::Normal(_)));
    ok.then_some(p)
}

struct Input<'a> {
    config: String,
    config_dir: Option<&'a str>,
    entries: Vec<Entry<'a>>,
}

fn parse(text: &str) -> Input<'_> {
    let mut input = Input {
        config: String::new(),
        config_dir: None,
        entries: Vec::new(),
    };
    // the content lines go to the last file opened (or the config)
    let mut body: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let Some(directive) = line.strip_prefix("@@ ") else {
            match body {
                Some(i) => {
                    if let Some(Entry::File(_, content)) = input.entries.get_mut(i) {
                        content.push_str(line);
                    }
                }
                None => input.config.push_str(line),
            }
            continue;
        };
        let directive = directive.trim_end_matches(['\n', '\r']);
        let mut words = directive.splitn(3, ' ');
        let (kind, a, b) = (words.next(), words.next(), words.next());
        body = None;
        let entry = match (kind, a, b) {
            (Some("file"), Some(name), None) => {
                body = Some(input.entries.len());
                Entry::File(name, String::new())
            }
            (Some("dir"), Some(name), None) => Entry::Dir(name),
            (Some("link"), Some(name), Some(target)) => Entry::Link(name, target),
            (Some("hardlink"), Some(name), Some(target)) => Entry::HardLink(name, target),
            (Some("fifo"), Some(name), None) => Entry::Fifo(name),
            (Some("config"), Some(dir), None) => {
                input.config_dir = inside(dir).map(|_| dir);
                continue;
            }
            _ => continue,
        };
        input.entries.push(entry);
    }
    input
}

fn target_of(target: &str, root: &Path, outside: &Path) -> PathBuf {
    decode(
        &target
            .replace("$OUT", &outside.to_string_lossy())
            .replace("$ROOT", &root.to_string_lossy()),
    )
}

/// Lays the input out in `dir` (empty): `dir/repo` (a git work tree) and
/// `dir/outside`. Returns the repository root and the directory the config
/// search starts from.
fn lay_out(input: &Input, dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.join("repo");
    let outside = dir.join("outside");
    for (name, bytes) in outside_files() {
        let p = outside.join(name);
        let _ = std::fs::create_dir_all(p.parent().expect("parent"));
        let _ = std::fs::write(p, bytes);
    }
    let _ = std::fs::create_dir_all(root.join(".git"));
    for entry in &input.entries {
        let name = match entry {
            Entry::File(n, _)
            | Entry::Dir(n)
            | Entry::Link(n, _)
            | Entry::HardLink(n, _)
            | Entry::Fifo(n) => *n,
        };
        let Some(rel) = inside(name) else { continue };
        let path = root.join(rel);
        // only through real directories of the repository: an earlier link
        // must not make the harness itself write outside
        let through_links = path
            .parent()
            .into_iter()
            .flat_map(Path::ancestors)
            .take_while(|a| *a != root)
            .any(|a| a.symlink_metadata().is_ok_and(|m| !m.is_dir()));
        if through_links {
            continue;
        }
        // never over an entry already there (it may be a link to anywhere)
        if path.symlink_metadata().is_ok() {
            continue;
        }
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if path
            .parent()
            .is_some_and(|p| !p.canonicalize().is_ok_and(|c| c.starts_with(dir)))
        {
            continue;
        }
        let _ = match entry {
            Entry::File(_, content) => std::fs::write(&path, content),
            Entry::Dir(_) => std::fs::create_dir_all(&path),
            Entry::Link(_, target) => {
                std::os::unix::fs::symlink(target_of(target, &root, &outside), &path)
            }
            Entry::HardLink(_, target) => {
                std::fs::hard_link(target_of(target, &root, &outside), &path)
            }
            Entry::Fifo(_) => {
                let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes().to_vec());
                if let Ok(c) = c {
                    // SAFETY: a valid NUL-terminated path
                    unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
                }
                Ok(())
            }
        };
    }
    let start = match input.config_dir.and_then(inside) {
        Some(sub) => root.join(sub),
        None => root.clone(),
    };
    // the config is written last, where the search starts, unless the
    // input put something there already or the place is not a real directory
    if start.is_dir()
        && !start.is_symlink()
        && start.canonicalize().is_ok_and(|c| c.starts_with(dir))
    {
        let config = start.join("soclint.toml");
        if config.symlink_metadata().is_err() {
            let _ = std::fs::write(
                config,
                target_of(&input.config, &root, &outside)
                    .as_os_str()
                    .as_encoded_bytes(),
            );
        }
    }
    (root, start)
}

fn render(e: &miette::Report) -> String {
    let mut out = String::new();
    let _ = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::none())
        .render_report(&mut out, e.as_ref());
    format!("{out}\n{e:?}")
}

fn assert_no_marker(what: &str, text: &str) {
    assert!(
        !text.contains(MARKER),
        "{what} shows a file from outside the repository:\n{text}"
    );
}

/// Lays out `data` in the empty directory `dir` and loads its config, rules
/// and baseline; panics when anything from outside the repository gets in.
pub fn check(dir: &Path, data: &[u8]) {
    // the marker may only come from outside: an input that spells it out
    // itself (a file name, a rule title) would be flagged for nothing
    let text = String::from_utf8_lossy(data).replace(MARKER, "");
    let input = parse(&text);
    let (root, start) = lay_out(&input, dir);
    let anchor = Anchor {
        base: root.clone(),
        start: start.clone(),
        in_repository: true,
    };
    let (config, path) = match project::find_config(ConfigChoice::default(), &anchor) {
        Ok(found) => found,
        Err(e) => return assert_no_marker("a config error", &render(&e)),
    };
    let overrides = RuleOverrides {
        no_builtin: true,
        ..RuleOverrides::default()
    };
    for lenient in [false, true] {
        let mut broken = lenient.then(Vec::new);
        match project::build_rules_with(
            &overrides,
            &config,
            path.as_deref(),
            false,
            None,
            &mut broken,
        ) {
            Ok(set) => {
                for rule in &set.rules {
                    assert!(
                        !rule.meta.id.starts_with("OUTSIDE"),
                        "a rule from outside the repository was loaded: {}",
                        rule.meta.origin
                    );
                    assert_no_marker("a rule", &rule.meta.definition);
                }
            }
            Err(e) => assert_no_marker("a rule error", &render(&e)),
        }
        for b in broken.iter().flatten() {
            assert_no_marker("a broken rule", &format!("{} {}", b.id, b.reason));
        }
    }
    match project::configured_baseline(&config, path.as_deref(), true) {
        Ok(Some(baseline)) => {
            let real_root = root.canonicalize().expect("root");
            // where a write would land: the nearest existing ancestor, resolved
            let landing = baseline
                .ancestors()
                .find_map(|a| a.canonicalize().ok())
                .expect("an existing ancestor");
            assert!(
                landing.starts_with(&real_root),
                "the baseline {} leads outside the repository ({})",
                baseline.display(),
                landing.display()
            );
            if let Err(e) = project::load_baseline(&baseline) {
                assert_no_marker("a baseline error", &format!("{e:?}"));
            }
        }
        Ok(None) => {}
        Err(e) => assert_no_marker("a baseline error", &render(&e)),
    }
    scan(&root, &start);
}

/// The whole scan with the config found from `start` (built-in rules, the
/// config's rules, waivers, policy paths, exclusions): every path it reports
/// is a path of the tree, and no file from outside is named or quoted.
fn scan(root: &Path, start: &Path) {
    let flags = project::ScanOverrides {
        threads: Some(1),
        ..project::ScanOverrides::default()
    };
    let prepared = match project::scan_directory(start, &RuleOverrides::default(), &flags, true) {
        Ok(p) => p,
        Err(e) => return assert_no_marker("a scan error", &render(&e)),
    };
    let result = &prepared.result;
    let json = soclint::report::json::render(result);
    assert_no_marker("the JSON report", &json);
    let ctx = soclint::report::Context {
        show_suppressed: true,
        link_base: None,
        frameworks: Vec::new(),
        ..Default::default()
    };
    assert_no_marker(
        "the Markdown report",
        &soclint::report::markdown::render(result, &ctx),
    );
    let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON report parses");
    let mut paths = Vec::new();
    collect_paths(&report, &mut paths);
    for p in paths {
        let path = Path::new(&p);
        assert!(
            !path.is_absolute() && !path.components().any(|c| c == Component::ParentDir),
            "a reported path leaves the tree: {p:?} (root {})",
            root.display()
        );
    }
}

/// Every string under a `path` or `file` key of the JSON report.
fn collect_paths(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("path" | "file", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_paths(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_paths(i, out)),
        _ => {}
    }
}

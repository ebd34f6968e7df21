//! Every input a fuzzer ever crashed, hung or blew up on, replayed through the
//! same code path as its fuzz target (the targets' helpers are included from
//! `fuzz/common/` with `#[path]`), so no fuzzer is needed to keep them fixed.
//!
//! Inputs live in `fixtures/fuzz-regressions/<target>/`, one file per input,
//! named after the libFuzzer artifact. Each must finish without a panic,
//! within a time bound, with a bounded result. See `fuzz/README.md`.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use soclint::document::{dockerfile, hcl, json, markdown, yaml, Limits};

#[path = "../fuzz/common/check.rs"]
mod check;
#[path = "../fuzz/common/config_input.rs"]
mod config_input;
#[path = "../fuzz/common/scan_input.rs"]
mod scan_input;

/// Generous: the fuzzers ran with `-timeout=10` on optimised builds; tests
/// run unoptimised.
const TIME_BOUND: Duration = Duration::from_secs(30);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    // SOCLINT_FUZZ_DIR=fuzz/corpus replays a whole corpus instead.
    let base = std::env::var_os("SOCLINT_FUZZ_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions"));
    let dir = base.join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Runs `f` on every input of `target`, each within the time bound.
fn replay(target: &str, f: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let started = Instant::now();
        f(&bytes);
        let took = started.elapsed();
        assert!(
            took < TIME_BOUND,
            "{} took {took:?} (bound {TIME_BOUND:?})",
            path.display()
        );
    }
}

macro_rules! parse_target {
    ($test:ident, $target:literal, $parse:expr, $docs:expr) => {
        #[test]
        fn $test() {
            replay($target, |data| {
                if let Ok(text) = std::str::from_utf8(data) {
                    let limits = Limits::default();
                    let r = $parse(text, &limits);
                    check::check_result(text, r.as_ref().map($docs), &limits);
                }
            });
        }
    };
}

parse_target!(parse_hcl, "parse_hcl", hcl::parse, std::iter::once);
parse_target!(parse_json, "parse_json", json::parse, std::iter::once);
parse_target!(
    parse_dockerfile,
    "parse_dockerfile",
    dockerfile::parse,
    std::iter::once
);
parse_target!(
    parse_markdown,
    "parse_markdown",
    markdown::parse,
    std::iter::once
);
parse_target!(parse_yaml, "parse_yaml", yaml::parse, |v: &Vec<_>| v.iter());

#[test]
fn rules_load() {
    replay("rules_load", |data| {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = soclint::rules::load_file("fuzz.toml", text);
        }
    });
}

#[test]
fn scan_file() {
    let base = tempfile::tempdir().expect("tempdir");
    replay("scan_file", |data| {
        if let Some((name, content)) = scan_input::split(data) {
            let result = scan_input::scan_one(base.path(), name, content);
            // one file: at most one error, and findings bounded by its size
            assert!(result.errors.len() <= 1, "{:?}", result.errors);
            assert!(result.findings.len() <= 1000 + content.len());
        }
    });
}

#[test]
fn config_load() {
    let base = tempfile::tempdir().expect("tempdir");
    replay("config_load", |data| {
        let dir = base.path().join("case");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("case dir");
        config_input::check(&dir, data);
    });
}

//! The rule language, operator by operator: each case is one condition against
//! one small document, with the verdict (pass / fail / skip) it must give and,
//! for a failure, the line:column it must point at.
use soclint::fixture::run_case;
use soclint::rules::{load_file, RuleSet};

/// A Kubernetes ConfigMap-like document whose `data` holds the values tested.
const DOC: &str = "\
apiVersion: v1
kind: Widget
metadata:
  name: w
spec:
  name: alpha
  replicas: 3
  enabled: true
  flag: \"false\"
  port: \"8080\"
  tags: [web, prod]
  empty: []
  labels: {team: core, tier: backend}
  reviewed: \"2026-06-01\"
  stale: \"2024-01-01\"
  items:
    - {name: a, size: 1}
    - {name: b, size: 5}
  unknown: !Ref SomeParameter
  nothing: null
  action: actions/checkout@v5.0.1
  pinned: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1
  branch: actions/checkout@main
  engine: \"8.0.35\"
";

fn verdict(cond: &str) -> (&'static str, Option<(usize, usize)>) {
    let rule = format!(
        "[[rule]]\nid = \"T-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\n\
         target = \"kubernetes\"\nresources = [\"Widget\"]\nmessage = \"m\"\nrationale = \"r\"\n\
         remediation = \"x\"\nassert = {cond}\n"
    );
    let rules =
        RuleSet::new(load_file("t.toml", &rule).unwrap_or_else(|e| panic!("{cond}: {e:?}")))
            .expect("set");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("w.yaml"), DOC).expect("write");
    let today = soclint::rules::eval::parse_date("2026-11-25").expect("date");
    let r = run_case(&rules, dir.path(), today).expect("runs");
    let s = r.scan.stats["T-001"];
    let loc = r.scan.findings.first().map(|f| {
        (
            f.location.start_line as usize,
            f.location.start_column as usize,
        )
    });
    let v = match (s.passed, s.failed, s.skipped) {
        (1, 0, 0) => "pass",
        (0, 1, 0) => "fail",
        (0, 0, 1) => "skip",
        other => panic!("{cond}: {other:?}"),
    };
    (v, loc)
}

#[track_caller]
fn check(cond: &str, expected: &str, at: Option<(usize, usize)>) {
    let (v, loc) = verdict(cond);
    assert_eq!(v, expected, "{cond}");
    if expected == "fail" {
        assert_eq!(loc, at, "{cond}: location");
    }
}

const HEADER: Option<(usize, usize)> = Some((2, 1)); // `kind: Widget`

#[test]
fn existence() {
    check(r#"{ path = "spec.name", exists = true }"#, "pass", None);
    check(
        r#"{ path = "spec.missing", exists = true }"#,
        "fail",
        HEADER,
    );
    check(
        r#"{ path = "spec.nothing", exists = true }"#,
        "fail",
        HEADER,
    ); // null is absent
    check(r#"{ path = "spec.unknown", exists = true }"#, "pass", None); // unknown but present
    check(
        r#"{ path = "spec.name", absent = true }"#,
        "fail",
        Some((6, 9)),
    );
    check(r#"{ path = "spec.missing", absent = true }"#, "pass", None);
}

#[test]
fn equality_and_membership() {
    check(r#"{ path = "spec.name", equals = "alpha" }"#, "pass", None);
    check(
        r#"{ path = "spec.name", equals = "beta" }"#,
        "fail",
        Some((6, 9)),
    );
    check(r#"{ path = "spec.port", equals = 8080 }"#, "pass", None); // "8080" == 8080
    check(r#"{ path = "spec.flag", equals = false }"#, "pass", None); // "false" == false
    check(
        r#"{ path = "spec.name", not_equals = "alpha" }"#,
        "fail",
        Some((6, 9)),
    );
    check(
        r#"{ path = "spec.missing", not_equals = "x" }"#,
        "pass",
        None,
    ); // negative: absent passes
    check(r#"{ path = "spec.missing", equals = "x" }"#, "fail", HEADER); // positive: absent fails
    check(
        r#"{ path = "spec.missing", equals = 1, default = 1 }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.missing", equals = 2, default = 1 }"#,
        "fail",
        HEADER,
    );
    check(
        r#"{ path = "spec.name", in = ["alpha", "beta"] }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.name", not_in = ["alpha"] }"#,
        "fail",
        Some((6, 9)),
    );
    check(r#"{ path = "spec.unknown", equals = "x" }"#, "skip", None);
    check(
        r#"{ path = "spec.unknown", not_equals = "x" }"#,
        "skip",
        None,
    );
}

#[test]
fn strings_numbers_booleans_dates() {
    check(r#"{ path = "spec.name", matches = "^al" }"#, "pass", None);
    check(
        r#"{ path = "spec.name", not_matches = "ph" }"#,
        "fail",
        Some((6, 9)),
    );
    check(
        r#"{ path = "spec.name", starts_with = "al" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.name", ends_with = "x" }"#,
        "fail",
        Some((6, 9)),
    );
    check(r#"{ path = "spec.replicas", ge = 3 }"#, "pass", None);
    check(
        r#"{ path = "spec.replicas", gt = 3 }"#,
        "fail",
        Some((7, 13)),
    );
    check(r#"{ path = "spec.replicas", lt = 4 }"#, "pass", None);
    check(
        r#"{ path = "spec.port", le = 1024 }"#,
        "fail",
        Some((10, 9)),
    );
    check(r#"{ path = "spec.enabled", is_true = true }"#, "pass", None);
    check(r#"{ path = "spec.flag", is_false = true }"#, "pass", None);
    check(
        r#"{ path = "spec.enabled", is_false = true }"#,
        "fail",
        Some((8, 12)),
    );
    check(
        r#"{ path = "spec.reviewed", is_date = true }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.name", is_date = true }"#,
        "fail",
        Some((6, 9)),
    );
    check(
        r#"{ path = "spec.reviewed", younger_than_days = 365 }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.stale", younger_than_days = 365 }"#,
        "fail",
        Some((15, 10)),
    );
}

#[test]
fn collections() {
    check(r#"{ path = "spec.tags", contains = "prod" }"#, "pass", None);
    check(
        r#"{ path = "spec.tags", not_contains = "prod" }"#,
        "fail",
        Some((11, 15)),
    ); // the element
    check(
        r#"{ path = "spec.labels", contains = "team" }"#,
        "pass",
        None,
    ); // a map's key
    check(r#"{ path = "spec.name", contains = "lph" }"#, "pass", None); // a substring
    check(r#"{ path = "spec.tags", length_eq = 2 }"#, "pass", None);
    check(
        r#"{ path = "spec.empty", length_ge = 1 }"#,
        "fail",
        Some((12, 3)),
    );
    check(
        r#"{ path = "spec.labels", length_lt = 2 }"#,
        "fail",
        Some((13, 3)),
    );
    check(
        r#"{ path = "spec.tags", not_equals = "dev" }"#,
        "pass",
        None,
    ); // every element
    check(
        r#"{ path = "spec.tags", not_equals = "web" }"#,
        "fail",
        Some((11, 10)),
    );
    check(
        r#"{ path = "spec.items[1].name", equals = "b" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.items[-1].size", equals = 5 }"#,
        "pass",
        None,
    );
    check(r#"{ path = "spec.items[*].size", ge = 1 }"#, "pass", None);
    check(
        r#"{ path = "spec.items.size", ge = 2 }"#,
        "fail",
        Some((17, 23)),
    ); // key on a list
    check(
        r#"{ path = "spec.labels.*", not_equals = "core" }"#,
        "fail",
        Some((13, 18)),
    );
    check(
        r#"{ path = "metadata.\"name\"", equals = "w" }"#,
        "pass",
        None,
    );
}

#[test]
fn quantifiers() {
    check(
        r#"{ path = "spec.items", some = { path = "size", gt = 4 } }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.items", some = { path = "size", gt = 9 } }"#,
        "fail",
        Some((16, 3)),
    );
    check(
        r#"{ path = "spec.items", every = { path = "size", lt = 9 } }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.items", every = { path = "size", lt = 3 } }"#,
        "fail",
        Some((18, 23)),
    );
    check(
        r#"{ path = "spec.items", none = { path = "name", equals = "b" } }"#,
        "fail",
        Some((18, 14)),
    );
    check(
        r#"{ path = "spec.missing", every = { path = "x", exists = true } }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.missing", some = { path = "x", exists = true } }"#,
        "fail",
        HEADER,
    );
    check(
        r#"{ path = "spec.tags", some = { equals = "web" } }"#,
        "pass",
        None,
    ); // path omitted: the element
}

#[test]
fn combinators_and_unknowns() {
    check(
        r#"{ all = [{ path = "spec.name", exists = true }, { path = "spec.replicas", ge = 1 }] }"#,
        "pass",
        None,
    );
    check(
        r#"{ all = [{ path = "spec.name", exists = true }, { path = "spec.replicas", ge = 9 }] }"#,
        "fail",
        Some((7, 13)),
    );
    check(
        r#"{ any = [{ path = "spec.missing", exists = true }, { path = "spec.replicas", ge = 1 }] }"#,
        "pass",
        None,
    );
    check(
        r#"{ any = [{ path = "spec.missing", exists = true }, { path = "spec.name", equals = "z" }] }"#,
        "fail",
        Some((6, 9)),
    );
    check(
        r#"{ not = { path = "spec.enabled", is_true = true } }"#,
        "fail",
        Some((8, 12)),
    );
    // an unknown makes `all` skip unless something fails, `any` skip unless something passes
    check(
        r#"{ all = [{ path = "spec.unknown", equals = 1 }, { path = "spec.name", exists = true }] }"#,
        "skip",
        None,
    );
    check(
        r#"{ all = [{ path = "spec.unknown", equals = 1 }, { path = "spec.name", equals = "z" }] }"#,
        "fail",
        Some((6, 9)),
    );
    check(
        r#"{ any = [{ path = "spec.unknown", equals = 1 }, { path = "spec.name", equals = "alpha" }] }"#,
        "pass",
        None,
    );
    check(
        r#"{ any = [{ path = "spec.unknown", equals = 1 }, { path = "spec.name", equals = "z" }] }"#,
        "skip",
        None,
    );
    check(
        r#"{ not = { path = "spec.unknown", equals = 1 } }"#,
        "skip",
        None,
    );
}

#[test]
fn versions() {
    check(
        r#"{ path = "spec.action", version_lt = "v6" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.action", version_ge = "v6" }"#,
        "fail",
        Some((21, 11)),
    );
    check(
        r#"{ path = "spec.action", version_le = "5.0.1" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.action", version_gt = "v5" }"#,
        "pass",
        None,
    );
    // a SHA pin is judged by the version its comment names
    check(
        r#"{ path = "spec.pinned", version_ge = "v6" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.pinned", version_lt = "v6" }"#,
        "fail",
        Some((22, 11)),
    );
    // a branch names no version: not guessed at
    check(
        r#"{ path = "spec.branch", version_lt = "v6" }"#,
        "skip",
        None,
    );
    check(
        r#"{ path = "spec.engine", version_ge = "8.0" }"#,
        "pass",
        None,
    );
    check(
        r#"{ path = "spec.engine", version_lt = "8.0.36" }"#,
        "pass",
        None,
    );
}

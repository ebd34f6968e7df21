//! Helm charts in the scan: rendered in-process, findings at the values line
//! or the template line that produced the offending bytes (the rendered place
//! as a related site), what cannot be rendered reported as a notice, and
//! `--helm-values`/`--helm-set`.
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

const CHART_CASE: &str = "fixtures/kubernetes/K8S-CTR-001/fail";

fn soclint() -> Command {
    let mut cmd = Command::cargo_bin("soclint").expect("binary built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR");
    cmd
}

/// `check DIR --format json --select RULE` (+ extra arguments), as JSON; DIR
/// (under the checkout) is scanned as a copy outside it, so paths are named
/// from it whatever holds the checkout.
fn check_json(dir: &str, rule: &str, extra: &[&str]) -> (i32, Value) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    common::copy_dir(&from, tmp.path());
    let out = soclint()
        .arg("check")
        .arg(tmp.path())
        .args(["--format", "json", "--select", rule])
        .args(extra)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    (out.status.code().unwrap_or(-1), json)
}

/// (path, line, column, end column, related path and line) of each finding.
fn places(json: &Value) -> Vec<(String, u64, u64, u64, String, u64)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let rel = &f["related"][0];
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
                f["end_column"].as_u64().unwrap_or(0),
                rel["path"].as_str().unwrap_or("").to_string(),
                rel["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn a_value_from_values_yaml_is_reported_there_and_template_text_at_the_template() {
    let (code, json) = check_json(CHART_CASE, "K8S-CTR-001", &[]);
    assert_eq!(code, 1);
    let chart: Vec<_> = places(&json)
        .into_iter()
        .filter(|p| p.0.starts_with("chart/"))
        .collect();
    assert_eq!(
        chart,
        vec![
            // `privileged: true` written in the template itself
            (
                "chart/templates/deployment.yaml".into(),
                24,
                25,
                29,
                "chart/templates/deployment.yaml@helm".into(),
                26
            ),
            // `privileged: true` in values.yaml, brought in by `toYaml | nindent`
            (
                "chart/values.yaml".into(),
                5,
                15,
                19,
                "chart/templates/deployment.yaml@helm".into(),
                21
            ),
        ]
    );
    let related = &json["findings"][0]["related"][0];
    assert_eq!(related["role"], "rendered");
    // the parent's `worker.privileged: false` wins over the subchart's own
    // value, NOTES.txt is not a manifest, and the library chart renders nothing
    assert!(
        json["notices"].as_array().expect("notices").is_empty(),
        "{}",
        json["notices"]
    );
    assert_eq!(json["skipped"], serde_json::json!([]));
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.25\n          securityContext:\n            privileged: {{ .Values.privileged }}\n";

#[test]
fn helm_values_and_helm_set_apply_to_every_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            (
                "app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            ),
            ("app/values.yaml", "privileged: false\n"),
            ("app/templates/deployment.yaml", DEPLOYMENT),
        ],
    );
    let extra = dir.path().join("prod.yaml");
    std::fs::write(&extra, "# production\nprivileged: true\n").expect("write");
    let root = dir.path().join("app").to_string_lossy().into_owned();
    let (_, json) = check_json(&root, "K8S-CTR-001", &[]);
    assert!(places(&json).is_empty());
    // the value comes from the --helm-values file: the finding is on its line
    let (code, json) = check_json(
        &root,
        "K8S-CTR-001",
        &["--helm-values", &extra.to_string_lossy()],
    );
    assert_eq!(code, 1);
    let found = places(&json);
    assert_eq!(found.len(), 1);
    assert!(found[0].0.ends_with("prod.yaml"), "{found:?}");
    assert_eq!((found[0].1, found[0].2, found[0].3), (2, 13, 17));
    // --helm-set wins over the values files; a value with no file points at the template
    let (_, json) = check_json(
        &root,
        "K8S-CTR-001",
        &[
            "--helm-values",
            &extra.to_string_lossy(),
            "--helm-set",
            "privileged=false",
        ],
    );
    assert!(places(&json).is_empty());
    let (_, json) = check_json(&root, "K8S-CTR-001", &["--helm-set", "privileged=true"]);
    assert_eq!(
        places(&json),
        vec![(
            "templates/deployment.yaml".into(),
            12,
            25,
            49,
            "templates/deployment.yaml@helm".into(),
            12
        )]
    );
    // an unreadable values file is a usage error
    let out = soclint()
        .args(["check", &root, "--helm-values", "/nonexistent/values.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn what_cannot_be_rendered_is_a_skipped_file_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("ok/Chart.yaml", "apiVersion: v2\nname: ok\nversion: 1.0.0\n"),
            ("ok/values.yaml", "privileged: true\n"),
            ("ok/templates/deployment.yaml", DEPLOYMENT),
            ("ok/templates/bad.yaml", "kind: {{ nope 1 }}\n"),
            ("ok/templates/fails.yaml", "{{ required \"set image.tag\" .Values.image }}\n"),
            (
                "deps/Chart.yaml",
                "apiVersion: v2\nname: deps\nversion: 1.0.0\ndependencies:\n  - name: missing\n    repository: oci://registry.example.com/charts\n",
            ),
            ("deps/templates/x.yaml", DEPLOYMENT),
        ],
    );
    let root = dir.path().to_string_lossy().into_owned();
    let (code, json) = check_json(&root, "K8S-CTR-001", &[]);
    assert_eq!(code, 1);
    let notices: Vec<(String, String)> = json["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|n| {
            assert_eq!(
                (&n["reason"], &n["status"]),
                (&"unrendered".into(), &"warning".into())
            );
            (
                n["path"].as_str().unwrap_or("").to_string(),
                n["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert_eq!(notices[0].0, "deps/Chart.yaml");
    assert!(
        notices[0].1.contains("dependency `missing`"),
        "{}",
        notices[0].1
    );
    assert_eq!(notices[1].0, "ok/templates/bad.yaml");
    assert_eq!(
        notices[1].1,
        "not rendered: 1:10: function \"nope\" not defined"
    );
    assert_eq!(notices[2].0, "ok/templates/fails.yaml");
    assert_eq!(
        notices[2].1,
        "not rendered: error calling required: set image.tag at ok/templates/fails.yaml:1:4"
    );
    // the templates that did render are checked
    assert_eq!(places(&json).len(), 1);
    assert_eq!(places(&json)[0].0, "ok/values.yaml");
}

#[test]
fn a_value_only_the_cluster_knows_makes_the_rule_skip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let template = DEPLOYMENT.replace(
        "{{ .Values.privileged }}",
        "{{ (lookup \"v1\" \"ConfigMap\" \"default\" \"flags\").data.privileged }}",
    );
    write(
        dir.path(),
        &[
            ("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
            ("c/templates/deployment.yaml", &template),
        ],
    );
    let root = dir.path().to_string_lossy().into_owned();
    let (code, json) = check_json(&root, "K8S-CTR-001", &[]);
    assert_eq!(code, 0, "{json}");
    assert!(places(&json).is_empty());
    assert!(json["notices"].as_array().expect("notices").is_empty());
}

/// A chart's `{{ .Release.Namespace }}` is whatever `helm install -n` gives,
/// not `default` (what `helm template` prints): K8S-NS-001 skips it, as it
/// skips a manifest with no namespace (microservices-demo's chart got one
/// finding per object); a chart that writes `default` itself still fails.
#[test]
fn the_release_namespace_is_not_the_default_namespace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let template = DEPLOYMENT.replace(
        "  name: app\n",
        "  name: app\n  namespace: {{ .Release.Namespace }}\n",
    );
    let written = DEPLOYMENT.replace("  name: app\n", "  name: app\n  namespace: default\n");
    write(
        dir.path(),
        &[
            ("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
            ("c/values.yaml", "privileged: false\n"),
            ("c/templates/deployment.yaml", &template),
            ("d/Chart.yaml", "apiVersion: v2\nname: d\nversion: 1.0.0\n"),
            ("d/values.yaml", "privileged: false\n"),
            ("d/templates/deployment.yaml", &written),
        ],
    );
    let root = dir.path().to_string_lossy().into_owned();
    let (code, json) = check_json(&root, "K8S-NS-001", &[]);
    assert_eq!(code, 1, "{json}");
    let found: Vec<(&str, u64, &str)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["start_line"].as_u64().unwrap_or(0),
                f["resource"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("d/templates/deployment.yaml", 5, "Deployment/default/app")]
    );
}

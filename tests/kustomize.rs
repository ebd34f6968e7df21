//! Kustomize overlays in the scan: built in-process, findings at the patch
//! line that set the value or the base line the overlay left, patch files
//! never checked as manifests of their own, `--kustomize-roots`, secrets of
//! generators masked, and what cannot be built said.
use std::path::Path;

use assert_cmd::Command;

mod common;

const TREE: &str = "tests/fixtures/kustomize";

/// `check` of a copy of `dir` (+ extra arguments): exit code and stdout.
fn check(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .arg("check")
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text)
}

/// The fixture tree copied into a temporary directory.
fn copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(TREE);
    common::copy_dir(&from, tmp.path());
    tmp
}

/// The compact report's lines, the temporary prefix taken off.
fn lines(tmp: &Path, text: &str) -> Vec<String> {
    let prefix = format!("{}/", tmp.display());
    text.lines()
        .filter(|l| l.contains(": ") && !l.starts_with("Scanned"))
        .map(|l| l.replace(&prefix, ""))
        .collect()
}

#[test]
fn overlay_findings_point_at_the_patch_line_that_set_the_value() {
    let tmp = copy();
    let (code, out) = check(tmp.path(), &["--format", "compact"]);
    assert_eq!(code, 1);
    let overlay: Vec<String> = lines(tmp.path(), &out)
        .into_iter()
        .filter(|l| l.starts_with("overlays/"))
        .collect();
    assert_eq!(
        overlay,
        vec![
            // patchesJson6902 from a file
            "overlays/prod/host-network.yaml:3:10: HIGH K8S-POD-001 [CC6.1,CC6.6] pod of `Deployment/prod/prod-web` shares a host namespace (hostNetwork, hostPID or hostIPC is true) (rendered at overlays/prod/kustomization.yaml@kustomize:31:22)",
            // an inline JSON 6902 patch: its line in the kustomization
            "overlays/prod/kustomization.yaml:22:37: MEDIUM K8S-CTR-002 [CC6.1,CC6.8] container `Deployment/prod/prod-web/sidecar` does not set `allowPrivilegeEscalation: false` (currently true) (rendered at overlays/prod/kustomization.yaml@kustomize:29:39)",
            // images: the newTag line
            "overlays/prod/kustomization.yaml:34:13: MEDIUM K8S-CTR-008 [CC6.8,CC8.1] container `Deployment/prod/prod-web/web` uses the unpinned image `nginx:latest` (rendered at overlays/prod/kustomization.yaml@kustomize:22:18)",
            "overlays/prod/kustomization.yaml:34:13: LOW K8S-CTR-011 [CC8.1] container `Deployment/prod/prod-web/web` runs the image `nginx:latest`, which names no digest: what it pulls can change under the same name (rendered at overlays/prod/kustomization.yaml@kustomize:22:18)",
            // secretGenerator: the literal, masked
            "overlays/prod/kustomization.yaml:41:18: CRITICAL K8S-SEC-001 [CC6.1,C1.1] Secret `Secret/prod/prod-db` is committed with a readable value (rendered at overlays/prod/kustomization.yaml@kustomize:57:13)",
            // patchesStrategicMerge: containers merged by name
            "overlays/prod/privileged.yaml:11:25: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Deployment/prod/prod-web/web` runs privileged (rendered at overlays/prod/kustomization.yaml@kustomize:24:25)",
            // patches with a target: a strategic merge patch
            "overlays/prod/service-type.yaml:6:9: HIGH K8S-NET-001 [CC6.6] Service `Service/prod/prod-web` is exposed outside the cluster as `LoadBalancer` (rendered at overlays/prod/kustomization.yaml@kustomize:46:9)",
        ]
    );
}

#[test]
fn a_value_the_overlay_left_is_reported_at_the_base_line_once_per_overlay() {
    let tmp = copy();
    let (_, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "K8S-CTR-002"],
    );
    assert_eq!(
        lines(tmp.path(), &out),
        vec![
            "base/deployment.yaml:21:11: MEDIUM K8S-CTR-002 [CC6.1,CC6.8] container `Deployment/dev/web/sidecar` does not set `allowPrivilegeEscalation: false` (currently not set) (rendered at overlays/dev/kustomization.yaml@kustomize:22:11)",
            "overlays/prod/kustomization.yaml:22:37: MEDIUM K8S-CTR-002 [CC6.1,CC6.8] container `Deployment/prod/prod-web/sidecar` does not set `allowPrivilegeEscalation: false` (currently true) (rendered at overlays/prod/kustomization.yaml@kustomize:29:39)",
        ]
    );
}

#[test]
fn patch_files_are_not_checked_as_manifests_of_their_own() {
    let tmp = copy();
    let (_, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "K8S-CTR-001,K8S-NS-001"],
    );
    // privileged.yaml alone is a Deployment `web` in the default namespace:
    // read as a manifest it gave K8S-CTR-001 and K8S-NS-001 of its own
    assert_eq!(
        lines(tmp.path(), &out),
        vec!["overlays/prod/privileged.yaml:11:25: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Deployment/prod/prod-web/web` runs privileged (rendered at overlays/prod/kustomization.yaml@kustomize:24:25)"]
    );
}

#[test]
fn bases_roots_check_the_base_and_say_the_overlay_patches_are_not_checked() {
    let tmp = copy();
    let (_, out) = check(
        tmp.path(),
        &[
            "--format",
            "compact",
            "--select",
            "K8S-CTR-001,K8S-CTR-002",
            "--kustomize-roots",
            "bases",
        ],
    );
    assert_eq!(
        lines(tmp.path(), &out),
        vec![
            "base/deployment.yaml:21:11: MEDIUM K8S-CTR-002 [CC6.1,CC6.8] container `Deployment/web/sidecar` does not set `allowPrivilegeEscalation: false` (currently not set) (rendered at base/kustomization.yaml@kustomize:21:11)",
            "overlays/prod/host-network.yaml:1:1: WARNING not-scanned unrendered: a Kustomize patch of overlays/prod/kustomization.yaml, which is not built (--kustomize-roots); a patch is not a manifest of its own",
            "overlays/prod/privileged.yaml:1:1: WARNING not-scanned unrendered: a Kustomize patch of overlays/prod/kustomization.yaml, which is not built (--kustomize-roots); a patch is not a manifest of its own",
            "overlays/prod/service-type.yaml:1:1: WARNING not-scanned unrendered: a Kustomize patch of overlays/prod/kustomization.yaml, which is not built (--kustomize-roots); a patch is not a manifest of its own",
        ]
    );
    // both: the base on its own and through each overlay
    let (_, out) = check(
        tmp.path(),
        &[
            "--format",
            "compact",
            "--select",
            "K8S-CTR-002",
            "--kustomize-roots",
            "both",
        ],
    );
    assert_eq!(lines(tmp.path(), &out).len(), 3, "{out}");
}

#[test]
fn a_generated_secret_is_masked_in_every_format() {
    let tmp = copy();
    for format in [
        "human", "compact", "json", "sarif", "markdown", "junit", "gitlab", "github",
    ] {
        let (_, out) = check(tmp.path(), &["--format", format, "--select", "K8S-SEC-001"]);
        assert!(!out.contains("hunter2"), "{format}: {out}");
        assert!(out.contains("K8S-SEC-001"), "{format}: {out}");
    }
    let (_, out) = check(tmp.path(), &["--select", "K8S-SEC-001"]);
    assert!(out.contains("- password=*******"), "{out}");
}

#[test]
fn what_cannot_be_built_is_said_at_the_kustomization() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::create_dir_all(d.join("app")).expect("mkdir");
    std::fs::write(
        d.join("app/kustomization.yaml"),
        "resources:\n  - https://github.com/example/base?ref=v1\n  - pod.yaml\nhelmCharts:\n  - name: redis\n",
    )
    .expect("write");
    std::fs::write(
        d.join("app/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: x\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n",
    )
    .expect("write");
    std::fs::create_dir_all(d.join("broken")).expect("mkdir");
    std::fs::write(d.join("broken/kustomization.yaml"), "resources: [\n").expect("write");
    let (_, out) = check(d, &["--format", "compact", "--select", "K8S-CTR-001"]);
    assert_eq!(
        lines(d, &out),
        vec![
            "app/pod.yaml:11:21: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Pod/x/p/c` runs privileged (rendered at app/kustomization.yaml@kustomize:11:21)",
            "app/kustomization.yaml:1:1: WARNING not-scanned unrendered: Kustomize overlay built without part of it: `helmCharts` is not applied by soclint's kustomize build; the overlay is checked without it; remote resource `https://github.com/example/base?ref=v1` is not fetched; the overlay is checked without it",
            "broken/kustomization.yaml:1:1: WARNING not-scanned unrendered: Kustomize overlay not built, its resources are checked as written: broken/kustomization.yaml:2:1: while parsing a node, did not find expected node content",
        ]
    );
}

#[test]
fn findings_of_rules_that_look_across_the_scan_are_placed_too() {
    // K8S-NET-003 waits for every chunk's NetworkPolicies before it decides
    let tmp = copy();
    let (_, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "K8S-NET-003"],
    );
    assert_eq!(
        lines(tmp.path(), &out),
        vec!["base/deployment.yaml:14:5: MEDIUM K8S-NET-003 [CC6.1,CC6.6] no NetworkPolicy in the scan selects the pods of `Deployment/dev/web`: every pod in the cluster can reach them (rendered at overlays/dev/kustomization.yaml@kustomize:15:5)"]
    );
}

/// A base that two kustomizations build unchanged (microservices-demo's
/// `kustomize/` and its `kustomize/tests/*`): one finding at the base line
/// with both renderings, not one per kustomization; JSON lists both sites.
#[test]
fn a_base_built_unchanged_by_two_kustomizations_is_one_finding() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let files = [
        ("base/kustomization.yaml", "resources:\n  - deployment.yaml\n"),
        (
            "base/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n",
        ),
        ("app/kustomization.yaml", "resources:\n  - ../base\n"),
        ("tests/a/kustomization.yaml", "resources:\n  - ../../base\n"),
    ];
    for (name, text) in files {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let (code, out) = check(
        tmp.path(),
        &["--format", "compact", "--select", "K8S-CTR-002"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        lines(tmp.path(), &out),
        vec![
            "base/deployment.yaml:9:11: MEDIUM K8S-CTR-002 [CC6.1,CC6.8] container `Deployment/web/web` does not set `allowPrivilegeEscalation: false` (currently not set) (rendered at app/kustomization.yaml@kustomize:9:11) (rendered at tests/a/kustomization.yaml@kustomize:9:11)",
        ]
    );
    let (_, json) = check(tmp.path(), &["--format", "json", "--select", "K8S-CTR-002"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(json["findings"].as_array().expect("findings").len(), 1);
    let rendered: Vec<&str> = json["findings"][0]["related"]
        .as_array()
        .expect("related")
        .iter()
        .filter(|r| r["role"] == "rendered")
        .map(|r| r["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        rendered,
        [
            "app/kustomization.yaml@kustomize",
            "tests/a/kustomization.yaml@kustomize"
        ]
    );
}
